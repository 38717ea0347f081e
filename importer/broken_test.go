package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync"
)

// writeWorkbook saves a small workbook built by fill to dir/name.
func writeWorkbook(t *testing.T, dir, name string, fill func(f *excelize.File), opts ...excelize.Options) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f)
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p, opts...); err != nil {
		t.Fatalf("save %s: %v", name, err)
	}
	return p
}

// contractSheet fills Sheet1 with a heading and one row.
func contractSheet(f *excelize.File) {
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Nom", "Prénom", "N° RPPS"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"MARTIN", "Claire", int64(10999000010)})
}

// zipBomb writes a workbook-shaped zip whose sheet part unzips to size
// bytes of blanks. The part is stored, not deflated, so writing it stays
// fast under the race detector; the limits only look at declared sizes and
// at what is read, which is the same for a deflated bomb.
func zipBomb(t *testing.T, dir string, size int) string {
	t.Helper()
	p := filepath.Join(dir, "bomb.xlsx")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>`)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<16)
	for n := 0; n < size; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrokenFiles checks that every file that cannot be read gives its
// *rppsync.FileError code and a French message naming the file.
func TestBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	encrypted := writeWorkbook(t, dir, "secret.xlsx", contractSheet, excelize.Options{Password: "synthetique"})
	noHeader := writeWorkbook(t, dir, "sans-entete.xlsx", func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Liste du mois", "", ""})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"MARTIN", "Claire", "10999000010"})
		_, _ = f.NewSheet("Vide")
	})
	bomb := zipBomb(t, dir, 3<<20)
	broken := func(name string) string { return filepath.Join("testdata", "broken", name) }
	tests := []struct {
		name string
		path string
		opts Options
		code string
	}{
		{"missing", broken("absent.xlsx"), Options{}, CodeFileNotFound},
		{"empty", broken("empty.csv"), Options{}, CodeFileEmpty},
		{"directory", broken(""), Options{}, CodeFileUnsupported},
		{"truncated zip", broken("truncated.xlsx"), Options{}, CodeFileCorrupt},
		{"legacy xls", broken("legacy.xls"), Options{}, CodeFileUnsupported},
		{"pdf", broken("contrat.pdf"), Options{}, CodeFileUnsupported},
		{"pdf renamed xlsx", broken("pdf-renamed.xlsx"), Options{}, CodeFileUnsupported},
		{"png renamed csv", broken("logo-renamed.csv"), Options{}, CodeFileUnsupported},
		{"unknown extension", broken("notes.odt"), Options{}, CodeFileUnsupported},
		{"text renamed xlsx", broken("text-renamed.xlsx"), Options{}, CodeFileUnsupported},
		{"zip but not a workbook", broken("archive-not-workbook.xlsx"), Options{}, CodeFileUnsupported},
		{"binary csv", broken("binary.csv"), Options{}, CodeFileUnsupported},
		{"csv without header", broken("no-header.csv"), Options{}, CodeNoHeader},
		{"encrypted", encrypted, Options{}, CodeFileEncrypted},
		{"zip bomb", bomb, Options{MaxUnzipSize: 1 << 20}, CodeFileTooLarge},
		{"csv over limit", filepath.Join("..", "fixtures", "agencies", "interim-beta.csv"), Options{MaxTextSize: 100}, CodeFileTooLarge},
		{"shared strings over limit", filepath.Join("..", "fixtures", "agencies", "interim-alpha.xlsx"), Options{MaxUnzipXMLSize: 2000}, CodeFileTooLarge},
		{"workbook part over limit", filepath.Join("..", "fixtures", "agencies", "interim-alpha.xlsx"), Options{MaxUnzipXMLSize: 500}, CodeFileTooLarge},
		{"xlsx without header", noHeader, Options{}, CodeNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFile(context.Background(), tt.path, tt.opts)
			var fe *rppsync.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ReadFile(%s) error = %v, want a *rppsync.FileError", tt.path, err)
			}
			if fe.Code != tt.code {
				t.Errorf("code = %q, want %q (message %q)", fe.Code, tt.code, fe.Message)
			}
			if base := filepath.Base(tt.path); !strings.Contains(fe.Message, base) || !strings.HasPrefix(fe.Message, "Le fichier") {
				t.Errorf("message %q does not name %q", fe.Message, base)
			}
		})
	}
}

// TestNoHeaderListsSheets checks that a workbook without a heading still
// lists its sheets and why each was skipped.
func TestNoHeaderListsSheets(t *testing.T) {
	p := writeWorkbook(t, t.TempDir(), "sans-entete.xlsx", func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Liste du mois"})
		_, _ = f.NewSheet("Vide")
	})
	f, err := ReadFile(context.Background(), p, Options{})
	var fe *rppsync.FileError
	if !errors.As(err, &fe) || fe.Code != CodeNoHeader {
		t.Fatalf("err = %v, want no_header", err)
	}
	if f == nil || len(f.Sheets) != 2 {
		t.Fatalf("sheets = %+v, want 2", f)
	}
	if f.Sheets[0].Skipped != skipNoHeader || f.Sheets[1].Skipped != skipEmpty {
		t.Errorf("skipped reasons = %q, %q", f.Sheets[0].Skipped, f.Sheets[1].Skipped)
	}
}

// TestDefaultUnzipLimit checks the default bound is applied without options.
func TestDefaultUnzipLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB zip part")
	}
	p := zipBomb(t, t.TempDir(), int(DefaultMaxUnzipSize)+1)
	_, err := ReadFile(context.Background(), p, Options{})
	var fe *rppsync.FileError
	if !errors.As(err, &fe) || fe.Code != CodeFileTooLarge {
		t.Fatalf("err = %v, want file_too_large", err)
	}
}

// cancelAfter is a context whose Err reports cancellation after n calls,
// so the cancellation lands inside the row loops.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestCancelled checks that a context cancelled while rows are read stops
// ReadFile with the context's error, for workbooks and CSV files.
func TestCancelled(t *testing.T) {
	for _, name := range []string{"interim-alpha.xlsx", "interim-beta.csv"} {
		for _, n := range []int{0, 3, 8} {
			ctx := &cancelAfter{Context: context.Background(), n: n}
			_, err := ReadFile(ctx, filepath.Join("..", "fixtures", "agencies", name), Options{})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s after %d checks: err = %v, want context.Canceled", name, n, err)
			}
		}
	}
}
