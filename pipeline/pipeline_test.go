package pipeline_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// The project's own synthetic sample data (fixtures/).
var (
	extract = filepath.Join("..", "fixtures", "directory", "PS_LibreAcces_Personne_activite_202611200800.txt")
	cards   = filepath.Join("..", "fixtures", "directory", "Porteurs_CPS_CPF_202611200800.txt")
	files   = []string{
		filepath.Join("..", "fixtures", "agencies", "interim-alpha.xlsx"),
		filepath.Join("..", "fixtures", "agencies", "interim-beta.csv"),
		filepath.Join("..", "fixtures", "agencies", "interim-gamma.csv"),
	}
	now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
)

const chA = "250999901" // CH SYNTHETIQUE DE BESANCON

func newPipeline(t *testing.T, phases *[]pipeline.Phase) *pipeline.Pipeline {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t))
	p, err := pipeline.New(pipeline.Config{Logger: &log, Now: func() time.Time { return now },
		OnPhase: func(ph pipeline.Phase, _ pipeline.Source) {
			if phases != nil {
				*phases = append(*phases, ph)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewRefusesNegativeBatches(t *testing.T) {
	if _, err := pipeline.New(pipeline.Config{CheckBatch: -1}); !errors.Is(err, pipeline.ErrInvalidConfig) {
		t.Errorf("New = %v, want ErrInvalidConfig", err)
	}
}

// TestPass runs the steps of a pass on the sample data: load the extracts,
// check against the database and against the extract file (same verdicts),
// import twice (the second changes nothing), reconcile, and export one
// structure's queue (nothing of another structure).
func TestPass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	p := newPipeline(t, nil)

	for _, path := range []string{extract, cards} {
		l, err := p.LoadExtract(ctx, db, path, pipeline.LoadOptions{})
		if err != nil {
			t.Fatalf("LoadExtract %s: %v", path, err)
		}
		if l.Report.Lines == 0 || l.Cards != pipeline.IsCardExtract(path) {
			t.Errorf("LoadExtract %s = %+v", path, l)
		}
	}

	var phases []pipeline.Phase
	fromDB, err := newPipeline(t, &phases).Check(ctx, files, pipeline.Source{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if fromDB.Directory != pipeline.DirectoryDatabase || fromDB.Unreadable() != 0 {
		t.Fatalf("Check against the database: directory %s, %d unreadable", fromDB.Directory, fromDB.Unreadable())
	}
	if !reflect.DeepEqual(phases, []pipeline.Phase{pipeline.PhaseRead, pipeline.PhaseMatch}) {
		t.Errorf("phases = %v", phases)
	}
	fromFile, err := p.Check(ctx, files, pipeline.Source{Extract: extract})
	if err != nil {
		t.Fatal(err)
	}
	if fromFile.Directory != pipeline.DirectoryExtract || fromFile.Extract == nil || fromFile.Extract.Lines == 0 {
		t.Fatalf("Check against the extract: %+v", fromFile)
	}
	for i := range files {
		if !reflect.DeepEqual(fromDB.Files[i].Rows, fromFile.Files[i].Rows) {
			t.Errorf("%s: verdicts differ between the database and the extract file", files[i])
		}
	}
	none, err := p.Check(ctx, files, pipeline.Source{})
	if err != nil || none.Directory != pipeline.DirectoryNone {
		t.Fatalf("Check with no directory: %v, %v", none, err)
	}

	first, err := p.Import(ctx, db, files, pipeline.ImportOptions{Agency: "Alpha", DroppedBy: "rh"})
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, f := range first.Files {
		if f.Report == nil || f.Report.Duplicate {
			t.Fatalf("first import of %s: %+v", f.Result.Path, f.Report)
		}
		created += f.Report.ItemsCreated
	}
	if created == 0 || first.NoDirectory || first.NoCards {
		t.Fatalf("first import: %d items, %+v", created, first)
	}
	var seen []string
	again, err := p.Import(ctx, db, files, pipeline.ImportOptions{Agency: "Alpha", OnFile: func(fi pipeline.FileImport) {
		seen = append(seen, fi.Result.Path)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range again.Files {
		if !f.Report.Duplicate {
			t.Errorf("second import of %s was not recognised", f.Result.Path)
		}
	}
	if !reflect.DeepEqual(seen, files) {
		t.Errorf("OnFile saw %v", seen)
	}
	if _, err := p.Reconcile(ctx, db); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	n, err := p.Export(ctx, db, &buf, store.ItemFilter{FINESS: chA, States: []queue.State{queue.StatePending}}, report.QueueCSV, "Structure FINESS "+chA)
	if err != nil || n == 0 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 {
		t.Fatalf("%d CSV lines for %d items", len(recs), n)
	}
	for _, rec := range recs[1:] {
		if rec[3] != chA {
			t.Errorf("CH-A's export holds an item of FINESS %q", rec[3])
		}
	}
}

// TestImportHashesTheBytesRead replaces a file on disk after it was read
// and before it is recorded: the file is recorded under the hash of what
// was imported, and the new content, imported next, is not taken for a
// file already imported.
func TestImportHashesTheBytesRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "agence.csv")
	first := "Nom;Prénom;N° RPPS;Qualification;N° FINESS;Date début;Date fin\nMARTIN;Claire;10999000010;IDE;250999901;01/12/2026;21/12/2026\n"
	second := strings.Replace(first, "21/12/2026", "24/12/2026", 1)
	if err := os.WriteFile(path, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t))
	p, err := pipeline.New(pipeline.Config{Logger: &log, Now: func() time.Time { return now },
		OnPhase: func(ph pipeline.Phase, _ pipeline.Source) {
			if ph == pipeline.PhaseMatch { // read, not yet recorded: the agency drops a correction
				if err := os.WriteFile(path, []byte(second), 0o644); err != nil {
					t.Error(err)
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Import(ctx, db, []string{path}, pipeline.ImportOptions{Agency: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.Pool().QueryRow(ctx, `SELECT sha256 FROM import_file`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(first)); stored != hex.EncodeToString(sum[:]) {
		t.Errorf("recorded under %s, not the hash of the content imported", stored)
	}
	again, err := newPipeline(t, nil).Import(ctx, db, []string{path}, pipeline.ImportOptions{Agency: "Alpha"})
	if err != nil {
		t.Fatal(err)
	}
	if rep := again.Files[0].Report; rep == nil || rep.Duplicate {
		t.Errorf("the corrected content was taken for the file already imported: %+v", rep)
	}
}

// TestBirthPlaceReachesThePreFill checks a row born in Ajaccio in 1970 (a
// Corsican code before 1976) and one typed without punctuation: the
// verdict carries the code at birth, today's code and name, and the
// assumption made; the RPPS+ pre-fill shows them.
func TestBirthPlaceReachesThePreFill(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agence.csv")
	csv := "Nom;Prénom;Né(e) le;Lieu de naissance;Qualification;N° FINESS;Date début;Date fin\n" +
		"DUPUIS;Marc;12/03/1970;Ajaccio;Aide-soignant;250999901;01/12/2026;21/12/2026\n" +
		"LEBRUN;Anne;02/02/1990;Lhay les roses;Aide-soignante;250999901;01/12/2026;21/12/2026\n" +
		"MOREL;Paul;03/03/1991;13001 Marseille;Aide-soignant;250999901;01/12/2026;21/12/2026\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t, nil)
	db := storetest.New(t)
	if _, err := p.LoadExtract(context.Background(), db, extract, pipeline.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	checked, err := p.Check(context.Background(), []string{path}, pipeline.Source{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	rows := checked.Files[0].Rows
	bp := rows[0].BirthPlace
	if bp == nil || bp.Code != "20004" || bp.TodayCode != "2A004" || bp.TodayName != "Ajaccio" {
		t.Fatalf("Ajaccio 1970: %+v", bp)
	}
	items := queue.Build(checked.Records[0][0], rows[0], queue.Cards{}, now)
	var reg *queue.Registration
	var kinds []queue.Kind
	for _, it := range items {
		kinds = append(kinds, it.Kind)
		if it.Registration != nil {
			reg = it.Registration
		}
	}
	if reg == nil {
		t.Fatalf("no item carries the pre-fill: %v (status %s, issues %+v)", kinds, rows[0].Status, rows[0].Issues)
	}
	if reg.BirthINSEE != "20004" || reg.BirthTodayCode != "2A004" || reg.BirthTodayName != "Ajaccio" {
		t.Fatalf("pre-fill: %+v", reg)
	}
	if lb := rows[1].BirthPlace; lb == nil || lb.Code != "94038" {
		t.Errorf("Lhay les roses: %+v", lb)
	}
	if mb := rows[2].BirthPlace; mb == nil || mb.Code != "13201" || len(mb.Notes) == 0 {
		t.Errorf("13001 Marseille: %+v", mb)
	}
}
