package fetch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/directory/fetch"
)

// member is one file of a zip built by a test.
type member struct {
	name string
	body string
}

// zipOf builds a zip; its members are stored (not deflated), so that a test
// can corrupt a member's bytes in place.
func zipOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	activityMember = "PS_LibreAcces_Personne_activite_202611200800.txt"
	cardMember     = "Porteurs_CPS_CPF_202611200800.txt"
)

// activityZip is a PS_LibreAcces zip as published: the activity member
// (14 lines with the header) and the two others.
func activityZip(t testing.TB) []byte {
	return zipOf(t,
		member{"PS_LibreAcces_Dipl_AutExerc_202611200800.txt", "Type d'identifiant PP|Identifiant PP|\n"},
		member{activityMember, testdata(t, activityMember)},
		member{"PS_LibreAcces_SavoirFaire_202611200800.txt", "Type d'identifiant PP|Identifiant PP|\n"},
	)
}

// server is a loopback HTTP server whose handler a test swaps, and which
// records the request headers.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	handler  http.HandlerFunc
	requests []http.Header
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	s := &server{handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Header.Clone())
		h := s.handler
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

func (s *server) lastRequest() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

// serve answers with body, its ETag and Last-Modified when given, and
// honours conditional requests as a real server does (http.ServeContent).
func serve(body []byte, etag string, modified time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/zip")
		http.ServeContent(w, r, "", modified, bytes.NewReader(body))
	}
}

// raw writes a hand-made HTTP response on the hijacked connection and
// closes it.
func raw(head string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, bufrw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		bufrw.WriteString(head)
		bufrw.Write(body)
		bufrw.Flush()
	}
}

type fakeClock struct{ now time.Time }

func (c fakeClock) Now() time.Time { return c.now }

var now = time.Date(2026, 12, 4, 5, 0, 0, 0, time.UTC)

func newFetcher(t *testing.T, dir, url string, mod ...func(*fetch.Config)) *fetch.Fetcher {
	t.Helper()
	cfg := fetch.Config{
		Dir:      dir,
		URLs:     map[fetch.Kind]string{fetch.Activity: url + "/PS_LibreAcces", fetch.Cards: url + "/Porteurs_CPS_CPF"},
		MinLines: map[fetch.Kind]int64{fetch.Activity: 10, fetch.Cards: 5},
		Clock:    fakeClock{now},
		Logger:   zerolog.New(zerolog.NewTestWriter(t)),
	}
	for _, m := range mod {
		m(&cfg)
	}
	f, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// snapshot is every file of dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

func assertSame(t *testing.T, before, after map[string]string) {
	t.Helper()
	for name, content := range after {
		if b, ok := before[name]; !ok {
			t.Errorf("new file left behind: %s", name)
		} else if b != content {
			t.Errorf("%s changed", name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("%s removed", name)
		}
	}
}

// readActivity reads a fetched zip the way `directory load` does.
func readActivity(t *testing.T, path string) (time.Time, int) {
	t.Helper()
	ex, err := directory.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	r, err := directory.NewActivityReader(ex)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return ex.Date, n
}

func TestFetchThenNotModified(t *testing.T) {
	first := activityZip(t)
	second := zipOf(t, member{"PS_LibreAcces_Personne_activite_202611270800.txt", testdata(t, activityMember)})
	jan := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		etag1, etag2 string
		mod1, mod2   time.Time
		header, want string
	}{
		"etag":          {etag1: `"v1"`, etag2: `"v2"`, header: "If-None-Match", want: `"v1"`},
		"last-modified": {mod1: jan, mod2: jan.AddDate(0, 0, 7), header: "If-Modified-Since", want: jan.Format(http.TimeFormat)},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			srv := newServer(t, serve(first, tc.etag1, tc.mod1))
			f := newFetcher(t, dir, srv.URL)

			res, err := f.Fetch(context.Background(), fetch.Activity)
			if err != nil {
				t.Fatal(err)
			}
			wantPath := filepath.Join(dir, "PS_LibreAcces_202611200800.zip")
			if res.NotModified || res.Path != wantPath || res.Member != activityMember || res.Lines != 14 {
				t.Fatalf("first fetch: %+v", res)
			}
			if got := srv.lastRequest().Get(tc.header); got != "" {
				t.Errorf("first request carried %s: %q", tc.header, got)
			}
			date, lines := readActivity(t, res.Path)
			if date.Format("200601021504") != "202611200800" || lines == 0 {
				t.Errorf("directory reads date %v, %d lines", date, lines)
			}
			if b, _ := os.ReadFile(res.Path); !bytes.Equal(b, first) {
				t.Error("the file in place is not the bytes served")
			}

			res2, err := f.Fetch(context.Background(), fetch.Activity)
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.lastRequest().Get(tc.header); got != tc.want {
				t.Errorf("second request: %s = %q, want %q", tc.header, got, tc.want)
			}
			if !res2.NotModified || res2.Path != wantPath || res2.Lines != 14 {
				t.Errorf("second fetch: %+v, want not modified at %s", res2, wantPath)
			}

			// A newer extract is published: downloaded, and the old one removed.
			srv.set(serve(second, tc.etag2, tc.mod2))
			res3, err := f.Fetch(context.Background(), fetch.Activity)
			if err != nil {
				t.Fatal(err)
			}
			if res3.NotModified || filepath.Base(res3.Path) != "PS_LibreAcces_202611270800.zip" {
				t.Errorf("third fetch: %+v", res3)
			}
			if _, err := os.Stat(wantPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the previous download is still there: %v", err)
			}
			files := snapshot(t, dir)
			if len(files) != 2 || !strings.Contains(files["PS_LibreAcces.state.json"], "202611270800") {
				t.Errorf("destination holds %v", keys(files))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestFetchIsUnconditionalWhenThePreviousFileIsGone(t *testing.T) {
	dir := t.TempDir()
	srv := newServer(t, serve(activityZip(t), `"v1"`, time.Time{}))
	f := newFetcher(t, dir, srv.URL)
	res, err := f.Fetch(context.Background(), fetch.Activity)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(res.Path); err != nil {
		t.Fatal(err)
	}
	res, err = f.Fetch(context.Background(), fetch.Activity)
	if err != nil {
		t.Fatal(err)
	}
	if h := srv.lastRequest().Get("If-None-Match"); h != "" {
		t.Errorf("conditional request with no file to fall back on: If-None-Match %q", h)
	}
	if res.NotModified {
		t.Error("not modified, with no file")
	}
	if _, err := os.Stat(res.Path); err != nil {
		t.Error(err)
	}
}

func TestFetchCards(t *testing.T) {
	dir := t.TempDir()
	srv := newServer(t, serve(zipOf(t, member{cardMember, testdata(t, cardMember)}), `"c1"`, time.Time{}))
	f := newFetcher(t, dir, srv.URL)
	res, err := f.Fetch(context.Background(), fetch.Cards)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res.Path) != "Porteurs_CPS_CPF_202611200800.zip" || res.Lines != 11 {
		t.Fatalf("%+v", res)
	}
	ex, err := directory.OpenCards(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	r, err := directory.NewCardReader(ex)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	if r.Err() != nil || n == 0 {
		t.Errorf("card reader: %d cards, err %v", n, r.Err())
	}
	// An activity zip served for the cards is refused.
	srv.set(serve(activityZip(t), `"c2"`, time.Time{}))
	if _, err := f.Fetch(context.Background(), fetch.Cards); !errors.Is(err, fetch.ErrNoMember) {
		t.Errorf("activity zip as cards: err = %v, want ErrNoMember", err)
	}
}

func TestFetchFailuresKeepThePreviousDownload(t *testing.T) {
	good := activityZip(t)
	head := func(length int) string {
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", length)
	}
	corrupted := bytes.Clone(good)
	i := bytes.Index(corrupted, []byte("MARTIN"))
	if i < 0 {
		t.Fatal("fixture without MARTIN")
	}
	corrupted[i] = 'N' // same length, wrong CRC
	fewLines := zipOf(t, member{activityMember, strings.Join(strings.SplitAfter(testdata(t, activityMember), "\n")[:5], "")})

	for name, tc := range map[string]struct {
		handler  http.HandlerFunc
		mod      func(*fetch.Config)
		code     string
		sentinel error
	}{
		"body shorter than its Content-Length": {
			handler: raw(head(len(good)), good[:len(good)/2]), code: fetch.CodeTruncated, sentinel: fetch.ErrTruncated},
		"Content-Length shorter than the body": {
			handler: raw(head(len(good)/2), good), code: fetch.CodeCorrupt, sentinel: fetch.ErrCorrupt},
		"closed early without a length": {
			handler: raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", good[:len(good)-40]), code: fetch.CodeCorrupt, sentinel: fetch.ErrCorrupt},
		"corrupted member": {
			handler: serve(corrupted, `"v2"`, time.Time{}), code: fetch.CodeCorrupt, sentinel: fetch.ErrCorrupt},
		"an HTML page instead of the zip": {
			handler: serve([]byte("<html>Service indisponible</html>"), `"v2"`, time.Time{}), code: fetch.CodeCorrupt, sentinel: fetch.ErrCorrupt},
		"no expected member": {
			handler: serve(zipOf(t, member{"PS_LibreAcces_SavoirFaire_202611200800.txt", testdata(t, activityMember)}), `"v2"`, time.Time{}),
			code:    fetch.CodeNoMember, sentinel: fetch.ErrNoMember},
		"too few lines": {
			handler: serve(fewLines, `"v2"`, time.Time{}), code: fetch.CodeTooFewLine, sentinel: fetch.ErrTooFewLines},
		"server error": {
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "panne", http.StatusInternalServerError) },
			code:    fetch.CodeHTTPStatus, sentinel: fetch.ErrHTTPStatus},
		"larger than MaxSize, announced": {
			handler: serve(good, `"v2"`, time.Time{}), mod: func(c *fetch.Config) { c.MaxSize = int64(len(good) - 1) },
			code: fetch.CodeTooLarge, sentinel: fetch.ErrTooLarge},
		"larger than MaxSize, not announced": {
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(good[:100])
				w.(http.Flusher).Flush() // chunked: no Content-Length
				w.Write(good[100:])
			},
			mod:  func(c *fetch.Config) { c.MaxSize = int64(len(good) - 1) },
			code: fetch.CodeTooLarge, sentinel: fetch.ErrTooLarge},
		"unpacks to more than MaxUnpacked": {
			handler: serve(zipOf(t, member{activityMember, testdata(t, activityMember)}), `"v2"`, time.Time{}),
			mod:     func(c *fetch.Config) { c.MaxUnpacked = 1000 },
			code:    fetch.CodeTooLarge, sentinel: fetch.ErrTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			srv := newServer(t, serve(good, `"v1"`, time.Time{}))
			mods := []func(*fetch.Config){}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			// The previous download, made with the default limits.
			if _, err := newFetcher(t, dir, srv.URL).Fetch(context.Background(), fetch.Activity); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			f := newFetcher(t, dir, srv.URL, mods...)

			srv.set(tc.handler)
			_, err := f.Fetch(context.Background(), fetch.Activity)
			var fe *fetch.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *fetch.Error", err)
			}
			if fe.Code != tc.code || !errors.Is(err, tc.sentinel) {
				t.Errorf("code %q (%v), want %q", fe.Code, err, tc.code)
			}
			if msg := err.Error(); !strings.Contains(msg, "PS_LibreAcces") || !strings.Contains(msg, "sont conservés") {
				t.Errorf("message %q does not say which extract failed and that the previous one is kept", msg)
			}
			assertSame(t, before, snapshot(t, dir))

			// The state is intact: the next request is still conditional.
			srv.set(serve(good, `"v1"`, time.Time{}))
			res, err := f.Fetch(context.Background(), fetch.Activity)
			if err != nil || !res.NotModified {
				t.Errorf("after the failure: %+v, %v; want not modified", res, err)
			}
		})
	}
}

// slow sends the headers and the first bytes of body, then waits until the
// client goes away (or the test ends).
func slow(t *testing.T, body []byte, started chan<- struct{}) http.HandlerFunc {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:200])
		w.(http.Flusher).Flush()
		if started != nil {
			close(started)
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

func TestFetchHonoursCancellationOfASlowDownload(t *testing.T) {
	dir := t.TempDir()
	started := make(chan struct{})
	srv := newServer(t, slow(t, activityZip(t), started))
	f := newFetcher(t, dir, srv.URL)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	ctx, stop := context.WithCancel(ctx)
	go func() {
		<-started
		stop()
	}()
	_, err := f.Fetch(ctx, fetch.Activity)
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Code != fetch.CodeCancelled || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a cancelled *fetch.Error matching context.Canceled", err)
	}
	if files := snapshot(t, dir); len(files) != 0 {
		t.Errorf("left behind: %v", keys(files))
	}
}

func TestFetchGivesUpOnAStalledDownload(t *testing.T) {
	dir := t.TempDir()
	srv := newServer(t, slow(t, activityZip(t), nil))
	f := newFetcher(t, dir, srv.URL, func(c *fetch.Config) { c.StallTimeout = 200 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	_, err := f.Fetch(ctx, fetch.Activity)
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Code != fetch.CodeStalled || !errors.Is(err, fetch.ErrStalled) {
		t.Fatalf("err = %v, want a stalled *fetch.Error", err)
	}
	if files := snapshot(t, dir); len(files) != 0 {
		t.Errorf("left behind: %v", keys(files))
	}
}

func TestFetchRemovesStalePartialDownloads(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "PS_LibreAcces-crashed.part")
	live := filepath.Join(dir, "PS_LibreAcces-live.part")
	other := filepath.Join(dir, "Porteurs_CPS_CPF-crashed.part")
	for _, p := range []string{old, live, other} {
		if err := os.WriteFile(p, []byte("partiel"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, now.Add(-time.Hour), now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(live, now.Add(-time.Second), now.Add(-time.Second))
	srv := newServer(t, serve(activityZip(t), `"v1"`, time.Time{}))
	if _, err := newFetcher(t, dir, srv.URL).Fetch(context.Background(), fetch.Activity); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale part kept: %v", err)
	}
	for _, p := range []string{live, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
}

func TestNewValidatesTheConfig(t *testing.T) {
	dir := t.TempDir()
	for name, cfg := range map[string]fetch.Config{
		"no folder":        {},
		"not http":         {Dir: dir, URLs: map[fetch.Kind]string{fetch.Activity: "ftp://example.org/x"}},
		"unknown kind":     {Dir: dir, URLs: map[fetch.Kind]string{"PS_Autre": "https://example.org/x"}},
		"negative minimum": {Dir: dir, MinLines: map[fetch.Kind]int64{fetch.Cards: -1}},
		"negative size":    {Dir: dir, MaxSize: -1},
	} {
		if _, err := fetch.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	f, err := fetch.New(fetch.Config{Dir: filepath.Join(dir, "created")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "created")); err != nil {
		t.Error("destination not created:", err)
	}
	if _, err := f.Fetch(context.Background(), "PS_Autre"); !errors.Is(err, fetch.ErrUnknownKind) {
		t.Errorf("unknown kind: err = %v", err)
	}
}

func TestFetchGivesUpAfterTimeout(t *testing.T) {
	dir := t.TempDir()
	srv := newServer(t, slow(t, activityZip(t), nil))
	f := newFetcher(t, dir, srv.URL, func(c *fetch.Config) { c.Timeout = 300 * time.Millisecond; c.StallTimeout = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	_, err := f.Fetch(ctx, fetch.Activity)
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Code != fetch.CodeTimeout || !errors.Is(err, fetch.ErrTimeout) {
		t.Fatalf("err = %v, want a timeout *fetch.Error", err)
	}
	if files := snapshot(t, dir); len(files) != 0 {
		t.Errorf("left behind: %v", keys(files))
	}
}

func TestFetchReportsAnUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := newFetcher(t, t.TempDir(), url).Fetch(context.Background(), fetch.Activity)
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Code != fetch.CodeNetwork || !errors.Is(err, fetch.ErrNetwork) {
		t.Fatalf("err = %v, want a network *fetch.Error", err)
	}
	if !strings.Contains(err.Error(), "injoignable") {
		t.Errorf("message %q", err)
	}
}
