package queue

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rppsync/rppsync"
)

// frDate writes d as a French reader expects it: 02/01/2006.
func frDate(d rppsync.Date) string {
	if d.IsZero() {
		return "(date inconnue)"
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// period writes "du 01/12/2026 au 21/12/2026".
func period(start, end rppsync.Date) string {
	return fmt.Sprintf("du %s au %s", frDate(start), frDate(end))
}

// frList joins items as French prose: "a", "a et b", "a, b et c".
func frList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// ordreBodies names the Ordre of each profession registered through one.
var ordreBodies = map[string]string{
	"10": "Ordre des médecins",
	"21": "Ordre des pharmaciens",
	"40": "Ordre des chirurgiens-dentistes",
	"50": "Ordre des sages-femmes",
	"60": "Ordre des infirmiers",
	"70": "Ordre des masseurs-kinésithérapeutes",
	"80": "Ordre des pédicures-podologues",
}

// BodyARS is the body named by follow_up_ars items.
const BodyARS = "Agence régionale de santé (ARS)"

// OrdreBody returns the Ordre that registers the profession code, or
// "Ordre professionnel" when the code is not one of the seven orders.
func OrdreBody(professionCode string) string {
	if b, ok := ordreBodies[professionCode]; ok {
		return b
	}
	return "Ordre professionnel"
}
