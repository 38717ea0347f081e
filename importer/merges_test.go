package importer

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// decodedMergeRefs is the reference eachMergeRef must agree with: the ref
// of every mergeCell element, found by a full XML decoder.
func decodedMergeRefs(t *testing.T, doc string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var refs []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return refs
		}
		if err != nil {
			t.Fatalf("reference decoder: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "mergeCell" {
			for _, a := range se.Attr {
				if a.Name.Local == "ref" {
					refs = append(refs, a.Value)
				}
			}
		}
	}
}

// sheetXML builds a worksheet part: rows cells of text (with characters
// that look like markup once escaped), then the merged ranges, written
// with the given element prefix ("" or "x:") and quote.
func sheetXML(rows int, merges []string, prefix, quote string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><%sworksheet xmlns%s="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><%ssheetData>`,
		prefix, strings.TrimSuffix(":"+prefix, ":"), prefix)
	for r := 1; r <= rows; r++ {
		fmt.Fprintf(&b, `<%sc r="A%d" t="inlineStr"><%sis><%st>Nom &lt;mergeCell ref="Z%d:Z%d"/&gt; %d</%st></%sis></%sc>`,
			prefix, r, prefix, prefix, r, r+1, r, prefix, prefix, prefix)
	}
	fmt.Fprintf(&b, `</%ssheetData><%smergeCells count="%d">`, prefix, prefix, len(merges))
	for _, m := range merges {
		fmt.Fprintf(&b, `<%smergeCell ref=%s%s%s/>`, prefix, quote, m, quote)
	}
	fmt.Fprintf(&b, `</%smergeCells></%sworksheet>`, prefix, prefix)
	return b.String()
}

func TestEachMergeRef(t *testing.T) {
	var many []string
	for i := 1; i <= 5000; i++ { // more than one 64 KiB read of elements
		many = append(many, fmt.Sprintf("A%d:C%d", 2*i, 2*i+1))
	}
	for _, tt := range []struct {
		name   string
		doc    string
		readBy int // bytes per Read; 0: as much as asked
	}{
		{"none", sheetXML(10, nil, "", `"`), 0},
		{"few", sheetXML(3000, []string{"A1:D1", "B2:B3"}, "", `"`), 0},
		{"prefixed", sheetXML(3000, []string{"A1:D1", "B2:B3"}, "x:", `"`), 0},
		{"single quotes", sheetXML(50, []string{"A1:D1"}, "", `'`), 0},
		{"many", sheetXML(100, many, "", `"`), 0},
		{"many, byte by byte", sheetXML(20, many[:300], "x:", `"`), 1},
		{"many, odd reads", sheetXML(2000, many, "", `"`), 7919},
		{"attribute before ref", `<worksheet><mergeCells><mergeCell xr:uid="{1}" ref="B4:C5"/></mergeCells></worksheet>`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(tt.doc)
			if tt.readBy == 1 {
				r = iotest.OneByteReader(r)
			} else if tt.readBy > 0 {
				r = &chunkReader{r: r, n: tt.readBy}
			}
			var got []string
			if err := eachMergeRef(r, func(ref string) { got = append(got, ref) }); err != nil {
				t.Fatal(err)
			}
			if want := decodedMergeRefs(t, tt.doc); !slices.Equal(got, want) {
				t.Errorf("got %d refs %.80v…, want %d %.80v…", len(got), got, len(want), want)
			}
		})
	}
	t.Run("read error", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(sheetXML(100, nil, "", `"`)), iotest.ErrReader(io.ErrClosedPipe))
		if err := eachMergeRef(r, func(string) {}); err != io.ErrClosedPipe {
			t.Errorf("err = %v, want the read error", err)
		}
	})
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }
