package insee

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite data/index.snapshot from the reference files")

// TestSnapshotIsBuiltFromTheData checks that the embedded snapshot is the
// index Build makes from the embedded reference files, byte for byte, and
// decodes to it. After a change of the files or of the index, run
//
//	go test ./matcher/insee -run TestSnapshotIsBuiltFromTheData -update
func TestSnapshotIsBuiltFromTheData(t *testing.T) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	built, err := Build(sub)
	if err != nil {
		t.Fatal(err)
	}
	want := built.marshal()
	if *update {
		if err := os.WriteFile("data/index.snapshot", want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("data/index.snapshot rewritten (%d bytes): build again to embed it", len(want))
		return
	}
	if snapshot != string(want) {
		t.Fatalf("data/index.snapshot is not the index of the reference files (%d bytes, want %d): run go test ./matcher/insee -run TestSnapshotIsBuiltFromTheData -update", len(snapshot), len(want))
	}
	got, err := unmarshal(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	nilEmpty(built)
	if !reflect.DeepEqual(got, built) {
		t.Fatal("the decoded snapshot differs from the built index")
	}
	if !reflect.DeepEqual(Default(), built) {
		t.Fatal("Default() is not the built index")
	}
}

// nilEmpty makes the empty slices of ix nil, as a decoded snapshot has
// them (the two are the same to every reader).
func nilEmpty(ix *Index) {
	for i := range ix.places {
		p := &ix.places[i]
		if len(p.spans) == 0 {
			p.spans = nil
		}
		if len(p.succ) == 0 {
			p.succ = nil
		}
		if len(p.pred) == 0 {
			p.pred = nil
		}
	}
	for i, g := range ix.groups {
		if len(g) == 0 {
			ix.groups[i] = nil
		}
	}
	for _, m := range []map[string][]string{ix.postal, ix.terr} {
		for k, v := range m {
			if len(v) == 0 {
				m[k] = nil
			}
		}
	}
	for k, v := range ix.country {
		if len(v.codes) == 0 {
			v.codes = nil
			ix.country[k] = v
		}
	}
}

// TestSnapshotRefusesDamage checks that a truncated or altered snapshot is
// an error, never a partial index.
func TestSnapshotRefusesDamage(t *testing.T) {
	if _, err := unmarshal(""); !errors.Is(err, errSnapshot) {
		t.Errorf("empty snapshot: %v", err)
	}
	if _, err := unmarshal("rppsync insee index 0\n"); !errors.Is(err, errSnapshot) {
		t.Errorf("other version: %v", err)
	}
	for _, cut := range []int{len(snapshotMagic) + 1, len(snapshot) / 3, len(snapshot) - 1} {
		if _, err := unmarshal(snapshot[:cut]); !errors.Is(err, errSnapshot) {
			t.Errorf("snapshot cut at %d of %d: %v", cut, len(snapshot), err)
		}
	}
	if _, err := unmarshal(snapshot + "x"); !errors.Is(err, errSnapshot) {
		t.Errorf("snapshot with a byte more: %v", err)
	}
}
