package store

import (
	"strings"
	"unicode/utf8"
)

// cleanText returns s as PostgreSQL accepts it in a text column: NUL bytes
// removed and invalid UTF-8 sequences replaced by U+FFFD. Valid text without
// NUL, the overwhelming case, is returned as is without allocating.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
