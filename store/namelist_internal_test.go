package store

import (
	"reflect"
	"slices"
	"testing"

	"github.com/rppsync/rppsync/namekey"
)

// TestNameListHits checks the scan of a list against KeyFilter.Hits name
// by name, for ASCII names (compacted once) and the others (Greek, kept
// by Fold), with and without the list's last newline.
func TestNameListHits(t *testing.T) {
	names := []string{"MARTIN", "LE GALL", "MARTINEZ", namekey.Fold("Παπαδόπουλος"), "DUPONT", "1 2", "ZOE"}
	searched := []string{"MARTIN", "LEGAL", namekey.Fold("Παπαδοπουλος"), "DUPOND"}
	var keys []string
	for _, n := range searched {
		keys = append(keys, namekey.Keys(n)...)
	}
	f := namekey.NewFilter(keys)
	want := map[string][]int32{}
	var kh namekey.Hasher
	var wantKeys []string
	for _, n := range names {
		for _, k := range f.Hits(&kh, []byte(n), nil) {
			if !slices.Contains(wantKeys, k) {
				wantKeys = append(wantKeys, k)
			}
			want[n] = append(want[n], int32(slices.Index(wantKeys, k)))
		}
	}
	if len(want[names[3]]) == 0 || len(want["MARTIN"]) == 0 {
		t.Fatalf("the case proves nothing: hits %v", want)
	}
	for _, data := range []string{"MARTIN\nLE GALL\nMARTINEZ\n" + names[3] + "\nDUPONT\n1 2\nZOE\n", "MARTIN\nLE GALL\nMARTINEZ\n" + names[3] + "\nDUPONT\n1 2\nZOE"} {
		l := newNameList(1, []byte(data))
		a := newNameKeyAnswer()
		l.hits(a, f)
		got := map[string][]int32{}
		for folded, ks := range a.byFolded {
			for _, k := range ks {
				got[folded] = append(got[folded], int32(slices.Index(wantKeys, a.keys[k])))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("list %q: hits %v, want %v", data, got, want)
		}
	}
}
