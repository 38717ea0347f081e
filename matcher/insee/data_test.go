package insee

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rppsync/rppsync"
)

// TestEmbeddedDataMatchesProvenance checks every embedded file against the
// sha256 that data/PROVENANCE.md quotes for it.
func TestEmbeddedDataMatchesProvenance(t *testing.T) {
	t.Parallel()
	prov, err := os.ReadFile("data/PROVENANCE.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+\\.csv)` \\|.*\\| `([0-9a-f]{64})` \\|")
	want := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(prov), -1) {
		want[m[1]] = m[2]
	}
	entries, err := fs.ReadDir(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) || len(want) != 6 {
		t.Fatalf("%d embedded files, %d in PROVENANCE.md, want 6 of each", len(entries), len(want))
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".gz")
		gz, err := embedded.ReadFile("data/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != want[name] {
			t.Errorf("%s: sha256 %s, PROVENANCE.md says %q", name, got, want[name])
		}
	}
}

// TestBuildFromPlainFiles builds from uncompressed copies of the embedded
// files (as the published COG and La Poste files come) and checks it
// answers as the embedded index does.
func TestBuildFromPlainFiles(t *testing.T) {
	t.Parallel()
	entries, err := fs.ReadDir(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	plain := fstest.MapFS{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".gz") {
			continue
		}
		gz, err := embedded.ReadFile("data/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		plain[strings.TrimSuffix(e.Name(), ".gz")] = &fstest.MapFile{Data: raw}
	}
	ix, err := Build(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"St Etienne", "Paris 15e", "75015", "Saint-Denis", "Maroc", "Courcouronnes"} {
		a, b := ix.Resolve(in, "", rppsync.Date{}), Default().Resolve(in, "", rppsync.Date{})
		if a.Status != b.Status || codes(a.Candidates) == nil || (a.Code == nil) != (b.Code == nil) || (a.Code != nil && *a.Code != *b.Code) {
			t.Errorf("%q: plain files give %+v, embedded %+v", in, a, b)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	full := fstest.MapFS{}
	names := []string{fileCommunes, fileMovements, fileComer, fileCountries, filePostal, fileDepartments}
	for _, n := range names {
		b, err := fs.ReadFile(sub, n+".gz")
		if err != nil {
			t.Fatal(err)
		}
		full[n+".gz"] = &fstest.MapFile{Data: b}
	}
	tests := []struct {
		name   string
		change func(fstest.MapFS)
	}{
		{"missing file", func(m fstest.MapFS) { delete(m, fileMovements+".gz") }},
		{"not gzip", func(m fstest.MapFS) { m[fileComer+".gz"] = &fstest.MapFile{Data: []byte("not gzip")} }},
		{"wrong header", func(m fstest.MapFS) {
			delete(m, fileDepartments+".gz")
			m[fileDepartments] = &fstest.MapFile{Data: []byte("DEP,NAME\r\n01,Ain\r\n")}
		}},
		{"short row", func(m fstest.MapFS) {
			delete(m, fileDepartments+".gz")
			m[fileDepartments] = &fstest.MapFile{Data: []byte("DEP,REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE\r\n01,84\r\n")}
		}},
		{"bad commune code", func(m fstest.MapFS) {
			delete(m, fileCommunes+".gz")
			m[fileCommunes] = &fstest.MapFile{Data: []byte("TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\r\nCOM,1,84,01,01D,012,5,A,A,A,0108,\r\n")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fstest.MapFS{}
			for k, v := range full {
				m[k] = v
			}
			tt.change(m)
			if _, err := Build(m); !errors.Is(err, ErrData) {
				t.Errorf("Build = %v, want ErrData", err)
			}
		})
	}
	if _, err := Build(full); err != nil {
		t.Errorf("Build(all files) = %v", err)
	}
}

// TestDataConsistency checks what the resolver relies on in the real data.
func TestDataConsistency(t *testing.T) {
	t.Parallel()
	ix := Default()
	if ix.unended != 0 {
		t.Errorf("the event file leaves %d places open that today's file lacks", ix.unended)
	}
	// data/README.md counts 3,142 strings that are both a postal code and
	// a code of v_commune_2026.csv; that count takes every row type (COM,
	// COMD, COMA, ARM). Counting COM rows only, as the resolver must, gives
	// 2,995.
	both, anyType := 0, 0
	for cp := range ix.postal {
		if len(ix.byCode[cp]) > 0 || slices.ContainsFunc(ix.places, func(p place) bool { return p.kind == kindPart && p.code == cp }) {
			anyType++
		}
		for _, i := range ix.byCode[cp] {
			if p := &ix.places[i]; p.kind == kindCOM && p.current() {
				both++
				break
			}
		}
	}
	if both != 2995 {
		t.Errorf("%d codes are both postal and current COM codes, want 2995", both)
	}
	if anyType < 3142 {
		t.Errorf("%d codes are both postal and INSEE codes of any kind, want at least the README's 3142", anyType)
	}
	// Every commune La Poste serves is a place today (Monaco aside).
	for cp, served := range ix.postal {
		for _, c := range served {
			if c == "99138" {
				continue
			}
			if !slicesContainsCurrent(ix, c) {
				t.Errorf("postal code %s serves %s, which is no commune today", cp, c)
			}
		}
	}
}

func slicesContainsCurrent(ix *Index, code string) bool {
	for _, i := range ix.byCode[code] {
		if ix.places[i].current() {
			return true
		}
	}
	return false
}

// TestEveryCommuneResolves reads today's commune file and checks that each
// commune and arrondissement, typed by its name with its département,
// resolves to its own code (today) and that its code typed alone does too.
func TestEveryCommuneResolves(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads the whole commune file")
	}
	ix := Default()
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	text, err := load(sub, fileCommunes)
	if err != nil {
		t.Fatal(err)
	}
	now := rppsync.Date{Year: 2026, Month: 6, Day: 1}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Scan() // header
	n, failed, both := 0, 0, 0
	for sc.Scan() {
		f := strings.Split(strings.TrimSuffix(sc.Text(), "\r"), ",")
		if f[0] != "COM" && f[0] != "ARM" {
			continue
		}
		n++
		code, dept, name := f[1], f[3], f[9]
		r := ix.Resolve(name, dept, now)
		if r.Status != StatusOK || *r.Code != code {
			if failed++; failed <= 20 {
				t.Errorf("Resolve(%q, %q) = %s %v %v, want %s", name, dept, r.Status, deref(r.Code), codes(r.Candidates), code)
			}
		}
		// A code typed alone is that commune, unless it is also the
		// postal code of other communes: then both readings are
		// candidates, the INSEE one first, and the name typed beside
		// the code decides.
		other := slices.ContainsFunc(ix.postal[code], func(c string) bool { return c != code })
		r = ix.Resolve(code, "", now)
		switch {
		case !other && (r.Status != StatusOK || *r.Code != code):
			if failed++; failed <= 20 {
				t.Errorf("Resolve(%q) = %s %v, want ok", code, r.Status, deref(r.Code))
			}
		case other && (r.Status != StatusAmbiguous || len(r.Candidates) < 2 || r.Candidates[0].Code != code || r.Candidates[0].Reading != ReadingINSEE):
			if failed++; failed <= 20 {
				t.Errorf("Resolve(%q) = %s %v, want ambiguous, its INSEE reading first", code, r.Status, r.Candidates)
			}
		case other:
			both++
			if r := ix.Resolve(code+" "+name, "", now); r.Status != StatusOK || *r.Code != code {
				if failed++; failed <= 20 {
					t.Errorf("Resolve(%q) = %s %v %v, want ok %s", code+" "+name, r.Status, deref(r.Code), codes(r.Candidates), code)
				}
			}
		}
	}
	if n != 34875+45 {
		t.Errorf("read %d communes and arrondissements, want %d", n, 34875+45)
	}
	// TestDataConsistency counts 2,995 codes that are both postal and
	// current COM codes; two of those serve only their own commune.
	if both != 2993 {
		t.Errorf("%d codes typed alone are ambiguous, want 2,993", both)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestEveryOldNameResolves reads the event file and checks that each
// commune named on the "before" side of an event, typed with its
// département on the day before the event, resolves to its code of that
// day (or is among the candidates when homonyms shared the name then).
func TestEveryOldNameResolves(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads the whole event file")
	}
	ix := Default()
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	text, err := load(sub, fileMovements)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Scan() // header
	n, failed := 0, 0
	for sc.Scan() {
		f := strings.Split(strings.TrimSuffix(sc.Text(), "\r"), ",")
		if f[2] != "COM" && f[2] != "ARM" {
			continue
		}
		eff, err := rppsync.ParseISODate(f[1])
		if err != nil {
			t.Fatal(err)
		}
		code, name := f[3], f[7]
		n++
		r := ix.Resolve(name, deptOfCode(code), eff.AddDays(-1))
		// Pont-Farcy became 50649 and merged the same day: the day before,
		// it was 14513, of the same lineage.
		ok := (r.Status == StatusOK && (*r.Code == code || sameLineage(ix, *r.Code, code))) ||
			(r.Status == StatusAmbiguous && slices.Contains(codes(r.Candidates), code))
		if !ok {
			if failed++; failed <= 20 {
				t.Errorf("Resolve(%q, %q, %s) = %s %s %v, want %s", name, deptOfCode(code), eff.AddDays(-1), r.Status, deref(r.Code), codes(r.Candidates), code)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d old names fail", failed, n)
	}
}

// sameLineage reports whether two codes named one commune under one name
// (a change of département).
func sameLineage(ix *Index, a, b string) bool {
	for _, i := range ix.byCode[a] {
		for _, j := range ix.byCode[b] {
			if ix.places[i].group == ix.places[j].group {
				return true
			}
		}
	}
	return false
}
