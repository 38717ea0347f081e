package directory

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/matcher"
)

// TestFullSizeLoadFiltered loads the genbench directory against the RPPS
// of its agency-10k.csv and the name keys of its rows without an RPPS: the check --directory case at full
// size. It runs only when RPPSYNC_GENBENCH_DIR names a genbench output
// (go run ./fixtures/cmd/genbench -out DIR); measure its peak RSS with
// /usr/bin/time -v on the compiled test binary.
func TestFullSizeLoadFiltered(t *testing.T) {
	dir := os.Getenv("RPPSYNC_GENBENCH_DIR")
	if dir == "" {
		t.Skip("RPPSYNC_GENBENCH_DIR not set: no full-size extract to read")
	}
	rpps, keys := agencyFilter(t, filepath.Join(dir, "agency-10k.csv"))
	start := time.Now()
	m, st, err := LoadFiltered(context.Background(), filepath.Join(dir, "PS_LibreAcces_Personne_activite_202611200800.txt"), rpps, keys)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("filter: %d RPPS, %d keys; kept %d professionals in %s", len(rpps), len(keys), m.Len(), time.Since(start))
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

// agencyFilter reads the valid RPPS of a genbench agency CSV, and the name
// keys of its rows without one.
func agencyFilter(t *testing.T, path string) (rpps, keys []string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	seen := map[string]bool{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), ";")
		id := strings.ReplaceAll(cols[2], " ", "")
		if len(id) == 12 && id[0] == '8' {
			id = id[1:]
		}
		if ValidRPPS(id) {
			rpps = append(rpps, id)
			continue
		}
		// Candidates are searched for rows without a valid RPPS only.
		for _, k := range matcher.NameKeys(matcher.Fold(cols[0])) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rpps, keys
}
