package directory

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// rppsFromSeq returns a Luhn-valid RPPS built from n (10 + 8 digits + key).
func rppsFromSeq(n int) string {
	body := fmt.Sprintf("10%08d", n)
	for k := range 10 {
		s := fmt.Sprintf("%s%d", body, k)
		if matcher.Luhn(s) {
			return s
		}
	}
	panic("unreachable")
}

// writeSynthetic writes an extract of n RPPS lines to path, derived from
// the first fixture's lines with fresh numbers and names.
func writeSynthetic(tb testing.TB, path string, n int) {
	tb.Helper()
	data := readFile(tb, firstExtract)
	rows := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(rows[0])
	w.WriteByte('\n')
	names := []string{"MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "LEFÈVRE", "MOREAU", "SIMON"}
	for i := range n {
		f := strings.Split(string(rows[1+i%(len(rows)-1)]), "|")
		id := rppsFromSeq(i)
		f[1], f[2], f[7] = id, "8"+id, names[i%len(names)]
		w.WriteString(strings.Join(f, "|"))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func timeMonth(m int) time.Month { return time.Month(m) }

// agencyRow is an agency record as the importer builds it, with the names,
// identifier ("" for none) and profession given.
func agencyRow(row int, last, first, id, profession string) rppsync.Record {
	return rppsync.Record{
		Row:        row,
		LastName:   rppsync.Name{Display: last, Folded: namekey.Fold(last)},
		FirstName:  rppsync.Name{Display: first, Folded: namekey.Fold(first)},
		Identifier: id,
		Profession: profession,
	}
}

// searchOf returns the name search of agency rows without an identifier,
// one per last name × first name: each searches its last name with
// one-typo keys (all of keysOf(last)) and its first name exactly.
func searchOf(lasts []string, firsts ...string) *matcher.NameSearch {
	var recs []rppsync.Record
	for _, l := range lasts {
		for _, f := range firsts {
			recs = append(recs, agencyRow(len(recs)+2, l, f, "", "IDE"))
		}
	}
	_, s := matcher.Wanted(recs, 0)
	return s
}

// fixtureFirsts are the first names of the first fixture extract, which
// writeShared and writeVaried give their people.
var fixtureFirsts = []string{"CLAIRE", "JEAN-PIERRE", "SOPHIE", "THI MAI", "ÉLODIE", "MANON", "HÉLÈNE", "MARIE", "ANTOINE", "LUCAS"}
