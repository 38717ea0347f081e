package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"
)

// productionRows reads sheet Feuil1 of a workbook as ReadFile does: the
// scanner, and excelize from where the scanner stops. It gives at most
// 5,000 rows (ok false past them) and says whether rows came out of order.
func productionRows(data []byte) (rows [][]string, reordered, ok bool, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false, false, err
	}
	ctx := context.Background()
	opts := Options{}.withDefaults()
	pkg := newPackage(zr, opts.MaxUnzipSize)
	wb, err := readWorkbook(ctx, pkg, opts.MaxUnzipXMLSize)
	if err != nil {
		return nil, false, false, err
	}
	sst, err := loadSharedStrings(ctx, pkg, wb.sharedStrings, opts.MaxUnzipXMLSize)
	if err != nil {
		return nil, false, false, err
	}
	x := &xlsxReader{data: data, opts: opts}
	defer x.close()
	part := wb.sheets[0].part
	rc, err := pkg.open(ctx, part)
	if err != nil {
		return nil, false, false, err
	}
	sr := newSheetRows(rc, sst)
	rs := &scanRows{sheetRows: sr, ctx: ctx, fallback: func(after int) (rowSource, error) {
		return x.excelizeRows(ctx, pkg, "Feuil1", part, after)
	}}
	for len(rows) <= 5000 {
		num, cells, more, err := rs.Next()
		if err != nil {
			return nil, sr.reordered, true, err
		}
		if !more {
			return rows, sr.reordered, true, nil
		}
		if num != len(rows)+1 {
			return nil, sr.reordered, true, errors.New("rows not numbered in order")
		}
		rows = append(rows, cells)
	}
	return nil, sr.reordered, false, nil
}

// excelizeVerdict reads a worksheet part with encoding/xml as excelize
// does (its charset reader included), up to the end of the sheet data:
// excelize's row iterator stops silently at an XML error, so that error is
// what "excelize refuses the part" means.
func excelizeVerdict(t *testing.T, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	xf := excelize.NewFile()
	defer xf.Close()
	return checkSheetXML(context.Background(), newPackage(zr, DefaultMaxUnzipSize), "xl/worksheets/sheet1.xml", xf.CharsetReader)
}

// longNumber finds row or column numbers large enough to make excelize's
// row iterator walk up to them for seconds.
var longNumber = regexp.MustCompile(`[0-9]{5}|[A-Z]{3}[0-9]`)

// sheetDataEnd finds the end tag of the sheet data.
var sheetDataEnd = regexp.MustCompile(`</([A-Za-z_][A-Za-z0-9_.-]*:)?sheetData[ \t\r\n]*>`)

// FuzzScannerVsExcelize feeds whole worksheet parts (prolog, doctype,
// declared encoding, namespaces and all) to the scanner and to excelize:
// the scanner reads a part only when excelize's parser reads it too, and
// then gives the same rows; ReadFile's reading (the scanner, then excelize
// where it stops) refuses exactly the parts excelize's parser refuses and
// otherwise gives excelize's rows.
func FuzzScannerVsExcelize(f *testing.F) {
	f.Add([]byte(sheetHead + `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><worksheet><sheetData><row><c t="inlineStr"><is><t>H` + "\xe9" + `l</t></is></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<!DOCTYPE worksheet [<!ENTITY e "><sheetData><row><c t='str'><v>GHOST</v></c></row></sheetData>">]><worksheet><sheetData><row><c t="str"><v>REAL</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><row r="2" a='>>>"'><c r="B2" t="str" x=">/>"><v>a&amp;b&#233;</v></c></row><!-- c --></sheetData><x/></worksheet>`))
	f.Add([]byte(`<x:worksheet xmlns:x="` + strictNS + `"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:r><x:t>a</x:t></x:r><x:r><x:t><![CDATA[<b>]]></x:t></x:r></x:is></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1"><f t="shared" si="0" ref="A1:A2">1</f><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>1</v></c></row></sheetData></worksheet>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, part []byte) {
		if longNumber.Match(part) {
			return
		}
		if j := sheetDataEnd.FindIndex(part); j != nil && bytes.Contains(part[j[1]:], []byte("row")) {
			// Rows after the end of the sheet data are no rows; excelize's
			// iterator reads them once its Columns has gone past that end.
			return
		}
		path := filepath.Join(dir, "fuzz.xlsx")
		writeRawXLSX(t, path, string(part), rawSST)
		data := rawBookBytes(t, path)
		// excelize refuses the part when its parser does, or its row
		// iterator.
		verdict := excelizeVerdict(t, data)
		var want [][]string
		if verdict == nil {
			want, verdict = excelizeRows(t, path, "Feuil1")
		}

		defer setXMLBuffer(16)()
		scanned, reordered, scanErr := scannedRowsOrder(t, path, "Feuil1")
		if scanErr == nil && !reordered && len(scanned) <= 5000 {
			if verdict != nil {
				t.Fatalf("the scanner read %q, excelize refuses the part: %v", scanned, verdict)
			}
			if !reflect.DeepEqual(norm(scanned), norm(want)) {
				t.Fatalf("scanner  %q\nexcelize %q", scanned, want)
			}
		}

		got, reordered, ok, err := productionRows(data)
		switch {
		case !ok || reordered:
			// Too many rows to compare, or rows out of order
			// (TestSheetRowsOutOfOrder).
		case verdict != nil && err == nil:
			t.Fatalf("read %q, excelize refuses the part: %v", got, verdict)
		case verdict == nil && err != nil:
			t.Fatalf("refused (%v), excelize reads %q", err, want)
		case verdict == nil && !reflect.DeepEqual(norm(got), norm(want)):
			t.Fatalf("read     %q\nexcelize %q", got, want)
		}
	})
}

// rawBookBytes returns the bytes of a file written by a test.
func rawBookBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
