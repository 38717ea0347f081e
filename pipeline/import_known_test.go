package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// TestImportTellsWhatTheDirectoryShows imports the sample agency file
// against the sample directory: MARTIN and GARCIA already practise at CH-A
// in the directory, so their validate_activity items say so and record it;
// DUBOIS Marie's candidates carry the directory's name, profession and
// site; every item names its worker (issue 12 §1).
func TestImportTellsWhatTheDirectoryShows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	p := newPipeline(t, nil)
	for _, path := range []string{extract, cards} {
		if _, err := p.LoadExtract(ctx, db, path, pipeline.LoadOptions{}); err != nil {
			t.Fatalf("LoadExtract %s: %v", path, err)
		}
	}
	if _, err := p.Import(ctx, db, files[:1], pipeline.ImportOptions{Agency: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	items, err := db.Items(ctx, store.ItemFilter{FINESS: chA})
	if err != nil {
		t.Fatal(err)
	}
	var declared, described int
	for _, s := range items {
		if s.Person == nil || s.Person.LastName == "" {
			t.Errorf("item %s %s names nobody", s.Kind, s.Key)
		}
		switch s.Kind {
		case queue.KindValidateActivity:
			if (s.RPPS == "10999000010" || s.RPPS == "10999000069") &&
				len(s.Declared) > 0 && strings.Contains(s.Reason, "Activité déjà déclarée : vérifiez les dates") {
				declared++
			}
		case queue.KindConfirmCandidate:
			for _, c := range s.Candidates {
				if c.RPPS == "10999000085" && c.LastName == "DUBOIS" && c.ProfessionLabel == "Infirmier" &&
					len(c.Sites) == 1 && c.Sites[0].FINESS == chA && c.Sites[0].Name == "CH SYNTHETIQUE DE BESANCON" {
					described++
				}
			}
		}
	}
	if declared != 2 || described != 1 {
		t.Errorf("%d validate_activity items tell the activity is already declared (want 2), %d candidates described (want 1)", declared, described)
	}
}
