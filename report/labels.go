package report

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/rppsync/rppsync"
	"golang.org/x/text/unicode/norm"
)

// statusLabels holds the French words for each status of CONTRACT.md.
var statusLabels = map[rppsync.Status]string{
	rppsync.StatusMatched:          "RPPS vérifié",
	rppsync.StatusIdentityMismatch: "RPPS d'une autre personne",
	rppsync.StatusRPPSUnknown:      "RPPS absent de l'annuaire",
	rppsync.StatusRPPSInvalid:      "RPPS invalide",
	rppsync.StatusCandidate:        "Candidat à confirmer",
	rppsync.StatusToRegister:       "Enregistrement à faire",
	rppsync.StatusInvalid:          "Ligne inutilisable",
	rppsync.StatusUnchecked:        "Non vérifié (pas d'annuaire)",
}

// channelLabels holds the French words for each registration channel.
var channelLabels = map[rppsync.Channel]string{
	rppsync.ChannelOrdre:    "Ordre",
	rppsync.ChannelARS:      "ARS",
	rppsync.ChannelRPPSPlus: "Portail RPPS+",
}

// StatusLabel returns the French words a HR person reads for s, such as
// "RPPS vérifié" for matched. A status this package does not know is shown
// as "Statut inconnu (code)" rather than hidden.
func StatusLabel(s rppsync.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return "Statut inconnu (" + string(s) + ")"
}

// ChannelLabel returns the French name of who registers a profession, such as
// "Portail RPPS+" for rpps_plus; "" for no channel (unknown profession), and
// the code itself for a channel this package does not know.
func ChannelLabel(c rppsync.Channel) string {
	if c == "" {
		return ""
	}
	if l, ok := channelLabels[c]; ok {
		return l
	}
	return string(c)
}

// FileErrorLabel is the status shown for a file that could not be read at all.
const FileErrorLabel = "Fichier illisible"

// FileErrorCode is the status code shown in the CSV and XLSX rows that stand
// for a file that could not be read at all (JSON carries the file's own error).
const FileErrorCode = "file_error"

// Neutralise returns s made safe to put in a spreadsheet cell: a value that
// Excel or LibreOffice would read as a formula or a command (it begins with
// "=", "+", "-", "@", a tab or a carriage return) gets a leading apostrophe,
// as OWASP recommends against CSV injection. Every other value is returned
// unchanged. The apostrophe stays visible in the cell: that is the price of
// a value that can never run. Reports carry no signed numbers (RPPS, FINESS,
// INSEE codes and row numbers are unsigned, dates are dd/mm/yyyy), so no
// legitimate negative number is ever altered.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// frenchDate formats d as dd/mm/yyyy, or "" when absent.
func frenchDate(d rppsync.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// frenchScore formats a candidate score with two decimals and a decimal comma.
func frenchScore(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1)
}

// issueText returns an issue as one line: the message, then its code.
func issueText(i rppsync.Issue) string {
	msg := strings.TrimSpace(i.Message)
	switch {
	case msg == "":
		return "[" + i.Code + "]"
	case i.Code == "":
		return msg
	}
	return msg + " [" + i.Code + "]"
}

// candidateText returns a candidate as "RPPS (score)".
func candidateText(c rppsync.Candidate) string {
	return c.RPPS + " (" + frenchScore(c.Score) + ")"
}

// fileErrorText returns a file error as one line: the message, then its code.
func fileErrorText(e *rppsync.FileError) string {
	return issueText(rppsync.Issue{Code: e.Code, Message: e.Message})
}

// deref returns *p, or "" for nil.
func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// rowsOf returns the rows a report shows for fr: none when the file could not
// be read (CONTRACT.md: a file with an error has no rows).
func rowsOf(fr rppsync.FileResult) []rppsync.Verdict {
	if fr.Error != nil {
		return nil
	}
	return fr.Rows
}

// LooksLikeNIR reports whether a column header names a social security number
// (NIR): "NIR", "N° Sécu", "Numéro de sécurité sociale", "NSS",
// "N° d'immatriculation". Such a column is never kept; reports list it apart
// so HR can ask the agency to stop sending it.
func LooksLikeNIR(header string) bool {
	words := strings.Fields(foldHeader(header))
	has := func(w string) bool {
		for _, x := range words {
			if x == w {
				return true
			}
		}
		return false
	}
	switch {
	case has("NIR"), has("NSS"), has("SECU"), has("IMMATRICULATION"):
		return true
	case has("SECURITE") && has("SOCIALE"):
		return true
	case has("SS") && (has("N") || has("NO") || has("NUM") || has("NUMERO")):
		return true
	}
	return false
}

// foldHeader upper-cases h, drops accents and turns everything that is not a
// letter or a digit into a space.
func foldHeader(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(h) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// splitUnmapped returns the unmapped columns of fr and, apart, the columns
// that carried a NIR: those the importer dropped, and unmapped ones whose
// header names a NIR.
func splitUnmapped(fr rppsync.FileResult) (other, nir []string) {
	nir = append(nir, fr.NIRColumns...)
	for _, c := range fr.Unmapped {
		if LooksLikeNIR(c) {
			nir = append(nir, c)
		} else {
			other = append(other, c)
		}
	}
	return other, nir
}

// sheetLists returns the names of the sheets read, the skipped ones with their
// reason, and the hidden ones.
func sheetLists(sheets []rppsync.SheetInfo) (read, skipped, hidden []string) {
	for _, s := range sheets {
		if s.Skipped != "" {
			skipped = append(skipped, s.Name+" ("+s.Skipped+")")
		} else {
			read = append(read, s.Name)
		}
		if s.Hidden {
			hidden = append(hidden, s.Name)
		}
	}
	return read, skipped, hidden
}
