package directory

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/rppsync/rppsync/importer"
	"github.com/rppsync/rppsync/matcher"
)

// TestFullSizeLoadFiltered loads the genbench directory against the RPPS
// of its agency-10k.csv and the name search of all its rows, as
// check --directory does. It runs only when RPPSYNC_GENBENCH_DIR names a genbench output
// (go run ./fixtures/cmd/genbench -out DIR); measure its peak RSS with
// /usr/bin/time -v on the compiled test binary.
func TestFullSizeLoadFiltered(t *testing.T) {
	dir := os.Getenv("RPPSYNC_GENBENCH_DIR")
	if dir == "" {
		t.Skip("RPPSYNC_GENBENCH_DIR not set: no full-size extract to read")
	}
	f, err := importer.ReadFile(context.Background(), filepath.Join(dir, "agency-10k.csv"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rpps, names := matcher.Wanted(f.Records, 0)
	start := time.Now()
	m, st, err := LoadFiltered(context.Background(), filepath.Join(dir, "PS_LibreAcces_Personne_activite_202611200800.txt"), rpps, names)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("filter: %d RPPS, %d keys; kept %d professionals in %s", len(rpps), len(names.Keys()), m.Len(), time.Since(start))
	t.Logf("stats: lines %d kept %d ADELI %d bad %d recoded %d bytes %d; heap in use %d MB",
		st.Lines, st.Kept, st.ADELI, st.Bad, st.Recoded, st.Bytes, ms.HeapInuse>>20)
	if st.Bad != 0 || st.Lines == 0 || m.Len() == 0 {
		t.Errorf("unexpected stats %+v", st)
	}
	pros, err := m.Professionals(context.Background(), rpps)
	if err != nil {
		t.Fatal(err)
	}
	if share := float64(len(pros)) / float64(len(rpps)); share < 0.7 {
		t.Errorf("only %.0f%% of the agency RPPS found", 100*share)
	}
}
