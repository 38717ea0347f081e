package directory

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/internal/dirtest"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// Homonyms: last names sharing keys (one letter apart, compound, spaced,
// accented) and a few first names, some close to each other.
var (
	oracleLasts  = []string{"MARTIN", "MARTINS", "MARTIM", "MARIN", "BERNARD", "BERNARDI", "DUBOIS", "DUBOS", "LEFÈVRE", "LEFEVRE", "LE GALL", "LEGALL", "PETIT", "PETITJEAN", "NGUYEN", "GARCIA", "GARCIAS", "ROUX"}
	oracleFirsts = []string{"MARIE", "MARIA", "MARION", "JEAN", "JEANNE", "JEAN-PIERRE", "PIERRE", "SOPHIE", "CLAIRE", "CLARA", "LUCAS", "LUC", "THI MAI", "ÉLODIE"}
)

// oraclePerson is one professional of the generated extract.
type oraclePerson struct {
	rpps, last, first string
	row               []string // the fixture line their lines are made from
}

// writeHomonyms writes an extract of people professionals with one to four
// activities each, named from oracleLasts and oracleFirsts. A third of the
// second and later activities are written about a thousand lines after
// the first, so that a person's lines are cut apart by block ends; ADELI,
// bad and Windows-1252 lines are mixed in. Site names are padded so that
// the extract spans three blocks.
func writeHomonyms(t *testing.T, path string, people int, seed uint64) []oraclePerson {
	t.Helper()
	header, rows := fixtureParts(t)
	rng := rand.New(rand.NewPCG(seed, 3))
	var b bytes.Buffer
	b.Write(header)
	var pending []string
	var ps []oraclePerson
	pad := strings.Repeat("P", 420)
	for i := range people {
		p := oraclePerson{
			rpps: rppsFromSeq(50_000 + i), last: oracleLasts[rng.IntN(len(oracleLasts))],
			first: oracleFirsts[rng.IntN(len(oracleFirsts))], row: rows[rng.IntN(len(rows))],
		}
		ps = append(ps, p)
		for act := range 1 + rng.IntN(4) {
			f := slices.Clone(rows[rng.IntN(len(rows))]) // the site of this activity
			f[0], f[1], f[2], f[7], f[8] = "8", p.rpps, "8"+p.rpps, p.last, p.first
			f[9], f[10] = p.row[9], p.row[10] // one profession per person
			f[24] = fmt.Sprintf("SITE %d-%d %s", i, act, pad)
			if p.last == "LEFÈVRE" && rng.IntN(2) == 0 {
				f[7] = "LEF\xc8VRE" // Windows-1252
			}
			line := strings.Join(f, "|")
			switch {
			case rng.IntN(60) == 0:
				b.WriteString("0|259912345|0259912345|" + strings.Join(f[3:], "|") + "\n") // ADELI
			case rng.IntN(80) == 0:
				b.WriteString(strings.Join(f[:20], "|") + "\n") // field_count
			}
			if act > 0 && rng.IntN(3) == 0 {
				pending = append(pending, line)
				continue
			}
			b.WriteString(line)
			b.WriteString([]string{"\n", "\r\n"}[rng.IntN(2)])
		}
		if len(pending) > 300 {
			for _, l := range pending {
				b.WriteString(l + "\n")
			}
			pending = pending[:0]
		}
	}
	for _, l := range pending {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return ps
}

// typo changes one letter of s (not its first).
func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 4 {
		return s + "E"
	}
	i := 1 + rng.IntN(len(r)-1)
	switch rng.IntN(3) {
	case 0:
		r[i] = 'X'
	case 1:
		r = append(r[:i], r[i+1:]...)
	default:
		r = slices.Insert(r, i, 'A')
	}
	return string(r)
}

// homonymRows makes agency rows about ps: with their RPPS (exact names, a
// typo, someone else's name), with an RPPS absent from the extract, with
// an invalid one, and without one (exact, lower case without accents, a
// typo in either name, swapped names, a usage name, a close or an
// unrelated first name, a profession and FINESS or none), and people
// absent from the extract.
func homonymRows(ps []oraclePerson, n int, seed uint64) []rppsync.Record {
	rng := rand.New(rand.NewPCG(seed, 5))
	profs := map[string]string{"10": "Médecin", "60": "IDE", "50": "Sage-femme", "40": "Chirurgien-dentiste", "70": "Kiné", "96": "Psychomotricien"}
	var recs []rppsync.Record
	for i := range n {
		p := ps[rng.IntN(len(ps))]
		last, first, id := p.last, p.first, ""
		prof := profs[p.row[9]]
		finess := ""
		if rng.IntN(3) == 0 {
			finess = p.row[21]
			if rng.IntN(4) == 0 {
				finess = p.row[22] // the legal entity's, as agencies sometimes give it
			}
		}
		switch rng.IntN(16) {
		case 0:
			id = p.rpps
		case 1:
			id, last = p.rpps, typo(rng, last)
		case 2:
			id = ps[rng.IntN(len(ps))].rpps // someone else's, most likely
		case 3:
			id = rppsFromSeq(90_000 + i) // absent from the extract
		case 4:
			id = p.rpps[:10] + string('0'+(p.rpps[10]-'0'+1)%10) // invalid
		case 5:
			last, first = strings.ToLower(namekey.Fold(last)), strings.ToLower(namekey.Fold(first))
		case 6:
			last = typo(rng, last)
		case 7:
			first = typo(rng, first)
		case 8:
			last, first = first, last // swapped columns
		case 9:
			first = oracleFirsts[rng.IntN(len(oracleFirsts))] // a close or an unrelated first name
		case 10:
			last = oracleLasts[rng.IntN(len(oracleLasts))] + " " + "ZYX" // compound, one part known
		case 11:
			last, first = "AUBERGINE", "ZOÉ" // absent
		case 12:
			prof = ""
		}
		r := agencyRow(i+2, last, first, id, prof)
		r.FINESS = finess
		if rng.IntN(20) == 0 {
			r.UsageName = rppsync.Name{Display: last, Folded: namekey.Fold(last)}
			r.LastName = rppsync.Name{Display: "NOMDENAISSANCE", Folded: "NOMDENAISSANCE"}
		}
		recs = append(recs, r)
	}
	return recs
}

// fullDirectory is every professional of an extract, answering ByNameKeys
// with everyone under the keys, as the matcher.Directory interface allows:
// it ignores NameSearch.Keep.
type fullDirectory struct {
	byRPPS map[string]rppsync.Professional
	byKey  map[string][]rppsync.Professional
}

// readFullDirectory reads every line of the extract at path with Next: the
// professionals with the names and profession of their first line and
// their activities in file order, indexed by NameKeys of their last name.
func readFullDirectory(t *testing.T, path string) *fullDirectory {
	t.Helper()
	lines, _ := readAll(t, readFile(t, path))
	d := &fullDirectory{byRPPS: map[string]rppsync.Professional{}, byKey: map[string][]rppsync.Professional{}}
	var order []string
	for _, l := range lines {
		p, ok := d.byRPPS[l.ID]
		if !ok {
			p = rppsync.Professional{RPPS: l.ID, LastName: l.LastName, FirstName: l.FirstName,
				ProfessionCode: l.ProfessionCode, ProfessionLabel: l.ProfessionLabel}
			order = append(order, l.ID)
		}
		p.Activities = append(p.Activities, l.Activity())
		d.byRPPS[l.ID] = p
	}
	slices.Sort(order)
	for _, id := range order {
		p := d.byRPPS[id]
		for _, k := range namekey.Keys(namekey.Fold(p.LastName)) {
			d.byKey[k] = append(d.byKey[k], p)
		}
	}
	return d
}

func (d *fullDirectory) Professionals(_ context.Context, rpps []string) (map[string]rppsync.Professional, error) {
	out := map[string]rppsync.Professional{}
	for _, r := range rpps {
		if p, ok := d.byRPPS[r]; ok {
			out[r] = p
		}
	}
	return out, nil
}

// JuridiqueSites is the oracle of Memory.JuridiqueSites and of the
// database's: from every activity of the extract.
func (d *fullDirectory) JuridiqueSites(_ context.Context, finess []string) (map[string][]rppsync.Site, error) {
	return dirtest.JuridiqueSites(d.byRPPS, finess), nil
}

func (d *fullDirectory) ByNameKeys(_ context.Context, s *matcher.NameSearch) (map[string][]rppsync.Professional, error) {
	out := map[string][]rppsync.Professional{}
	for _, k := range s.Keys() {
		if ps := d.byKey[k]; len(ps) > 0 {
			out[k] = ps
		}
	}
	return out, nil
}

// gated is what ByNameKeys must answer for s: per key, the professionals
// under it that s.Keep accepts.
func (d *fullDirectory) gated(s *matcher.NameSearch) map[string][]rppsync.Professional {
	gate := s.Clone()
	out := map[string][]rppsync.Professional{}
	for _, k := range s.Keys() {
		for _, p := range d.byKey[k] {
			if gate.Keep(p.LastName, p.FirstName) {
				out[k] = append(out[k], p)
			}
		}
	}
	return out
}

// dropping is a Directory that loses one professional from its name
// answers: what a load that dropped a candidate would give.
type dropping struct {
	matcher.Directory
	rpps string
}

func (d dropping) ByNameKeys(ctx context.Context, s *matcher.NameSearch) (map[string][]rppsync.Professional, error) {
	byKey, err := d.Directory.ByNameKeys(ctx, s)
	for k, ps := range byKey {
		byKey[k] = slices.DeleteFunc(slices.Clone(ps), func(p rppsync.Professional) bool { return p.RPPS == d.rpps })
	}
	return byKey, err
}

// diffVerdicts describes the rows whose verdicts differ.
func diffVerdicts(got, want []rppsync.Verdict) []string {
	var d []string
	if len(got) != len(want) {
		return []string{fmt.Sprintf("%d verdicts, want %d", len(got), len(want))}
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			d = append(d, fmt.Sprintf("row %d: %s %v, want %s %v", want[i].Row, got[i].Status, got[i].Candidates, want[i].Status, want[i].Candidates))
		}
	}
	return d
}

func check(t *testing.T, dir matcher.Directory, recs []rppsync.Record) []rppsync.Verdict {
	t.Helper()
	m, err := matcher.New(matcher.Config{Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.Check(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLoadFilteredAnswersLikeTheWholeExtract: the Memory that LoadFiltered
// builds for a batch of agency rows answers Professionals and ByNameKeys
// as the whole extract read with Next does, and a matcher over it gives
// the verdicts that a matcher over every professional of the extract
// (ungated) gives.
func TestLoadFilteredAnswersLikeTheWholeExtract(t *testing.T) {
	ctx := context.Background()
	// Many rows search nearly every name of the extract; few leave most
	// people to the gate.
	for _, tt := range []struct {
		seed uint64
		rows int
	}{{1, 400}, {2, 150}, {3, 40}} {
		seed := tt.seed
		t.Run(fmt.Sprintf("seed %d, %d rows", tt.seed, tt.rows), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "homonyms.txt")
			people := writeHomonyms(t, path, 2600, seed)
			full := readFullDirectory(t, path)
			recs := homonymRows(people, tt.rows, seed)
			w := matcher.NewWanted(0, len(recs))
			w.Add(recs)
			rpps, names := w.Result()
			m, st, err := LoadFilteredSites(ctx, path, rpps, names, w.FINESS())
			if err != nil {
				t.Fatal(err)
			}

			// JuridiqueSites: the extract's, for every FINESS of the rows.
			gotSites, err := m.JuridiqueSites(ctx, w.FINESS())
			if err != nil {
				t.Fatal(err)
			}
			wantSites, _ := full.JuridiqueSites(ctx, w.FINESS())
			if !reflect.DeepEqual(gotSites, wantSites) || len(wantSites) == 0 {
				t.Errorf("JuridiqueSites = %+v\nwant %+v (not empty: some rows give a legal entity's FINESS)", gotSites, wantSites)
			}
			if st.Bytes < 2*blockSize || st.Bad == 0 || st.ADELI == 0 || st.Recoded == 0 {
				t.Fatalf("the extract lacks a kind of line or is too small: %+v", st)
			}

			// Professionals: exactly the extract's, for every RPPS asked.
			gotByID, err := m.Professionals(ctx, rpps)
			if err != nil {
				t.Fatal(err)
			}
			wantByID, _ := full.Professionals(ctx, rpps)
			if !reflect.DeepEqual(gotByID, wantByID) {
				t.Errorf("Professionals: %d found, the extract has %d", len(gotByID), len(wantByID))
				for id, p := range wantByID {
					if !reflect.DeepEqual(gotByID[id], p) {
						t.Errorf("RPPS %s:\n got %+v\nwant %+v", id, gotByID[id], p)
						break
					}
				}
			}

			// ByNameKeys: per key, those of the extract the gate accepts.
			gotByKey, err := m.ByNameKeys(ctx, names)
			if err != nil {
				t.Fatal(err)
			}
			wantByKey := full.gated(names)
			if !reflect.DeepEqual(gotByKey, wantByKey) {
				t.Errorf("ByNameKeys: %d keys, %d pairs; the extract gives %d keys, %d pairs",
					len(gotByKey), countPairs(gotByKey), len(wantByKey), countPairs(wantByKey))
				for k, ps := range wantByKey {
					if !reflect.DeepEqual(gotByKey[k], ps) {
						t.Errorf("key %s: got %d professionals, want %d", k, len(gotByKey[k]), len(ps))
						break
					}
				}
			}
			all, _ := full.ByNameKeys(ctx, names)
			if countPairs(all) <= countPairs(wantByKey) {
				t.Errorf("the gate kept all %d (key, professional) pairs: the case proves nothing about it", countPairs(all))
			}

			// The verdicts: the same over the Memory as over everyone.
			want := check(t, full, recs)
			got := check(t, m, recs)
			if d := diffVerdicts(got, want); len(d) > 0 {
				t.Errorf("%d verdicts differ from an unfiltered directory's, first: %s", len(d), d[0])
			}
			statuses := map[rppsync.Status]int{}
			candidates := 0
			var someCandidate string
			for _, v := range want {
				statuses[v.Status]++
				candidates += len(v.Candidates)
				if len(v.Candidates) > 0 && someCandidate == "" {
					someCandidate = v.Candidates[0].RPPS
				}
			}
			t.Logf("statuses %v, %d candidates, %d professionals kept of %d", statuses, candidates, m.Len(), len(full.byRPPS))
			for _, s := range []rppsync.Status{rppsync.StatusMatched, rppsync.StatusCandidate, rppsync.StatusIdentityMismatch, rppsync.StatusRPPSUnknown} {
				if statuses[s] == 0 && tt.rows >= 150 {
					t.Errorf("no %s verdict: the rows do not exercise it", s)
				}
			}
			if candidates < tt.rows {
				t.Errorf("only %d candidates: the rows do not exercise the search", candidates)
			}
			// The comparison can fail: a directory that loses one candidate
			// gives other verdicts.
			if d := diffVerdicts(check(t, dropping{m, someCandidate}, recs), want); len(d) == 0 {
				t.Errorf("dropping candidate %s changed no verdict: the comparison cannot fail", someCandidate)
			}
		})
	}
}
