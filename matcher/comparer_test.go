package matcher

import (
	"reflect"
	"testing"
)

// The memoised comparer must answer exactly as CompareNames, whatever
// order the comparisons come in and across rows.
func TestComparerAgreesWithCompareNames(t *testing.T) {
	people := []PersonName{
		{Last: "Martin", First: "Claire"}, {Last: "MARTIN", Usage: "Durand", First: "Claire-Marie"},
		{Last: "Claire", First: "Martin"}, {Last: "Le Gall", First: "J-P"}, {Last: "", Usage: "Marin", First: "Léa"},
	}
	dir := [][2]string{{"MARTIN", "CLAIRE"}, {"MARIN", "CLAIRE"}, {"MARTIN", "CLARA"}, {"LEGALL", "JEAN-PIERRE"},
		{"DURAND", "CLAIRE MARIE"}, {"MARTIN", "CLAIRE"}, {"MARIN", "LEA"}, {"", ""}}
	c := newComparer()
	for round := 0; round < 2; round++ {
		for _, p := range people {
			c.nextRow()
			for _, d := range dir {
				got, want := c.compare(p, d[0], d[1]), CompareNames(p, d[0], d[1])
				if !reflect.DeepEqual(got, want) {
					t.Errorf("compare(%+v, %v) = %+v, want %+v", p, d, got, want)
				}
			}
		}
	}
	if len(c.folded) == 0 || len(c.last) == 0 {
		t.Error("the comparer memoised nothing")
	}
}
