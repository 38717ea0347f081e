package directory

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/rppsync/rppsync/matcher"
	"os"
	"strings"
	"testing"
	"time"
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
