package namekey

import (
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jean-Pierre  d'Ormesson", "JEAN PIERRE D ORMESSON"},
		{"  Élodie ", "ELODIE"},
		{"CŒUR", "COEUR"},
		{"Læticia", "LAETICIA"},
		{"Strauß", "STRAUSS"},
		{"N’Diaye", "N DIAYE"},
		{"Thi  Mai", "THI MAI"},
		{"---", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	has := func(keys []string, k string) bool { return slices.Contains(keys, k) }
	if got := Keys(""); got != nil {
		t.Errorf("Keys(\"\") = %v; want nil", got)
	}
	legall, legall2 := Keys(Fold("Le Gall")), Keys(Fold("LEGALL"))
	if !has(legall, "N:LEGALL") || !slices.Equal(legall, legall2) {
		t.Errorf("LE GALL %v and LEGALL %v must share keys", legall, legall2)
	}
	meet := func(a, b string) bool {
		for _, k := range Keys(Fold(a)) {
			if has(Keys(Fold(b)), k) {
				return true
			}
		}
		return false
	}
	for _, pair := range [][2]string{{"DUPONT", "DUPOND"}, {"BOUCHARD", "BOUCHRAD"}, {"TESPONT", "TESONT"},
		{"MARTIN", "MARTTIN"}, {"COLTINEZ", "CPLTINEZ"}, {"MOREAU", "MOREAUX"}} {
		if !meet(pair[0], pair[1]) {
			t.Errorf("%s and %s share no key", pair[0], pair[1])
		}
	}
	for _, pair := range [][2]string{{"DUPONT", "MARTIN"}, {"BOUCHARD", "BERNARD"}} {
		if meet(pair[0], pair[1]) {
			t.Errorf("%s and %s share a key", pair[0], pair[1])
		}
	}
	// Short names get their deletion keys too (issue 16): ROY typed ROI
	// or RO, NOËL typed NOL, must meet the right name.
	for _, pair := range [][2]string{{"ROY", "ROI"}, {"ROY", "RO"}, {"REY", "REYE"}, {"NOËL", "NOL"}, {"NOËL", "NQËL"}, {"LY", "LI"}} {
		if !meet(pair[0], pair[1]) {
			t.Errorf("%s and %s share no key", pair[0], pair[1])
		}
	}
	if k := Keys("LEE"); !slices.Equal(k, []string{"N:LEE", "D:LEE", "D:EE", "D:LE"}) {
		t.Errorf("Keys(LEE) = %v; want the exact key and the deletions", k)
	}
	if k := Keys("X"); !slices.Equal(k, []string{"N:X"}) {
		t.Errorf("Keys(X) = %v; a single letter gets its exact key only", k)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Jean-Pierre  d'Ormesson", "CŒUR", "Strauß", "N’Diaye", "  ", "Ǆ", "\xff\xfe", "Thi Mai"} {
		f.Add(s)
	}
	for _, s := range []string{"dupont", "LE  GALL-", "MARTIN", "o'neil 2", "A B"} {
		f.Add(s) // the ASCII and already-folded fast paths
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if slow := foldUnicode(s); got != slow {
			t.Fatalf("Fold(%q) = %q but the general path gives %q", s, got, slow)
		}
		if Fold(got) != got {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, got, Fold(got))
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, got)
		}
		keys := Keys(got)
		if (got == "") != (keys == nil) {
			t.Fatalf("Keys(%q) = %v", got, keys)
		}
		if len(keys) > 0 && keys[0] != "N:"+strings.ReplaceAll(got, " ", "") {
			t.Fatalf("Keys(%q) starts with %q", got, keys[0])
		}
	})
}
