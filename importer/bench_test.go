package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeAgencyXLSX writes a workbook of n synthetic agency rows under a
// French heading row, as an agency's export would have them.
func writeAgencyXLSX(tb testing.TB, path string, n int) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	head := []any{"Nom", "Prénom", "N° RPPS", "Date de naissance", "Qualification", "N° FINESS", "Date début", "Date fin", "E-mail"}
	if err := sw.SetRow("A1", head); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{fmt.Sprintf("NOMTEST%d", i), "Camille", fmt.Sprintf("1000%07d", i), 29000 + i%9000,
			"Infirmier", "750000001", 46000, 46030, fmt.Sprintf("personne%d@exemple.fr", i)}
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReadXLSX10k reads a 10,000-row agency workbook through the fast
// scanner.
func BenchmarkReadXLSX10k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "agency-10k.xlsx")
	writeAgencyXLSX(b, path, 10000)
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadFile(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Records) != 10000 {
			b.Fatalf("%d records", len(f.Records))
		}
	}
}
