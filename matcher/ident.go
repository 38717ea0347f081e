package matcher

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/rppsync/rppsync"
)

// IdentKind says what kind of identifier a typed number is.
type IdentKind string

// The identifier kinds of CONTRACT.md ("kind" of `rppsync lookup rpps`).
const (
	KindNone  IdentKind = ""      // nothing recognisable was typed
	KindRPPS  IdentKind = "rpps"  // 11 digits beginning with 1
	KindPSC   IdentKind = "psc"   // 8 + RPPS, the Pro Santé Connect form
	KindADELI IdentKind = "adeli" // the older 9-character ADELI number
)

// IssueFieldRPPS is the Issue.Field of every identifier issue, as CONTRACT.md shows it.
const IssueFieldRPPS = "rpps"

// Ident is a typed identifier after parsing.
type Ident struct {
	Input  string    // as given
	Kind   IdentKind // KindNone when nothing was given or the text is not an identifier
	RPPS   string    // the normalised 11-digit RPPS, or "" when there is none
	Valid  bool      // true when RPPS is a well-formed RPPS with a correct check digit
	Issues []rppsync.Issue
}

var (
	sciNotation  = regexp.MustCompile(`^([0-9])(?:[.,]([0-9]+))?[eE]\+?([0-9]{1,2})$`)
	trailingZero = regexp.MustCompile(`^([0-9]+)[.,]0+$`)
	adeliForm    = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{7}$`)
)

// ParseIdentifier reads an RPPS as people type it: with spaces, dots, dashes
// or slashes, as the 12-digit Pro Santé Connect form (8 + RPPS), with an
// Excel ".0" tail, or in scientific notation when that notation still holds
// every digit. It recognises ADELI numbers (flagged: an ADELI is not an
// RPPS) and explains every other form in a French sentence. An empty input
// gives KindNone and no issue: no identifier was given.
func ParseIdentifier(s string) Ident {
	id := Ident{Input: s}
	text := strings.TrimSpace(s)
	if text == "" {
		return id
	}
	if m := sciNotation.FindStringSubmatch(strings.ReplaceAll(text, " ", "")); m != nil {
		digits, ok := expandScientific(m[1], m[2], m[3])
		if !ok {
			id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSFormat, fmt.Sprintf(
				"Le numéro « %s » a été transformé par le tableur en notation scientifique et des chiffres sont perdus : "+
					"demandez à l'agence de renvoyer la colonne RPPS au format Texte.", text)))
			return id
		}
		text = digits
	}
	if m := trailingZero.FindStringSubmatch(text); m != nil {
		text = m[1]
	}
	clean := stripSeparators(text)
	if clean == "" {
		id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSFormat, fmt.Sprintf(
			"« %s » ne contient aucun chiffre : indiquez le numéro RPPS (11 chiffres commençant par 10) ou laissez la case vide.", text)))
		return id
	}
	upper := strings.ToUpper(clean)
	switch {
	case adeliForm.MatchString(upper):
		return adeli(id, upper)
	case len(upper) == 10 && upper[0] == '0' && adeliForm.MatchString(upper[1:]):
		// "Identification nationale PP" of an ADELI: 0 + ADELI.
		return adeli(id, upper[1:])
	}
	if !allDigits(clean) {
		id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSFormat, fmt.Sprintf(
			"Le numéro RPPS « %s » contient des lettres ou des signes : un RPPS ne compte que 11 chiffres ; "+
				"vérifiez-le sur la carte CPS ou dans l'annuaire santé.", text)))
		return id
	}
	switch {
	case len(clean) == 12 && clean[0] == '8':
		id.Kind = KindPSC
		return checkRPPS(id, clean[1:], text)
	case len(clean) == 11:
		id.Kind = KindRPPS
		return checkRPPS(id, clean, text)
	}
	id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSFormat, fmt.Sprintf(
		"Le numéro RPPS « %s » compte %d chiffres au lieu de 11 : vérifiez-le sur la carte CPS ou dans l'annuaire santé.",
		text, len(clean))))
	return id
}

// checkRPPS finishes id for an 11-digit candidate rpps.
func checkRPPS(id Ident, rpps, typed string) Ident {
	if rpps[0] != '1' {
		what := "Le numéro RPPS"
		if id.Kind == KindPSC {
			what = "Le numéro Pro Santé Connect (8 suivi du RPPS)"
		}
		id.Kind = KindNone
		id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSFormat, fmt.Sprintf(
			"%s « %s » ne peut pas être un RPPS : un RPPS commence toujours par 1 ; vérifiez-le sur la carte CPS ou dans l'annuaire santé.",
			what, typed)))
		return id
	}
	if !Luhn(rpps) {
		id.Issues = append(id.Issues, identIssue(rppsync.CodeRPPSChecksum, fmt.Sprintf(
			"Le numéro RPPS « %s » a le bon nombre de chiffres mais sa clé de contrôle est fausse : c'est presque "+
				"certainement une faute de frappe ; vérifiez le numéro sur la carte CPS ou l'annuaire santé.", typed)))
		return id
	}
	id.RPPS = rpps
	id.Valid = true
	return id
}

func adeli(id Ident, number string) Ident {
	id.Kind = KindADELI
	id.Issues = append(id.Issues, identIssue(rppsync.CodeADELINotRPPS, fmt.Sprintf(
		"Le numéro « %s » est un numéro ADELI, pas un RPPS : le répertoire ADELI a été remplacé par le RPPS "+
			"(bascule achevée en 2024) et tout professionnel qui avait un numéro ADELI a désormais un numéro RPPS ; "+
			"demandez-le à l'agence (11 chiffres commençant par 10, sur la carte CPS, l'e-CPS ou l'annuaire santé).", number)))
	return id
}

func identIssue(code, msg string) rppsync.Issue {
	return rppsync.Issue{Field: IssueFieldRPPS, Code: code, Message: msg}
}

// expandScientific writes lead.frac × 10^exp as digits when that is exact:
// the fraction holds at least exp digits and any digit past them is zero.
// A shorter fraction means the tableur rounded the number: digits are lost.
func expandScientific(lead, frac, exp string) (string, bool) {
	e := 0
	for _, c := range exp {
		e = e*10 + int(c-'0')
	}
	if len(frac) < e {
		return "", false
	}
	if strings.Trim(frac[e:], "0") != "" {
		return "", false
	}
	return lead + frac[:e], true
}

// stripSeparators removes what people put between digits: spaces (also
// non-breaking), dots, dashes, slashes, underscores.
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' || r == '/' || r == '_' || r == '\u2010' || r == '\u2011' ||
			r == '\u2013' || r == '\u202f' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ErrInvalidFINESS is matched (errors.Is) by every error ValidFINESS returns.
var ErrInvalidFINESS = errors.New("numéro FINESS invalide")

// ErrInvalidSIRET is matched (errors.Is) by every error ValidSIRET returns.
var ErrInvalidSIRET = errors.New("numéro SIRET invalide")

// Codes of the identifier errors, usable as Issue codes.
const (
	CodeFINESSFormat   = "finess_format"
	CodeFINESSChecksum = "finess_checksum"
	CodeSIRETFormat    = "siret_format"
	CodeSIRETChecksum  = "siret_checksum"
)

// IdentifierError says why a FINESS or SIRET number is not valid. Its
// Error() is a French sentence a HR person can act on; it wraps
// ErrInvalidFINESS or ErrInvalidSIRET.
type IdentifierError struct {
	Input string // as given
	Code  string // one of the Code* constants above
	msg   string
	kind  error
}

func (e *IdentifierError) Error() string { return e.msg }

// Unwrap returns ErrInvalidFINESS or ErrInvalidSIRET.
func (e *IdentifierError) Unwrap() error { return e.kind }

// ValidFINESS checks a FINESS number (9 characters, département first,
// 2A/2B for Corsica, Luhn key on all-digit numbers) and returns it
// normalised: separators removed, letters upper-cased. The département
// must be 01–95, 2A, 2B or an overseas 97/98 prefix.
func ValidFINESS(s string) (string, error) {
	n := strings.ToUpper(stripSeparators(strings.TrimSpace(s)))
	fail := func(code, msg string) (string, error) {
		return "", &IdentifierError{Input: s, Code: code, msg: msg, kind: ErrInvalidFINESS}
	}
	if len(n) != 9 {
		return fail(CodeFINESSFormat, fmt.Sprintf(
			"Le numéro FINESS « %s » compte %d caractères au lieu de 9 : recopiez le FINESS géographique de l'établissement depuis le répertoire FINESS.",
			s, len([]rune(n))))
	}
	dept, rest := n[:2], n[2:]
	corsica := dept == "2A" || dept == "2B"
	if !allDigits(rest) || (!corsica && !allDigits(dept)) {
		return fail(CodeFINESSFormat, fmt.Sprintf(
			"Le numéro FINESS « %s » contient des lettres ailleurs qu'en Corse (2A, 2B) : recopiez-le depuis le répertoire FINESS.", s))
	}
	if !corsica && (dept == "00" || dept == "96" || dept == "99") {
		return fail(CodeFINESSFormat, fmt.Sprintf(
			"Le numéro FINESS « %s » ne commence pas par un numéro de département : recopiez-le depuis le répertoire FINESS.", s))
	}
	if !corsica && !Luhn(n) {
		return fail(CodeFINESSChecksum, fmt.Sprintf(
			"La clé de contrôle du numéro FINESS « %s » est fausse : c'est presque certainement une faute de frappe ; recopiez-le depuis le répertoire FINESS.", s))
	}
	return n, nil
}

// laPosteSIREN is La Poste's SIREN: its establishments' SIRET numbers do
// not follow the Luhn rule but have a digit sum that is a multiple of 5.
const laPosteSIREN = "356000000"

// ValidSIRET checks a SIRET number: 14 digits with a Luhn key, or for La
// Poste (SIREN 356000000) a digit sum that is a multiple of 5. Spaces, dots
// and dashes are ignored.
func ValidSIRET(s string) error {
	n := stripSeparators(strings.TrimSpace(s))
	fail := func(code, msg string) error {
		return &IdentifierError{Input: s, Code: code, msg: msg, kind: ErrInvalidSIRET}
	}
	if !allDigits(n) || len(n) != 14 {
		return fail(CodeSIRETFormat, fmt.Sprintf(
			"Le numéro SIRET « %s » doit compter exactement 14 chiffres : recopiez-le depuis un document officiel (Kbis, avis de situation INSEE).", s))
	}
	if Luhn(n) {
		return nil
	}
	if strings.HasPrefix(n, laPosteSIREN) {
		sum := 0
		for i := 0; i < len(n); i++ {
			sum += int(n[i] - '0')
		}
		if sum%5 == 0 {
			return nil
		}
	}
	return fail(CodeSIRETChecksum, fmt.Sprintf(
		"La clé de contrôle du numéro SIRET « %s » est fausse : c'est presque certainement une faute de frappe ; recopiez-le depuis un document officiel.", s))
}
