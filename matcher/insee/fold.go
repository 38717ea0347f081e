package insee

import (
	"strings"

	"github.com/rppsync/rppsync/namekey"
)

// isArticle reports whether a folded token is a leading article that
// INSEE keeps apart from the name (TNCC): Le, La, Les, L', Aux, Las, Los.
func isArticle(t string) bool {
	switch t {
	case "LE", "LA", "LES", "L", "AUX", "LAS", "LOS":
		return true
	}
	return false
}

// nameKey returns the comparison key of a folded, tokenised name: a
// leading article dropped, St/Ste/Sts/Stes spelt out, a lone "S" between
// words read as "sur" ("Boulogne s/ Mer"), and no spaces, so that
// "Saint-Étienne", "ST ETIENNE" and "st-etienne" share one key.
func nameKey(tokens []string) string {
	if len(tokens) > 1 && isArticle(tokens[0]) {
		tokens = tokens[1:]
	}
	n := 0
	for _, t := range tokens {
		n += len(t) + 2
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range tokens {
		switch t {
		case "ST":
			t = "SAINT"
		case "STE":
			t = "SAINTE"
		case "STS":
			t = "SAINTS"
		case "STES":
			t = "SAINTES"
		case "S":
			if i > 0 && i < len(tokens)-1 && len(tokens[i-1]) > 1 && len(tokens[i+1]) > 1 {
				t = "SUR"
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

// keyOf folds s and returns its name key.
func keyOf(s string) string {
	f := namekey.Fold(s)
	var buf [16]string // most names have fewer words: no allocation
	tokens := buf[:0]
	for f != "" {
		var t string
		t, f, _ = strings.Cut(f, " ")
		tokens = append(tokens, t)
	}
	return nameKey(tokens)
}

// isCodeToken reports whether a folded token has the shape of a
// five-character commune or postal code: five digits, or 2A/2B and three
// digits.
func isCodeToken(t string) bool {
	if len(t) != 5 {
		return false
	}
	start := 0
	if t[0] == '2' && (t[1] == 'A' || t[1] == 'B') {
		start = 2
	}
	for i := start; i < 5; i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// deptOfCode returns the département (or overseas collectivity) of a
// commune code: three characters for 97x and 98x, two otherwise.
func deptOfCode(code string) string {
	if len(code) < 3 {
		return code
	}
	if code[:2] == "97" || code[:2] == "98" {
		return code[:3]
	}
	return code[:2]
}

// normDeptCode returns the canonical form of a typed département code
// ("1" → "01", "2a" → "2A", "974"), or "" when t is not one. "20", the
// code of Corsica before 1976, and "985", Mayotte's before 2011, are kept
// as they are.
func normDeptCode(t string) string {
	t = strings.ToUpper(strings.TrimSpace(t))
	switch len(t) {
	case 1:
		if t[0] >= '1' && t[0] <= '9' {
			return "0" + t
		}
	case 2:
		if t == "2A" || t == "2B" {
			return t
		}
		if isDigits(t) && t != "00" && t <= "95" {
			return t
		}
	case 3:
		switch t {
		case "971", "972", "973", "974", "975", "976", "977", "978", "984", "985", "986", "987", "988", "989":
			return t
		}
	}
	return ""
}

func isDigits(s string) bool {
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
