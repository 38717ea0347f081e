// Command xlsxscan is the baseline of the XLSX benchmark: it streams every
// row of every sheet of a workbook with excelize and counts the cells, doing
// nothing else. `make bench` compares `rppsync check` on the same file to it.
package main

import (
	"fmt"
	"os"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: xlsxscan FILE.xlsx")
		os.Exit(2)
	}
	if err := scan(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "xlsxscan:", err)
		os.Exit(1)
	}
}

func scan(path string) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, cells := 0, 0
	for _, sheet := range f.GetSheetList() {
		it, err := f.Rows(sheet)
		if err != nil {
			return err
		}
		for it.Next() {
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				it.Close()
				return err
			}
			rows++
			cells += len(cols)
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	fmt.Printf("%d rows, %d cells\n", rows, cells)
	return nil
}
