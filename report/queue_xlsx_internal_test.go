package report

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/rppsync/rppsync/queue"
	"github.com/xuri/excelize/v2"
)

func TestQueueSheetNames(t *testing.T) {
	long := strings.Repeat("a", 40)
	tests := []struct {
		name  string
		kinds []queue.Kind
		want  []string
	}{
		{"labels of known kinds", []queue.Kind{queue.KindValidateActivity, queue.KindOrderMIE, queue.KindRegisterRPPSPlus},
			[]string{"Valider l’activité", "Commander un moyen d’identific…", "Inscrire sur le Portail RPPS+"}},
		{"characters Excel refuses", []queue.Kind{`a[b]c:d*e?f/g\h`}, []string{"a-b-c-d-e-f-g-h"}},
		{"apostrophes at the ends", []queue.Kind{"'x'"}, []string{"’x’"}},
		{"control and unprintable characters", []queue.Kind{"a\tb\x00c\uFFFE"}, []string{"a b c"}},
		{"nothing left", []queue.Kind{"", " \t"}, []string{"Demandes", "Demandes (2)"}},
		{"the summary's name and Excel's reserved one", []queue.Kind{"résumé", "History"},
			[]string{"résumé (2)", "History (2)"}},
		{"same once cut, or same but for case", []queue.Kind{queue.Kind(long), queue.Kind(long + "b"), "ABC", "abc"},
			[]string{strings.Repeat("a", 30) + "…", strings.Repeat("a", 26) + "… (2)", "ABC", "abc (2)"}},
		{"astral characters count twice", []queue.Kind{queue.Kind(strings.Repeat("𝄞", 16))}, []string{strings.Repeat("𝄞", 15) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := queueSheetNames(tt.kinds)
			for i, k := range tt.kinds {
				if names[k] != tt.want[i] {
					t.Errorf("name of %q = %q, want %q", k, names[k], tt.want[i])
				}
			}
		})
	}
}

// FuzzQueueSheetNames checks that any two kinds, as a newer database may
// hold, get distinct sheet names excelize accepts, on which an autofilter
// can be set, in a workbook that reopens.
func FuzzQueueSheetNames(f *testing.F) {
	for _, s := range [][2]string{
		{"validate_activity", "order_mie"}, {"'", "''"}, {"Résumé", "RÉSUMÉ"}, {"a/b", "a:b"},
		{strings.Repeat("é", 40), strings.Repeat("é", 41)}, {"\x00", "\uFFFF"}, {"\xff", "𝄞𝄞"}, {"History", "history"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if a == b {
			return
		}
		kinds := []queue.Kind{queue.Kind(a), queue.Kind(b)}
		names := queueSheetNames(kinds)
		x := excelize.NewFile()
		defer x.Close()
		if err := x.SetSheetName(x.GetSheetName(0), SheetSummary); err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			name := names[k]
			if n := len(utf16.Encode([]rune(name))); n > maxSheetName || strings.Contains(name, "'") {
				t.Fatalf("name %q of %q: %d UTF-16 units or an apostrophe", name, k, n)
			}
			if _, err := x.NewSheet(name); err != nil {
				t.Fatalf("excelize refuses %q (from %q): %v", name, k, err)
			}
			if err := x.AutoFilter(name, "A1:B2", nil); err != nil {
				t.Fatalf("autofilter on %q: %v", name, err)
			}
		}
		if strings.EqualFold(names[kinds[0]], names[kinds[1]]) {
			t.Fatalf("%q and %q share the name %q", a, b, names[kinds[0]])
		}
		buf, err := x.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		y, err := excelize.OpenReader(buf)
		if err != nil {
			t.Fatalf("workbook with %q and %q does not reopen: %v", names[kinds[0]], names[kinds[1]], err)
		}
		y.Close()
	})
}
