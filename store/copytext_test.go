package store_test

import (
	"context"
	"testing"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestLoadKeepsEveryCharacter loads values that COPY's text format must
// escape (backslashes, a literal \N, tabs and line breaks), quotes and
// non-ASCII letters, and reads them back unchanged.
func TestLoadKeepsEveryCharacter(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	lines := []directory.Line{
		line(luhnRPPS(1), `D'ARC\BACK`, `\N`, "60", "010000016"),
		line(luhnRPPS(2), `O"BRIEN`, `Zoé-Ève`, "10", "010000016"),
		line(luhnRPPS(3), "ŒUVRARD", "Ñandú", "10", ""),
	}
	lines[1].SiteName = "Clinique\tdu \\Lac\nNord\r"
	mustLoad(t, db, "PS_LibreAcces_Personne_activite_202601010000.txt", 1, lines)
	pros, err := db.Directory().Professionals(ctx, []string{luhnRPPS(1), luhnRPPS(2), luhnRPPS(3)})
	if err != nil {
		t.Fatal(err)
	}
	if p := pros[luhnRPPS(1)]; p.LastName != `D'ARC\BACK` || p.FirstName != `\N` {
		t.Errorf("backslashes: %q %q", p.LastName, p.FirstName)
	}
	if p := pros[luhnRPPS(2)]; p.LastName != `O"BRIEN` || p.FirstName != "Zoé-Ève" || len(p.Activities) != 1 {
		t.Errorf("quotes and accents: %+v", p)
	} else if got := p.Activities[0].SiteName; got != lines[1].SiteName {
		t.Errorf("site name with control characters came back as %q", got)
	}
	if p := pros[luhnRPPS(3)]; p.LastName != "ŒUVRARD" || p.FirstName != "Ñandú" {
		t.Errorf("non-ASCII: %q %q", p.LastName, p.FirstName)
	}
}
