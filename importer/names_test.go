package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

func TestReadNameCell(t *testing.T) {
	for _, tc := range []struct {
		in   string
		full bool
		want NameCell
	}{
		{"MARTIN", false, NameCell{Birth: "MARTIN"}},
		{"Mme MARTIN", false, NameCell{Civility: "MME", Title: "Mme", Birth: "MARTIN"}},
		{"M. LE GALL", false, NameCell{Civility: "M", Title: "M.", Birth: "LE GALL"}},
		{"Dr MARTIN", false, NameCell{Title: "Dr", Birth: "MARTIN"}},
		{"Docteur Madame MARTIN", false, NameCell{Civility: "MME", Title: "Docteur Madame", Birth: "MARTIN"}},
		{"Mme", false, NameCell{Birth: "Mme"}}, // a title alone is kept: it is all there is
		{"DUPONT épouse MARTIN", false, NameCell{Birth: "DUPONT", Usage: "MARTIN"}},
		{"DUPONT ép. MARTIN", false, NameCell{Birth: "DUPONT", Usage: "MARTIN"}},
		{"DUPONT EP MARTIN", false, NameCell{Birth: "DUPONT", Usage: "MARTIN"}},
		{"DUPONT vve MARTIN", false, NameCell{Birth: "DUPONT", Usage: "MARTIN"}},
		{"MARTIN née DUPONT", false, NameCell{Birth: "DUPONT", Usage: "MARTIN"}},
		{"Mme MARTIN née LE GALL", false, NameCell{Civility: "MME", Title: "Mme", Birth: "LE GALL", Usage: "MARTIN"}},
		{"ép. MARTIN", false, NameCell{Usage: "MARTIN"}},
		{"EPOUSE", false, NameCell{Birth: "EPOUSE"}}, // nothing after the word: a name
		{"Mme MARTIN Claire", true, NameCell{Civility: "MME", Title: "Mme", Birth: "MARTIN", First: "Claire"}},
		{"Monsieur DUPONT Jean-Pierre", true, NameCell{Civility: "M", Title: "Monsieur", Birth: "DUPONT", First: "Jean-Pierre"}},
		{"Dr LEGER Romain", true, NameCell{Title: "Dr", Birth: "LEGER", First: "Romain"}},
		{"Pharmacien PETIT Elodie", true, NameCell{Title: "Pharmacien", Birth: "PETIT", First: "Elodie"}},
		{"DUPONT épouse MARTIN Claire", true, NameCell{Birth: "DUPONT", Usage: "MARTIN", First: "Claire"}},
		{"Mme DUPONT ép. LE GALL Anne Marie", true, NameCell{Civility: "MME", Title: "Mme", Birth: "DUPONT", Usage: "LE GALL", First: "Anne Marie"}},
		{"MARTIN née DUPONT Claire", true, NameCell{Birth: "DUPONT", Usage: "MARTIN", First: "Claire"}},
		{"Claire MARTIN née DUPONT", true, NameCell{Birth: "DUPONT", Usage: "MARTIN", First: "Claire"}},
		{"Dupont épouse Martin Claire", true, NameCell{Birth: "Dupont", Usage: "Martin", First: "Claire"}},
		{"DUPONT EPOUSE MARTIN CLAIRE", true, NameCell{Birth: "DUPONT", Usage: "MARTIN", First: "CLAIRE"}},
		{"Mlle épouse MARTIN Claire", true, NameCell{Civility: "MME", Title: "Mlle", Usage: "MARTIN", First: "Claire"}},
		{"MARTIN Claire", true, NameCell{Birth: "MARTIN", First: "Claire"}},
		{"MARTIN (épouse DUPONT)", false, NameCell{Birth: "MARTIN", Usage: "DUPONT"}},
		{"MARTIN (née DUPONT) Claire", true, NameCell{Birth: "DUPONT", Usage: "MARTIN", First: "Claire"}},
	} {
		if got := ReadNameCell(tc.in, tc.full); got != tc.want {
			t.Errorf("ReadNameCell(%q, %v) = %+v, want %+v", tc.in, tc.full, got, tc.want)
		}
	}
}

func TestReadFirstNameCell(t *testing.T) {
	for _, tc := range []struct{ in, first, civ string }{
		{"Claire", "Claire", ""},
		{"Mme Claire", "Claire", "MME"},
		{"M. Jean-Pierre", "Jean-Pierre", "M"},
		{"Mme", "Mme", ""},
	} {
		if first, civ := ReadFirstNameCell(tc.in); first != tc.first || civ != tc.civ {
			t.Errorf("ReadFirstNameCell(%q) = %q, %q; want %q, %q", tc.in, first, civ, tc.first, tc.civ)
		}
	}
}

// TestNamesInCells reads a workbook as agencies write them: titles typed
// in the name cells, "épouse" and "née" in the name, a civility column that
// wins over a title, and a usage-name column that wins over the split.
func TestNamesInCells(t *testing.T) {
	p := writeWorkbook(t, t.TempDir(), "titres.xlsx", func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Civilité", "Nom", "Nom d'usage", "Prénom", "N° RPPS"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"", "Mme MARTIN", "", "Claire", "10999000010"})
		_ = f.SetSheetRow("Sheet1", "A3", &[]any{"", "DUPONT épouse MARTIN", "", "Claire", ""})
		_ = f.SetSheetRow("Sheet1", "A4", &[]any{"M.", "Mme MOREAU", "", "Hélène", ""})
		_ = f.SetSheetRow("Sheet1", "A5", &[]any{"", "DUPONT épouse MARTIN", "BERNARD", "Mme Claire", ""})
		_ = f.SetSheetRow("Sheet1", "A6", &[]any{"", "Dr LEGER", "", "Romain", ""})
	})
	file, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ civ, last, usage, first string }
	want := []got{
		{"MME", "MARTIN", "", "Claire"},
		{"", "DUPONT", "MARTIN", "Claire"},
		{"M", "MOREAU", "", "Hélène"}, // the civility column wins
		{"MME", "DUPONT", "BERNARD", "Claire"},
		{"", "LEGER", "", "Romain"},
	}
	if len(file.Records) != len(want) {
		t.Fatalf("records = %d, want %d", len(file.Records), len(want))
	}
	for i, r := range file.Records {
		g := got{r.Civility, r.LastName.Display, r.UsageName.Display, r.FirstName.Display}
		if g != want[i] {
			t.Errorf("row %d: %+v, want %+v", r.Row, g, want[i])
		}
	}
	if o := file.Records[0].Original["last_name"]; o != "Mme MARTIN" {
		t.Errorf("original = %q: the cell as typed must be kept", o)
	}
}

// TestFullNameCellCSV reads a "Nom Prénom" column of a CSV file with
// titles and marriage words in it.
func TestFullNameCellCSV(t *testing.T) {
	p := writeText(t, "noms.csv", "Nom Prénom;RPPS\n"+
		"Mme MARTIN Claire;10999000010\n"+
		"Mme DUPONT épouse MARTIN Claire;\n"+
		"MARTIN née DUPONT Claire;\n")
	file, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][4]string{
		{"MME", "MARTIN", "", "Claire"},
		{"MME", "DUPONT", "MARTIN", "Claire"},
		{"", "DUPONT", "MARTIN", "Claire"},
	}
	if len(file.Records) != len(want) {
		t.Fatalf("records = %d, want %d", len(file.Records), len(want))
	}
	for i, r := range file.Records {
		g := [4]string{r.Civility, r.LastName.Display, r.UsageName.Display, r.FirstName.Display}
		if g != want[i] {
			t.Errorf("line %d: %q, want %q", r.Row, g, want[i])
		}
	}
}

// FuzzReadNameCell checks that reading a name cell never invents or loses
// words: every word of the result is a word of the cell, and only titles
// and marriage words are dropped.
func FuzzReadNameCell(f *testing.F) {
	for _, s := range []string{"Mme MARTIN Claire", "DUPONT épouse MARTIN Claire", "MARTIN née DUPONT", "M. M", "ép. ép. X"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, full bool) {
		if !utf8.ValidString(s) {
			return
		}
		c := ReadNameCell(s, full)
		words := map[string]int{}
		for _, w := range strings.FieldsFunc(s, isNameSeparator) {
			words[w]++
		}
		for _, part := range []string{c.Title, c.Birth, c.Usage, c.First} {
			for _, w := range strings.FieldsFunc(part, isSpace) {
				if words[w] == 0 {
					t.Fatalf("ReadNameCell(%q) = %+v: word %q is not in the cell", s, c, w)
				}
				words[w]--
			}
		}
		if c.Civility != "" && c.Civility != "M" && c.Civility != "MME" {
			t.Fatalf("civility %q", c.Civility)
		}
	})
}

// writeText writes data to a file name in a fresh temporary directory.
func writeText(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
