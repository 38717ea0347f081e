package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	fixtureDir    = "../fixtures/directory"
	firstExtract  = fixtureDir + "/PS_LibreAcces_Personne_activite_202611200800.txt"
	secondExtract = fixtureDir + "/PS_LibreAcces_Personne_activite_202611270800.txt"
	badExtract    = fixtureDir + "/bad/PS_LibreAcces_Personne_activite_202611200800.txt"
	cardExtract   = fixtureDir + "/Porteurs_CPS_CPF_202611200800.txt"
	legacyExtract = "testdata/PS_LibreAcces_Personne_activite.legacy52.txt"
)

// readAll reads every kept line of an activity extract given as bytes.
func readAll(t testing.TB, data []byte) ([]Line, Stats) {
	t.Helper()
	ar, err := NewActivityReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewActivityReader: %v", err)
	}
	var lines []Line
	for ar.Next() {
		lines = append(lines, ar.Line())
	}
	if err := ar.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return lines, ar.Stats()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ids(lines []Line) string {
	var s []string
	for _, l := range lines {
		s = append(s, l.ID)
	}
	return strings.Join(s, ",")
}

func TestActivityReaderFiles(t *testing.T) {
	tests := []struct {
		name                             string
		path                             string
		lines, kept, bad, adeli, recoded int
		wantIDs                          string
	}{
		{"first 56 columns", firstExtract, 13, 13, 0, 0, 0,
			"10999000010,10999000028,10999000028,10999000036,10999000044,10999000051,10999000069,10999000077,10999000085,10999000093,10999000101,10999000119,10999000119"},
		{"second 56 columns", secondExtract, 15, 15, 0, 0, 0,
			"10999000010,10999000010,10999000028,10999000028,10999000044,10999000051,10999000069,10999000077,10999000085,10999000093,10999000101,10999000119,10999000119,10999000135,10999000143"},
		{"legacy 52 columns", legacyExtract, 2, 1, 0, 1, 0, "10999000010"},
		{"bad lines", badExtract, 9, 4, 4, 1, 1, "10999000010,10999000119,10999000036,10999000044"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFile(t, tt.path)
			lines, st := readAll(t, data)
			if got := ids(lines); got != tt.wantIDs {
				t.Errorf("ids = %s, want %s", got, tt.wantIDs)
			}
			if st.Lines != tt.lines || st.Kept != tt.kept || st.Bad != tt.bad || st.ADELI != tt.adeli || st.Recoded != tt.recoded {
				t.Errorf("stats = %+v, want lines %d kept %d bad %d adeli %d recoded %d",
					st, tt.lines, tt.kept, tt.bad, tt.adeli, tt.recoded)
			}
			if st.Bytes != int64(len(data)) {
				t.Errorf("Bytes = %d, want %d", st.Bytes, len(data))
			}
			if st.Kept+st.Bad+st.ADELI != st.Lines {
				t.Errorf("kept+bad+adeli = %d, lines %d", st.Kept+st.Bad+st.ADELI, st.Lines)
			}
		})
	}
}

func TestActivityReaderValues(t *testing.T) {
	lines, _ := readAll(t, readFile(t, firstExtract))
	dupont := lines[2]
	want := Line{
		IDType: "8", ID: "10999000028", NationalID: "810999000028", Civility: "M",
		LastName: "DUPONT", FirstName: "JEAN-PIERRE", ProfessionCode: "10", ProfessionLabel: "Médecin",
		CategoryCode: "C", ModeCode: "S", SIRETSite: "69099990000010", FinessSite: "690999909",
		FinessJuridique: "690999917", StructureID: "F690999909", SiteName: "HOPITAL FICTIF LYON SUD",
		CommuneCode: "69123",
	}
	if dupont != want {
		t.Errorf("DUPONT at CH-B:\n got %+v\nwant %+v", dupont, want)
	}
	liberal := lines[12]
	if liberal.ModeCode != "L" || liberal.FinessSite != "" || liberal.StructureID != "C33899900000015" {
		t.Errorf("liberal activity = %+v", liberal)
	}

	second, _ := readAll(t, readFile(t, secondExtract))
	bernard := second[13]
	if bernard.LastName != "BERNARD" || bernard.ProfessionCode != "" || bernard.RoleCode != "313" {
		t.Errorf("BERNARD (role-based) = %+v", bernard)
	}

	legacy, _ := readAll(t, readFile(t, legacyExtract))
	if l := legacy[0]; l.LastName != "EXEMPLE" || l.FinessSite != "250999901" || l.CommuneCode != "25462" || l.RoleCode != "" {
		t.Errorf("legacy line = %+v", l)
	}
}

func TestActivityReaderBadLines(t *testing.T) {
	lines, st := readAll(t, readFile(t, badExtract))
	wantSamples := []struct {
		line int
		code string
	}{{3, "field_count"}, {4, "rpps_invalid"}, {5, "id_type"}, {6, "name_missing"}}
	if len(st.Samples) != len(wantSamples) {
		t.Fatalf("samples = %+v", st.Samples)
	}
	for i, w := range wantSamples {
		if s := st.Samples[i]; s.Line != w.line || s.Code != w.code || s.Reason == "" {
			t.Errorf("sample %d = %+v, want line %d code %s", i, s, w.line, w.code)
		}
	}
	if got := lines[1].SiteName; got != `CABINET "LES TILLEULS` {
		t.Errorf("stray quote: site name = %q", got)
	}
	if got := lines[2].LastName; got != "LEFÈVRE" {
		t.Errorf("Windows-1252 line: last name = %q", got)
	}
}

func TestActivityReaderSampleLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(strings.Join(activityCols[:], "|") + "|\n")
	for range DefaultMaxSamples + 5 {
		b.WriteString("8|123|\n")
	}
	_, st := readAll(t, b.Bytes())
	if st.Bad != DefaultMaxSamples+5 || len(st.Samples) != DefaultMaxSamples {
		t.Errorf("bad %d, samples %d", st.Bad, len(st.Samples))
	}
}

// reshape rewrites an extract with its columns in order perm (indexes into
// the original columns) plus extra trailing columns filled with fill.
func reshape(t *testing.T, data []byte, perm []int, extra []string, fill string) []byte {
	t.Helper()
	var out bytes.Buffer
	for i, raw := range bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n")) {
		f := strings.Split(strings.TrimSuffix(string(raw), "|"), "|")
		var g []string
		for _, p := range perm {
			g = append(g, f[p])
		}
		for _, e := range extra {
			if i == 0 {
				g = append(g, e)
			} else {
				g = append(g, fill)
			}
		}
		out.WriteString(strings.Join(g, "|") + "|\n")
	}
	return out.Bytes()
}

func TestActivityReaderColumnsByName(t *testing.T) {
	data := readFile(t, firstExtract)
	want, _ := readAll(t, data)
	perm := make([]int, 56)
	for i := range perm {
		perm[i] = 55 - i // reversed order
	}
	got, st := readAll(t, reshape(t, data, perm, []string{"Colonne future", "Autre ajout"}, `x"y`))
	if st.Bad != 0 || len(got) != len(want) {
		t.Fatalf("reversed + appended: %d lines, stats %+v", len(got), st)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestActivityReaderMissingColumns(t *testing.T) {
	data := readFile(t, firstExtract)
	var keep []int
	for i := range 56 {
		if i != 7 && i != 21 { // Nom d'exercice, Numéro FINESS site
			keep = append(keep, i)
		}
	}
	_, err := NewActivityReader(bytes.NewReader(reshape(t, data, keep, nil, "")))
	var he *HeaderError
	if !errors.Is(err, ErrMissingColumns) || !errors.As(err, &he) {
		t.Fatalf("err = %v, want a HeaderError", err)
	}
	if strings.Join(he.Missing, ",") != ColLastName+","+ColFinessSite {
		t.Errorf("missing = %q", he.Missing)
	}
	if _, err := NewActivityReader(strings.NewReader("")); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty input: err = %v", err)
	}
	if _, err := NewActivityReader(strings.NewReader("\xef\xbb\xbf\r\n\r\n")); !errors.Is(err, ErrEmpty) {
		t.Errorf("BOM only: err = %v", err)
	}
}

func TestActivityReaderLongLineAndNoFinalNewline(t *testing.T) {
	data := readFile(t, firstExtract)
	perm := make([]int, 56)
	for i := range perm {
		perm[i] = i
	}
	long := strings.Repeat("É", readBufferSize) // a field longer than the read buffer
	wide := bytes.TrimRight(reshape(t, data, perm, []string{"Commentaire"}, long), "\n")
	lines, st := readAll(t, wide)
	if len(lines) != 13 || st.Bad != 0 {
		t.Fatalf("%d lines, stats %+v", len(lines), st)
	}
	if lines[12].ID != "10999000119" {
		t.Errorf("last line without newline: %+v", lines[12])
	}
}

func TestValidRPPS(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"10999000010", true}, {"10100271385", true}, {"10999000011", false},
		{"1099900001", false}, {"810999000010", false}, {"20999000017", false},
		{"1099900001a", false}, {"", false},
	}
	for _, tt := range tests {
		if got := ValidRPPS(tt.in); got != tt.want {
			t.Errorf("ValidRPPS(%q) = %v", tt.in, got)
		}
	}
}

func FuzzActivityReader(f *testing.F) {
	head := readFile(f, firstExtract)
	header := head[:bytes.IndexByte(head, '\n')+1]
	f.Add(head[len(header):])
	f.Add(readFile(f, badExtract))
	f.Add([]byte("8|10999000010|||\n0|1|\n|||||\n"))
	f.Add([]byte("\xc8\xff|\"|\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(append([]byte(nil), header...), body...)
		ar, err := NewActivityReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("header rejected: %v", err)
		}
		for ar.Next() {
			l := ar.Line()
			if !ValidRPPS(l.ID) || l.IDType != "8" || strings.TrimSpace(l.LastName) == "" {
				t.Fatalf("invalid line kept: %+v", l)
			}
			if !utf8.ValidString(l.LastName + l.FirstName + l.SiteName) {
				t.Fatalf("invalid UTF-8 kept: %+v", l)
			}
		}
		if err := ar.Err(); err != nil {
			t.Fatalf("Err on an in-memory input: %v", err)
		}
		st := ar.Stats()
		if st.Kept+st.Bad+st.ADELI != st.Lines || st.Bytes != int64(len(data)) {
			t.Fatalf("inconsistent stats %+v for %d bytes", st, len(data))
		}
	})
}

func BenchmarkActivityReader(b *testing.B) {
	path := filepath.Join(b.TempDir(), "PS_LibreAcces_Personne_activite_202611200800.txt")
	writeSynthetic(b, path, 200_000)
	data := readFile(b, path)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ar, err := NewActivityReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for ar.Next() {
			n++
		}
		if ar.Err() != nil || n != 200_000 {
			b.Fatalf("read %d lines, err %v", n, ar.Err())
		}
	}
}

// TestActivityReaderNameTooLong: a line whose last or first name exceeds
// maxNameBytes is a bad line (name_too_long), in both readers; one at the
// limit is kept.
func TestActivityReaderNameTooLong(t *testing.T) {
	good := bytes.Split(readFile(t, firstExtract), []byte("\n"))
	header, line := string(good[0]), strings.Split(strings.TrimRight(string(good[1]), "\r"), "|")
	var b strings.Builder
	b.WriteString(header + "\n")
	for i, name := range [][2]string{
		{strings.Repeat("A", maxNameBytes), "CLAIRE"},
		{strings.Repeat("A", maxNameBytes+1), "CLAIRE"},
		{"MARTIN", strings.Repeat("É", 101)},        // 202 bytes
		{strings.Repeat("MARTIN", 1<<18), "CLAIRE"}, // 1.5 MB, longer than a block
	} {
		f := slices.Clone(line)
		f[1] = rppsFromSeq(i + 1)
		f[2] = "8" + f[1]
		f[7], f[8] = name[0], name[1]
		b.WriteString(strings.Join(f, "|") + "\n")
	}
	lines, st := readAll(t, []byte(b.String()))
	if len(lines) != 1 || lines[0].ID != rppsFromSeq(1) {
		t.Fatalf("kept %d lines, want only the name at the limit", len(lines))
	}
	var codes []string
	for _, s := range st.Samples {
		codes = append(codes, fmt.Sprintf("%d:%s", s.Line, s.Code))
	}
	if got := strings.Join(codes, ","); got != "3:name_too_long,4:name_too_long,5:name_too_long" || st.Bad != 3 {
		t.Errorf("bad lines %d: %s", st.Bad, got)
	}
	// The parallel reader of check --directory says the same.
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202611200800.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mem, pst, err := LoadFiltered(context.Background(), path, []string{rppsFromSeq(1), rppsFromSeq(2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pst.Bad != 3 || mem.Len() != 1 {
		t.Errorf("LoadFiltered: %d bad lines, %d professionals kept", pst.Bad, mem.Len())
	}
}
