package matcher

import (
	"slices"
	"testing"
)

func TestCompareNames(t *testing.T) {
	tests := []struct {
		name                 string
		p                    PersonName
		dirLast, dirFirst    string
		same, exact, swapped bool
		reason               string
	}{
		{"identical", PersonName{Last: "LEGER", First: "Romain"}, "LEGER", "ROMAIN", true, true, false, "nom identique"},
		{"accents and case", PersonName{Last: "Léger", First: "romain"}, "LEGER", "ROMAIN", true, true, false, "prénom identique"},
		{"hyphenated first name", PersonName{Last: "Dubois", First: "Jean-Pierre"}, "DUBOIS", "JEAN PIERRE", true, true, false, "prénom identique"},
		{"initials J-P", PersonName{Last: "Dubois", First: "J-P"}, "DUBOIS", "JEAN-PIERRE", true, false, false, "prénom en initiales"},
		{"initials JP", PersonName{Last: "Dubois", First: "JP"}, "DUBOIS", "JEAN-PIERRE", true, false, false, "prénom en initiales"},
		{"initial then name", PersonName{Last: "Dubois", First: "J. Pierre"}, "DUBOIS", "JEAN PIERRE", true, false, false, "prénom en initiales"},
		{"single initial", PersonName{Last: "Dubois", First: "J."}, "DUBOIS", "JEAN", true, false, false, "initiale du prénom"},
		{"two-word first name", PersonName{Last: "Nguyen", First: "Thi Mai"}, "NGUYEN", "THI MAI", true, true, false, "prénom identique"},
		{"several first names", PersonName{Last: "Roussel", First: "Marie Claire Anne"}, "ROUSSEL", "MARIE", true, false, false, "premier prénom identique"},
		{"usage name", PersonName{Last: "Durand", Usage: "Moreau", First: "Sophie"}, "MOREAU", "SOPHIE", true, true, false, "nom d'usage identique"},
		{"birth name in directory", PersonName{Last: "Durand", Usage: "Moreau", First: "Sophie"}, "DURAND", "SOPHIE", true, true, false, "nom identique"},
		{"swapped", PersonName{Last: "Sophie", First: "Moreau"}, "MOREAU", "SOPHIE", true, false, true, "nom et prénom inversés"},
		{"particle spacing", PersonName{Last: "Le Gall", First: "Anne"}, "LEGALL", "ANNE", true, true, false, "nom identique"},
		{"apostrophe", PersonName{Last: "N'Diaye", First: "Fatou"}, "NDIAYE", "FATOU", true, true, false, "nom identique"},
		{"last name typo", PersonName{Last: "Bouchrad", First: "Rémi"}, "BOUCHARD", "REMI", true, false, false, "nom proche"},
		{"first name typo", PersonName{Last: "Bouchard", First: "Rémy"}, "BOUCHARD", "REMI", true, false, false, "nom identique"},
		{"compound last name part", PersonName{Last: "Martin-Dubois", First: "Léa"}, "MARTIN", "LEA", true, false, false, "nom composé en partie identique"},
		{"other first name", PersonName{Last: "Leger", First: "Sophie"}, "LEGER", "ROMAIN", false, false, false, "nom identique"},
		{"other person", PersonName{Last: "Durand", First: "Sophie"}, "LEGER", "ROMAIN", false, false, false, ""},
		{"other initial", PersonName{Last: "Dubois", First: "P"}, "DUBOIS", "JEAN", false, false, false, "nom identique"},
		{"empty", PersonName{}, "LEGER", "ROMAIN", false, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := CompareNames(tt.p, tt.dirLast, tt.dirFirst)
			if m.Same() != tt.same || m.Exact() != tt.exact || m.Swapped != tt.swapped {
				t.Errorf("CompareNames = %+v; want same %v exact %v swapped %v", m, tt.same, tt.exact, tt.swapped)
			}
			if tt.reason != "" && !slices.Contains(m.Reasons, tt.reason) {
				t.Errorf("reasons %q lack %q", m.Reasons, tt.reason)
			}
			if m.Score < 0 || m.Score > 1 {
				t.Errorf("score %v outside [0,1]", m.Score)
			}
		})
	}
}

func TestCompareNamesRanksOneTypoAboveTwo(t *testing.T) {
	p := PersonName{Last: "Bouchrad", First: "Rémi"}
	one := CompareNames(p, "BOUCHARD", "REMI")
	two := CompareNames(p, "BOUCHAUD", "REMI")
	if one.Score <= two.Score {
		t.Errorf("BOUCHRAD: BOUCHARD scores %v, BOUCHAUD %v; the one-typo name must rank first", one.Score, two.Score)
	}
}

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

func TestNameKeys(t *testing.T) {
	has := func(keys []string, k string) bool { return slices.Contains(keys, k) }
	if got := NameKeys(""); got != nil {
		t.Errorf("NameKeys(\"\") = %v; want nil", got)
	}
	legall, legall2 := NameKeys(Fold("Le Gall")), NameKeys(Fold("LEGALL"))
	if !has(legall, "N:LEGALL") || !slices.Equal(legall, legall2) {
		t.Errorf("LE GALL %v and LEGALL %v must share keys", legall, legall2)
	}
	meet := func(a, b string) bool {
		for _, k := range NameKeys(Fold(a)) {
			if has(NameKeys(Fold(b)), k) {
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
	if k := NameKeys("LEE"); !slices.Equal(k, []string{"N:LEE", "D:LEE", "D:EE", "D:LE"}) {
		t.Errorf("NameKeys(LEE) = %v; want the exact key and the deletions", k)
	}
	if k := NameKeys("X"); !slices.Equal(k, []string{"N:X"}) {
		t.Errorf("NameKeys(X) = %v; a single letter gets its exact key only", k)
	}
}
