package worker_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rppsync/rppsync/directory/fetch"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

const fixtureActivity2 = "../fixtures/directory/PS_LibreAcces_Personne_activite_202611270800.txt"

// TestPassFetchesAndLoads: a pass loads the extract a 200 answer brings,
// loads nothing on a 304, and keeps the directory in place when the
// download is truncated (the pass goes on, "partial").
func TestPassFetchesAndLoads(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t) // the first extract is loaded

	txt, err := os.ReadFile(fixtureActivity2)
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, err := zw.Create(filepath.Base(fixtureActivity2))
	if err != nil {
		t.Fatal(err)
	}
	f.Write(txt)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	body := zbuf.Bytes()
	var truncate atomic.Bool
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if truncate.Load() {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:len(body)/2])
			return // the server closes the connection: the body is cut
		}
		if r.Header.Get("If-None-Match") == `"v2"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v2"`)
		w.Write(body)
	}))
	defer srv.Close()
	fetcher, err := fetch.New(fetch.Config{Dir: t.TempDir(), URLs: map[fetch.Kind]string{fetch.Activity: srv.URL},
		MinLines: map[fetch.Kind]int64{fetch.Activity: 5}, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	w := e.newWorker(t, "r1", func(c *worker.Config) {
		c.Fetcher = fetcher
		c.FetchKinds = []fetch.Kind{fetch.Activity}
	})

	// 200: the new extract is loaded.
	s, err := w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Extracts) != 1 || !s.Extracts[0].Loaded || s.Extracts[0].NotModified || s.Outcome != store.RunOK {
		t.Fatalf("pass after a 200: %+v, outcome %s", s.Extracts, s.Outcome)
	}
	st, err := e.db.DirectoryStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != filepath.Base(fixtureActivity2) {
		t.Fatalf("directory loaded: %s", st.Name)
	}
	loadedAt := st.LoadedAt

	// 304: nothing loaded.
	s, err = w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Extracts) != 1 || s.Extracts[0].Loaded || !s.Extracts[0].NotModified || s.Outcome != store.RunOK {
		t.Fatalf("pass after a 304: %+v, outcome %s", s.Extracts, s.Outcome)
	}
	if st, err := e.db.DirectoryStatus(ctx); err != nil || !st.LoadedAt.Equal(loadedAt) {
		t.Fatalf("the directory was loaded again after a 304: %+v, %v", st, err)
	}

	// A truncated body: the download is refused, the directory stays, the
	// pass goes on and ends partial with the fetch's code.
	truncate.Store(true)
	s, err = w.RunPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != store.RunPartial || s.ErrorCode != "fetch_"+fetch.CodeTruncated || s.Extracts[0].Loaded || s.Reconciled == nil {
		t.Fatalf("pass after a truncated body: outcome %s, code %s, %+v", s.Outcome, s.ErrorCode, s.Extracts)
	}
	if st, err := e.db.DirectoryStatus(ctx); err != nil || !st.LoadedAt.Equal(loadedAt) {
		t.Fatalf("directory after a truncated download: %+v, %v", st, err)
	}
	if requests.Load() != 3 {
		t.Errorf("%d requests, want 3", requests.Load())
	}
}
