package structures_test

import (
	"os"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/structures"
)

// TestDocExampleParses keeps the example of the package documentation (the
// README's copy) a file that loads.
func TestDocExampleParses(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case line == "//\t{":
			in = true
		case !in:
			continue
		}
		b.WriteString(strings.TrimPrefix(line, "//\t") + "\n")
		if line == "//\t}" {
			break
		}
	}
	if b.Len() == 0 {
		t.Fatal("no example found in doc.go")
	}
	f, err := structures.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("the documented example does not parse: %v\n%s", err, b.String())
	}
	if got, ok := f.Resolve("CHSB site Nord"); !ok || got != "250999901" {
		t.Errorf("Resolve = %q, %v", got, ok)
	}
}
