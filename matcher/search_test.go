package matcher

import (
	"strings"
	"testing"

	"github.com/rppsync/rppsync/namekey"
)

// checkFloor fails when mayReachFirstFloor prunes a pair whose firstSim
// reaches firstFloor.
func checkFloor(t *testing.T, a, d string) {
	t.Helper()
	a, d = namekey.Fold(a), namekey.Fold(d)
	la, ld := lettersOf(a), lettersOf(d)
	if mayReachFirstFloor(a, d, &la, &ld) {
		return
	}
	if s, _ := firstSim(a, d); s >= firstFloor {
		t.Errorf("firstSim(%q, %q) = %v ≥ %v, but the pair was pruned", a, d, s, firstFloor)
	}
}

// TestMayReachFirstFloorNeverPrunesAMatch compares every first name and
// last name of the labelled set with every first name: the cheap bound
// must never hide a pair the similarity would accept, and must prune most
// unrelated pairs (or it would be useless).
func TestMayReachFirstFloorNeverPrunesAMatch(t *testing.T) {
	pros, rows := buildSynthetic(20261203, 1500, 500, 200)
	seen := map[string]bool{}
	var names, firsts []string
	add := func(list *[]string, s string) {
		if f := namekey.Fold(s); f != "" && !seen[f] {
			seen[f] = true
			*list = append(*list, f)
		}
	}
	for _, p := range pros {
		add(&names, p.LastName)
		add(&firsts, p.FirstName)
	}
	for _, r := range rows {
		add(&names, r.rec.LastName.Display)
		add(&firsts, r.rec.FirstName.Display)
	}
	names = append(names, firsts...)
	pruned, pairs := 0, 0
	for _, a := range names {
		la := lettersOf(a)
		for _, d := range firsts {
			ld := lettersOf(d)
			pairs++
			if !mayReachFirstFloor(a, d, &la, &ld) {
				pruned++
				if s, _ := firstSim(a, d); s >= firstFloor {
					t.Fatalf("firstSim(%q, %q) = %v ≥ %v, but the pair was pruned", a, d, s, firstFloor)
				}
			}
		}
	}
	t.Logf("%d pairs, %d pruned", pairs, pruned)
	if pruned < pairs/2 {
		t.Errorf("only %d of %d pairs pruned", pruned, pairs)
	}
	for _, c := range [][2]string{
		{"ALINE", "LINE"}, {"ELODIE", "ODILE"}, {"MARIE", "AMRIE"}, {"J", "JEAN"}, {"JP", "JEAN PIERRE"},
		{"ANNE MARIE", "MARIE ANNE"}, {"ZOÉ", "ZOE"}, {"ØYSTEIN", "OYSTEIN"}, {"", "JEAN"},
	} {
		checkFloor(t, c[0], c[1])
	}
	// Names with the same first letter and little else in common are
	// pruned too: their Jaro-Winkler similarity is bounded like the others'.
	for _, c := range [][2]string{{"MARIE", "MICHEL"}, {"JEAN", "JULIETTE"}, {"CAMILLE", "CHARLES"}} {
		la, ld := lettersOf(c[0]), lettersOf(c[1])
		if mayReachFirstFloor(c[0], c[1], &la, &ld) {
			s, _ := firstSim(c[0], c[1])
			t.Errorf("mayReachFirstFloor(%q, %q) = true, firstSim %v: the bound prunes nothing with the same first letter", c[0], c[1], s)
		}
	}
}

func FuzzMayReachFirstFloor(f *testing.F) {
	for _, c := range [][2]string{{"ALINE", "LINE"}, {"MARTIN", "MARTINE"}, {"JEAN PIERRE", "PIERRE"}, {"AB", "BA"}, {"ELODIE", "ODILE"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, a, d string) {
		checkFloor(t, a, d)
	})
}

func TestLettersShared(t *testing.T) {
	naive := func(a, d string) int {
		var ca, cd [32]int
		for i := 0; i < len(a); i++ {
			if a[i] != ' ' {
				ca[a[i]&31]++
			}
		}
		for i := 0; i < len(d); i++ {
			if d[i] != ' ' {
				cd[d[i]&31]++
			}
		}
		m := 0
		for i := range ca {
			m += min(ca[i], cd[i])
		}
		return m
	}
	long := strings.Repeat("A", 127)
	for _, c := range [][2]string{
		{"MARIE", "AMRIE"}, {"ANNE MARIE", "MARIANNE"}, {"ZZZZ", "Z"}, {"A1Q", "Q1A"}, {"", "JEAN"},
		{long, long}, {long, "AAB"}, {"JEAN PIERRE", "PIERRE JEAN"}, {"XAVIER", "OLIVIER"},
	} {
		la, ld := lettersOf(c[0]), lettersOf(c[1])
		if got, want := la.shared(&ld), naive(c[0], c[1]); got != want {
			t.Errorf("shared(%q, %q) = %d, want %d", c[0], c[1], got, want)
		}
	}
	if l := lettersOf(long + "A"); l.bounded {
		t.Error("a name of 128 letters must not be bounded: its counts overflow the lanes")
	}
}
