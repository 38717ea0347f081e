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
