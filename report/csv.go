package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/rppsync/rppsync"
)

// bom is the UTF-8 byte order mark French Excel needs to read UTF-8.
const bom = "\uFEFF"

// Headers are the French column titles of the CSV and of the XLSX
// "Vérifications" sheet, in order.
var Headers = []string{
	"Fichier", "Feuille", "Ligne", "Statut", "Code statut", "RPPS", "Nom", "Prénom",
	"Code profession", "Canal", "INSEE naissance", "FINESS", "Début contrat", "Fin contrat",
	"Problèmes", "Candidats",
}

// listSep joins the issues and the candidates of one row in a single cell.
const listSep = " | "

// verdictCells returns the cells of one row in Headers order, not yet
// neutralised; dates are dd/mm/yyyy and absent values empty.
func verdictCells(path string, v rppsync.Verdict) []string {
	issues := make([]string, len(v.Issues))
	for i, is := range v.Issues {
		issues[i] = issueText(is)
	}
	cands := make([]string, len(v.Candidates))
	for i, c := range v.Candidates {
		cands[i] = candidateText(c)
	}
	var channel string
	if v.Channel != nil {
		channel = ChannelLabel(*v.Channel)
	}
	return []string{
		path, deref(v.Sheet), strconv.Itoa(v.Row), StatusLabel(v.Status), string(v.Status),
		deref(v.RPPS), deref(v.LastName), deref(v.FirstName), deref(v.ProfessionCode), channel,
		deref(v.BirthINSEE), deref(v.FINESS), frenchDate(v.ContractStart), frenchDate(v.ContractEnd),
		strings.Join(issues, listSep), strings.Join(cands, listSep),
	}
}

// fileErrorCells returns the row standing for a file that could not be read.
func fileErrorCells(f rppsync.FileResult) []string {
	cells := make([]string, len(Headers))
	cells[0] = f.Path
	cells[3] = FileErrorLabel
	cells[4] = FileErrorCode
	cells[14] = fileErrorText(f.Error)
	return cells
}

// writeCSV writes one line per row, and one line per unreadable file, for
// French Excel: UTF-8 with BOM, ";" separator, CRLF line ends, every cell
// neutralised against formula injection. Codes (RPPS, FINESS, INSEE) are
// written as text, but Excel opening the file directly reads them as numbers
// and drops leading zeros: HR should import it as text or use the xlsx format.
func writeCSV(w io.Writer, files []rppsync.FileResult) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(Headers); err != nil {
		return err
	}
	for _, f := range files {
		if f.Error != nil {
			if err := cw.Write(neutraliseAll(fileErrorCells(f))); err != nil {
				return err
			}
			continue
		}
		for _, v := range f.Rows {
			if err := cw.Write(neutraliseAll(verdictCells(f.Path, v))); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// neutraliseAll applies Neutralise to every cell, in place.
func neutraliseAll(cells []string) []string {
	for i, c := range cells {
		cells[i] = Neutralise(c)
	}
	return cells
}
