package importer

import (
	"testing"

	"github.com/rppsync/rppsync"
)

func TestMapHeader(t *testing.T) {
	tests := []struct {
		in   string
		want rppsync.Field
		ok   bool
	}{
		{"Nom", rppsync.FieldLastName, true},
		{"NOM DE NAISSANCE", rppsync.FieldLastName, true},
		{"Nom de famille", rppsync.FieldLastName, true},
		{"Nom d'usage", rppsync.FieldUsageName, true},
		{"Nom marital", rppsync.FieldUsageName, true},
		{"Prénom(s)", rppsync.FieldFirstName, true},
		{"prenom", rppsync.FieldFirstName, true},
		{"  PRÉNOM  ", rppsync.FieldFirstName, true},
		{"N° RPPS", rppsync.FieldIdentifier, true},
		{"RPPS", rppsync.FieldIdentifier, true},
		{"RPPS/ADELI", rppsync.FieldIdentifier, true},
		{"N° ADELI", rppsync.FieldIdentifier, true},
		{"Identifiant national", rppsync.FieldIdentifier, true},
		{"Identifiant PP", rppsync.FieldIdentifier, true},
		{"Date de naissance", rppsync.FieldBirthDate, true},
		{"Date de naissance (jj/mm/aaaa)", rppsync.FieldBirthDate, true},
		{"Né(e) le", rppsync.FieldBirthDate, true},
		{"Lieu de naissance", rppsync.FieldBirthPlace, true},
		{"Commune de naissance", rppsync.FieldBirthPlace, true},
		{"Ville de naissance", rppsync.FieldBirthPlace, true},
		{"Né(e) à", rppsync.FieldBirthPlace, true},
		{"Département de naissance", rppsync.FieldBirthDept, true},
		{"Pays de naissance", rppsync.FieldBirthCountry, true},
		{"Nationalité", rppsync.FieldNationality, true},
		{"Civilité", rppsync.FieldCivility, true},
		{"Sexe", rppsync.FieldCivility, true},
		{"Qualification", rppsync.FieldProfession, true},
		{"Fonction", rppsync.FieldProfession, true},
		{"Métier", rppsync.FieldProfession, true},
		{"Profession", rppsync.FieldProfession, true},
		{"Poste", rppsync.FieldProfession, true},
		{"FINESS", rppsync.FieldFINESS, true},
		{"N° FINESS", rppsync.FieldFINESS, true},
		{"Établissement", rppsync.FieldStructure, true},
		{"ETABLISSEMENT", rppsync.FieldStructure, true},
		{"Site", rppsync.FieldStructure, true},
		{"Structure", rppsync.FieldStructure, true},
		{"Début mission", rppsync.FieldContractStart, true},
		{"Date début", rppsync.FieldContractStart, true},
		{"Date entrée", rppsync.FieldContractStart, true},
		{"Date de début de contrat", rppsync.FieldContractStart, true},
		{"Mission Début", rppsync.FieldContractStart, true},
		{"Fin mission", rppsync.FieldContractEnd, true},
		{"Date fin", rppsync.FieldContractEnd, true},
		{"Date sortie", rppsync.FieldContractEnd, true},
		{"Mission Fin", rppsync.FieldContractEnd, true},
		{"Email", rppsync.FieldEmail, true},
		{"E-mail", rppsync.FieldEmail, true},
		{"Courriel", rppsync.FieldEmail, true},
		{"Mail", rppsync.FieldEmail, true},
		{"Téléphone", rppsync.FieldPhone, true},
		{"Tél.", rppsync.FieldPhone, true},
		{"Portable", rppsync.FieldPhone, true},
		{"Mobile", rppsync.FieldPhone, true},
		{"Agence", rppsync.FieldAgency, true},
		{"SIRET", rppsync.FieldSIRET, true},
		{"Nom Prénom", rppsync.FieldFullName, true},
		{"Nom et prénom", rppsync.FieldFullName, true},
		{"Intérimaire", rppsync.FieldFullName, true},
		{"NIR", rppsync.FieldNIR, true},
		{"N° sécu", rppsync.FieldNIR, true},
		{"N° de sécurité sociale", rppsync.FieldNIR, true},
		{"Numéro SS", rppsync.FieldNIR, true},
		{"Commentaire", "", false},
		{"INSEE", "", false}, // only by its values (see TestNIRNeverKept)
		{"", "", false},
		{"N°", "", false},
		{"(vide)", "", false},
	}
	for _, tt := range tests {
		got, ok := MapHeader(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MapHeader(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSynonymsDoNotCollide checks that no two synonyms of different fields
// share a key, which would make the mapping depend on map order.
func TestSynonymsDoNotCollide(t *testing.T) {
	seen := map[string]rppsync.Field{}
	for f, list := range synonyms {
		for _, s := range list {
			k := headerKey(s)
			if other, ok := seen[k]; ok && other != f {
				t.Errorf("synonym %q (%s) has the key %q of a %s synonym", s, f, k, other)
			}
			seen[k] = f
			if got, _ := MapHeader(s); got != f {
				t.Errorf("MapHeader(%q) = %q, want %q", s, got, f)
			}
		}
	}
}

func TestCombineLayout(t *testing.T) {
	parent := []string{"Identité", "", "Mission", "", "Téléphone"}
	child := []string{"Nom", "Prénom", "Début", "Fin", ""}
	l := combineLayout(nil, parent, child, [][2]int{{0, 1}, {2, 3}})
	want := []rppsync.Field{rppsync.FieldLastName, rppsync.FieldFirstName, rppsync.FieldContractStart, rppsync.FieldContractEnd, rppsync.FieldPhone}
	for i, w := range want {
		if l.cols[i].field != w {
			t.Errorf("column %d (%q) = %q, want %q", i, l.cols[i].header, l.cols[i].field, w)
		}
	}
	if l.cols[2].header != "Mission Début" {
		t.Errorf("header = %q, want Mission Début", l.cols[2].header)
	}
}

func FuzzMapHeader(f *testing.F) {
	for _, s := range []string{"N° RPPS", "Né(e) le", "Mission Début", "Prénom(s)", "((", "N°", "é\u0301", "Date de naissance (jj/mm/aaaa)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := MapHeader(s)
		if ok != (got != "") {
			t.Fatalf("MapHeader(%q) = %q, %v", s, got, ok)
		}
		// Case and surrounding punctuation never change the answer.
		if again, _ := MapHeader(" " + s + " ."); ok && again != got {
			t.Fatalf("MapHeader(%q) = %q but with padding %q", s, got, again)
		}
	})
}
