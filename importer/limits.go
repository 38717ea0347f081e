package importer

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/rppsync/rppsync"
)

// MaxCellRunes is the longest text kept of one cell: 4,096 characters, far
// beyond any agency field (a name, an address, an e-mail). A longer cell is
// cut to its first MaxCellRunes characters followed by CutMarker, and its
// row gets a CodeValueTooLong issue when the column is mapped: one shared
// string of megabytes referenced by thousands of cells costs no more than
// its first characters each time.
const MaxCellRunes = 4096

// CutMarker ends the text of a cell cut at MaxCellRunes characters.
const CutMarker = "[…]"

// errTextBudget says the mapped cell text of a workbook, all rows together,
// is over the file's budget (Options.MaxUnzipSize).
var errTextBudget = errors.New("cell text budget exceeded")

// capCell returns s, or its first MaxCellRunes characters followed by
// CutMarker, and whether it was cut. Only the first characters are looked
// at, never the whole of a long text.
func capCell(s string) (string, bool) {
	if len(s) <= MaxCellRunes {
		return s, false // fewer bytes than the limit: fewer characters too
	}
	i, n := 0, 0
	for i < len(s) && n < MaxCellRunes {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	if i == len(s) {
		return s, false
	}
	return s[:i] + CutMarker, true
}

// addCutIssues adds to rec a CodeValueTooLong issue for each cut cell of a
// mapped column (the values of other columns are not read).
func addCutIssues(rec *rppsync.Record, lay layout, cut []int) {
	for _, i := range cut {
		if i >= len(lay.cols) {
			continue
		}
		c := lay.cols[i]
		if c.field == "" || c.ignored || c.field == rppsync.FieldNIR {
			continue
		}
		rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(c.field), Code: CodeValueTooLong,
			Message: fmt.Sprintf("La colonne « %s » contient un texte de plus de %d caractères : seul le début est conservé, suivi de « %s » ; corrigez cette cellule et déposez le fichier à nouveau.", c.header, MaxCellRunes, CutMarker)})
	}
}
