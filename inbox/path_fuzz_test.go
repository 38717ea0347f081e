package inbox

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidRel: a path Finish accepts is local to the inbox, outside the
// reserved folders, clean, printable and no deeper than a scan goes; a
// name Scan accepts is printable UTF-8.
func FuzzValidRel(f *testing.F) {
	for _, s := range []string{
		"planning.xlsx", "Interim Plus/planning.xlsx", "A/2026/x.csv", "A/B/C/x.csv", "../x", "/etc/passwd",
		"a/../b", "./a", "done/x", "Done/x", "processing", "a\x00b", "a\\b", "\xff.xlsx", "a//b", "a/", ".", "",
	} {
		f.Add(s)
	}
	in := &Inbox{cfg: Config{MaxDepth: 2}}
	f.Fuzz(func(t *testing.T, rel string) {
		if err := in.validRel(rel); err == nil {
			parts := strings.Split(rel, "/")
			switch {
			case !filepath.IsLocal(rel) || filepath.Clean(rel) != rel:
				t.Fatalf("accepted %q: not a clean local path", rel)
			case parts[0] == DoneDir || parts[0] == RejectedDir || parts[0] == ProcessingDir:
				t.Fatalf("accepted %q: reserved folder", rel)
			case len(parts) > 3:
				t.Fatalf("accepted %q: too deep", rel)
			case !printable(rel):
				t.Fatalf("accepted %q: not printable", rel)
			}
		}
		if code, _ := checkName(rel); code == "" && !printable(rel) {
			t.Fatalf("name %q accepted", rel)
		}
	})
}

func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}
