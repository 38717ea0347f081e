package matcher

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	edlib "github.com/hbollon/go-edlib"
	"github.com/rppsync/rppsync"
)

func TestWithinOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"MARU", "MARU", true},
		{"MARU", "MAJU", true}, // a letter replaced
		{"NOEL", "NQEL", true}, // (accents are folded before)
		{"BOTA", "BBTA", true}, // a letter replaced by its neighbour
		{"ROY", "ROI", true},   // a three-letter name
		{"ROY", "RO", true},    // a letter dropped at the end
		{"ROY", "OY", true},    // at the start
		{"NOEL", "NOL", true},  // in the middle
		{"REY", "REEY", true},  // a letter added
		{"DIAZ", "DAIZ", true}, // two neighbours swapped
		{"DIAZ", "DIZA", true}, // at the end
		{"LY", "LI", true},     // a two-letter name
		{"LE GALL", "LEGAL", true},
		{"LEGALL", "LE GALL", true}, // spaces aside
		{"MARU", "MAJO", false},     // two letters replaced
		{"DIAZ", "ZAID", false},
		{"ROY", "R", false},
		{"ROY", "ROYER", false},
		{"ABC", "CAB", false},
		{"ABCD", "BADC", false}, // two transpositions
		{"", "A", false},
		{"A", "", false},
		{"", "", false},
		{"NOËL", "NOEL", true},
		{"NOËL", "NÖËL", true},
		{"ÉLOÏSE", "ELOÏSE", true},
		{"ÉLOÏSE", "ÉLOSÏE", true},
	} {
		if got := withinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := withinOneEdit(c.b, c.a); got != c.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

// FuzzWithinOneEdit checks withinOneEdit against go-edlib's optimal
// string alignment distance of the names without spaces.
func FuzzWithinOneEdit(f *testing.F) {
	for _, s := range [][2]string{{"MARU", "MAJU"}, {"ROY", "RO"}, {"DIAZ", "DAIZ"}, {"NOËL", "NQËL"}, {"LE GALL", "LEGAL"},
		{"ABCD", "BADC"}, {"", "A"}, {"AB", "BA"}, {"ÉÈ", "ÈÉ"}, {"\xff", "A"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		// withinOneEdit is given folded names: valid UTF-8.
		a, b = strings.ToValidUTF8(a, "?"), strings.ToValidUTF8(b, "?")
		ac, bc := strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", "")
		want := ac != "" && bc != "" && edlib.OSADamerauLevenshteinDistance(ac, bc) <= 1
		if got := withinOneEdit(a, b); got != want {
			t.Fatalf("withinOneEdit(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}

// TestOneEditRule: a row whose surname is one edit from a directory
// person's, whatever its length, is a candidate when its first name,
// profession and structure agree with theirs, and only then; through a
// directory that returns only what the NameSearch keeps, and one that
// returns everyone under the keys.
func TestOneEditRule(t *testing.T) {
	mk := func(i int, last, first, prof string) rppsync.Professional {
		return rppsync.Professional{RPPS: withCheckDigit("10777770" + itoa(10+i)), LastName: last, FirstName: first,
			ProfessionCode: prof, ProfessionLabel: map[string]string{"60": "Infirmier", "10": "Médecin"}[prof],
			Activities: []rppsync.Activity{{FinessSite: finessSite, FinessJuridique: finessJur}}}
	}
	pros := []rppsync.Professional{
		mk(0, "MARU", "NATHALIE", "60"),
		mk(1, "NOËL", "STÉPHANE", "60"),
		mk(2, "BOTA", "HÉLÈNE", "60"),
		mk(3, "ROY", "JULIE", "10"),
		mk(4, "DIAZ", "KARIM", "60"),
		mk(5, "LY", "THI MAI", "60"),
		mk(6, "GAY", "MARIE", "60"),
	}
	for _, c := range []struct {
		name                     string
		last, usage, first, prof string
		finess                   string
		want                     string // the RPPS of the first candidate; "" for to_register
		reason                   string // a reason the candidate must show
	}{
		{"substitution", "MAJU", "", "Nathalie", "IDE", finessSite, pros[0].RPPS, reasonOneEdit},
		{"substitution, accent", "NQËL", "", "Stéphane", "Infirmier", finessSite, pros[1].RPPS, reasonOneEdit},
		{"substitution, no accent", "nqel", "", "stephane", "IDE", finessSite, pros[1].RPPS, reasonOneEdit},
		{"second letter", "BBTA", "", "Hélène", "IDE", finessSite, pros[2].RPPS, reasonOneEdit},
		{"first letter", "TOTA", "", "Hélène", "IDE", finessSite, pros[2].RPPS, reasonOneEdit},
		{"three letters", "ROI", "", "Julie", "Médecin", finessSite, pros[3].RPPS, reasonOneEdit},
		{"deletion to two letters", "RO", "", "Julie", "Médecin", finessSite, pros[3].RPPS, reasonOneEdit},
		{"deletion to three letters", "NOL", "", "Stéphane", "IDE", finessSite, pros[1].RPPS, ""},
		{"insertion", "GAYE", "", "Marie", "IDE", finessSite, pros[6].RPPS, ""},
		{"transposition", "DAIZ", "", "Karim", "IDE", finessSite, pros[4].RPPS, ""},
		{"transposition, first letters", "IDAZ", "", "Karim", "IDE", finessSite, pros[4].RPPS, ""},
		{"two letters", "LI", "", "Thi Mai", "IDE", finessSite, pros[5].RPPS, reasonOneEdit},
		{"usage name", "BERTHIER", "MAJU", "Nathalie", "IDE", finessSite, pros[0].RPPS, reasonOneEditUsage},
		{"at the legal entity", "MAJU", "", "Nathalie", "IDE", finessJur, pros[0].RPPS, reasonOneEdit},
		{"several first names", "MAJU", "", "Nathalie Claire", "IDE", finessSite, pros[0].RPPS, reasonOneEdit},
		{"other structure", "MAJU", "", "Nathalie", "IDE", "750000019", "", ""},
		{"no structure", "MAJU", "", "Nathalie", "IDE", "", "", ""},
		{"other profession", "MAJU", "", "Nathalie", "Médecin", finessSite, "", ""},
		{"no profession", "MAJU", "", "Nathalie", "", finessSite, "", ""},
		{"other first name", "MAJU", "", "Natacha", "IDE", finessSite, "", ""},
		{"first name with a typo", "MAJU", "", "Natalie", "IDE", finessSite, "", ""},
		{"two edits", "MAJO", "", "Nathalie", "IDE", finessSite, "", ""},
		{"two edits, short", "RIE", "", "Julie", "Médecin", finessSite, "", ""},
	} {
		r := rec(3, "", c.last, c.first, c.prof)
		r.UsageName, r.FINESS = name(c.usage), c.finess
		for _, ungated := range []bool{false, true} {
			dir := newMapDirectory(pros)
			dir.ungated = ungated
			m, err := New(Config{Directory: dir})
			if err != nil {
				t.Fatal(err)
			}
			vs, err := m.Check(context.Background(), []rppsync.Record{r})
			if err != nil {
				t.Fatal(err)
			}
			v := vs[0]
			got := ""
			if len(v.Candidates) > 0 {
				got = v.Candidates[0].RPPS
			}
			if got != c.want {
				t.Errorf("%s (ungated %v): first candidate %q, want %q: %s %+v", c.name, ungated, got, c.want, v.Status, v.Candidates)
				continue
			}
			if c.want == "" {
				if v.Status != rppsync.StatusToRegister {
					t.Errorf("%s: status %s, want to_register", c.name, v.Status)
				}
				continue
			}
			cand := v.Candidates[0]
			if v.Status != rppsync.StatusCandidate || cand.Score < DefaultMinScore {
				t.Errorf("%s: status %s, score %v", c.name, v.Status, cand.Score)
			}
			if c.reason != "" && !slices.Contains(cand.Reasons, c.reason) {
				t.Errorf("%s: reasons %q lack %q", c.name, cand.Reasons, c.reason)
			}
			if !slices.Contains(cand.Reasons, "même profession") || !slices.Contains(cand.Reasons, "exerce dans la structure (FINESS)") {
				t.Errorf("%s: reasons %q", c.name, cand.Reasons)
			}
		}
	}
}

// TestOneEditRuleRanksBelowTheExactName: a directory person with the
// row's exact name comes before one met by the one-edit rule.
func TestOneEditRuleRanksBelowTheExactName(t *testing.T) {
	act := []rppsync.Activity{{FinessSite: finessSite}}
	roy := rppsync.Professional{RPPS: withCheckDigit("1077777101"), LastName: "ROY", FirstName: "JULIE", ProfessionCode: "60", Activities: act}
	rey := rppsync.Professional{RPPS: withCheckDigit("1077777102"), LastName: "REY", FirstName: "JULIE", ProfessionCode: "60", Activities: act}
	m, _ := New(Config{Directory: newMapDirectory([]rppsync.Professional{roy, rey})})
	vs, err := m.Check(context.Background(), []rppsync.Record{rec(3, "", "Rey", "Julie", "IDE")})
	if err != nil {
		t.Fatal(err)
	}
	c := vs[0].Candidates
	if len(c) != 2 || c[0].RPPS != rey.RPPS || c[1].RPPS != roy.RPPS || c[0].Score <= c[1].Score {
		t.Fatalf("candidates %+v; want REY then ROY", c)
	}
}

// FuzzSimilarities: jaroWinkler and osaDistance give go-edlib's results,
// to the bit.
func FuzzSimilarities(f *testing.F) {
	for _, s := range [][2]string{{"MARTIN", "MARTNI"}, {"MARU", "MAJU"}, {"", "A"}, {"A", ""}, {"NOËL", "NQËL"}, {"AB", "BA"},
		{"DIXON", "DICKSONX"}, {"JEAN PIERRE", "JEANPIERRE"}, {strings.Repeat("AB", 40), strings.Repeat("BA", 40)}, {"\xff\xfe", "A"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := jaroWinkler(a, b), edlib.JaroWinklerSimilarity(a, b); got != want {
			t.Fatalf("jaroWinkler(%q, %q) = %v, go-edlib %v", a, b, got, want)
		}
		if got, want := osaDistance(a, b), edlib.OSADamerauLevenshteinDistance(a, b); got != want {
			t.Fatalf("osaDistance(%q, %q) = %v, go-edlib %v", a, b, got, want)
		}
	})
}

// TestSimilaritiesAgreeWithEdlib: the same, on random names of a small
// alphabet (so that letters repeat and transpose), accents included.
func TestSimilaritiesAgreeWithEdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	alphabet := []rune("AEMNRTÉË ")
	word := func() string {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	for range 20000 {
		a := word()
		b := a
		if rng.IntN(2) == 0 {
			b = word()
		} else if len([]rune(b)) >= 2 {
			b = shortTypo(rng, b, rng.IntN(len(shortTypos)))
		}
		if got, want := jaroWinkler(a, b), edlib.JaroWinklerSimilarity(a, b); got != want {
			t.Fatalf("jaroWinkler(%q, %q) = %v, go-edlib %v", a, b, got, want)
		}
		if got, want := osaDistance(a, b), edlib.OSADamerauLevenshteinDistance(a, b); got != want {
			t.Fatalf("osaDistance(%q, %q) = %v, go-edlib %v", a, b, got, want)
		}
	}
}
