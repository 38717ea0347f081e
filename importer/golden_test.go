package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// fixedNow is the reference date of the golden files (two-digit years).
var fixedNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// TestGolden reads every agency sample file and compares the result with
// testdata/golden/NAME.json (regenerate with go test ./importer -update).
func TestGolden(t *testing.T) {
	for _, name := range []string{"interim-alpha.xlsx", "interim-beta.csv", "interim-gamma.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "fixtures", "agencies", name)
			f, err := ReadFile(context.Background(), path, Options{Now: fixedNow})
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			got, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, filepath.Ext(name))+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; run go test ./importer -update and review the diff", name, golden)
			}
		})
	}
}
