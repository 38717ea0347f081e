package insee

import (
	"io/fs"
	"testing"

	"github.com/rppsync/rppsync"
)

// BenchmarkResolve resolves a mix of inputs: plain names, homonyms,
// arrondissements, postal codes, old names with dates, countries, codes
// and garbage. The figure is per lookup.
func BenchmarkResolve(b *testing.B) {
	ix := Default()
	inputs := []struct {
		text, dept string
		born       rppsync.Date
	}{
		{"St Etienne", "", rppsync.Date{}},
		{"Saint-Denis", "", rppsync.Date{Year: 1990, Month: 5, Day: 1}},
		{"Saint Denis (974)", "", rppsync.Date{}},
		{"PARIS 15EME ARRONDISSEMENT", "", rppsync.Date{}},
		{"75015", "", rppsync.Date{}},
		{"01090 Montceaux", "", rppsync.Date{}},
		{"Courcouronnes", "", rppsync.Date{Year: 2020, Month: 3, Day: 2}},
		{"Ajaccio", "2A", rppsync.Date{Year: 1970, Month: 1, Day: 1}},
		{"Casablanca (Maroc)", "", rppsync.Date{}},
		{"L'Haÿ-les-Roses", "94", rppsync.Date{Year: 1988, Month: 7, Day: 14}},
		{"2A004", "", rppsync.Date{}},
		{"xqzwv", "", rppsync.Date{}},
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		in := inputs[n%len(inputs)]
		n++
		if r := ix.Resolve(in.text, in.dept, in.born); r.Status == "" {
			b.Fatal("no status")
		}
	}
}

// BenchmarkBuildIndex measures Build on the embedded data: decompressing
// about 5.9 MB of CSV and indexing it.
func BenchmarkBuildIndex(b *testing.B) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(sub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSnapshot measures what Default costs on first use.
func BenchmarkDecodeSnapshot(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := unmarshal(snapshot); err != nil {
			b.Fatal(err)
		}
	}
}
