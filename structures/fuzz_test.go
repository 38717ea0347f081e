package structures_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/matcher"
	"github.com/rppsync/rppsync/structures"
)

// FuzzParse checks that Parse never panics, that every refusal is a
// *ConfigError whose problems all have a code and a message, and that an
// accepted file is valid (normalised FINESS, names resolving to their
// structure) and survives MarshalJSON and Parse unchanged. The seed corpus
// is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := structures.Parse(bytes.NewReader(data))
		if err != nil {
			var ce *structures.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, structures.ErrInvalid) || len(ce.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
			}
			for _, p := range ce.Problems {
				if p.Code == "" || p.Message == "" {
					t.Fatalf("problem without code or message: %+v", p)
				}
			}
			return
		}
		for i := range file.Structures {
			s := &file.Structures[i]
			if n, err := matcher.ValidFINESS(s.FINESS); err != nil || n != s.FINESS {
				t.Fatalf("accepted FINESS %q: %v", s.FINESS, err)
			}
			for _, name := range append([]string{s.Name}, s.Aliases...) {
				if got, ok := file.Resolve(name); !ok || got != s.FINESS {
					t.Fatalf("%q resolves to %q, %v; want %s", name, got, ok, s.FINESS)
				}
			}
		}
		out, err := file.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := structures.Parse(strings.NewReader(string(out)))
		if err != nil {
			t.Fatalf("marshalled file refused: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(file.Structures, again.Structures) || !reflect.DeepEqual(file.Agencies, again.Agencies) {
			t.Fatalf("round trip differs:\n%s", out)
		}
	})
}
