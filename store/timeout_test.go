package store_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

// freezer is a TCP proxy on loopback in front of the test server. Once
// frozen, it forwards nothing more in either direction: the server looks
// frozen to the client (a stopped process, a network that drops
// everything), which no server-side timeout can catch.
type freezer struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen chan struct{}
	once   sync.Once
	conns  []net.Conn
}

func startFreezer(t *testing.T, target string, forward bool) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target, frozen: make(chan struct{})}
	if !forward {
		f.freeze()
	}
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func (f *freezer) addr() string { return f.ln.Addr().String() }

func (f *freezer) freeze() { f.once.Do(func() { close(f.frozen) }) }

func (f *freezer) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		go f.handle(c)
	}
}

func (f *freezer) handle(c net.Conn) {
	select {
	case <-f.frozen:
		return // accepts, never answers
	default:
	}
	s, err := net.Dial("tcp", f.target)
	if err != nil {
		c.Close()
		return
	}
	f.mu.Lock()
	f.conns = append(f.conns, s)
	f.mu.Unlock()
	go f.pipe(s, c)
	f.pipe(c, s)
}

// pipe copies src to dst until the proxy freezes or closes.
func (f *freezer) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-f.frozen:
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) close() {
	f.freeze()
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

// via returns url with the proxy's address in place of the server's.
func via(t *testing.T, url string, f *freezer) string {
	t.Helper()
	for _, host := range []string{"127.0.0.1:5432", "localhost:5432"} {
		if strings.Contains(url, host) {
			return strings.Replace(url, host, f.addr(), 1)
		}
	}
	t.Skipf("the test database %q is not on 127.0.0.1:5432: the proxy cannot stand in front of it", url)
	return ""
}

// within fails the test when fn has not returned after a generous bound:
// a hang guard, not a measure of speed.
func within(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(90 * time.Second):
		t.Fatal("the call still hangs after 90 s")
		return nil
	}
}

// TestFrozenServerTimesOut imports a file while the server is frozen: the
// import ends with ErrTimeout instead of blocking forever, and nothing of
// the file is written.
func TestFrozenServerTimesOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewSchema(t)
	f := startFreezer(t, "127.0.0.1:5432", true)
	db, err := store.Open(ctx, store.Config{URL: via(t, url, f), Timeout: 2 * time.Second, Logger: zerolog.New(zerolog.NewTestWriter(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f.freeze()
	file := impFile("inbox/gel.csv", "Alpha", "gel")
	err = within(t, func() error {
		_, err := db.ImportFile(ctx, file, impRows(file.Path, "", queue.Cards{}, pBernard), impNow)
		return err
	})
	if !errors.Is(err, store.ErrTimeout) {
		t.Fatalf("import against a frozen server = %v, want ErrTimeout", err)
	}
	direct := storetest.Open(t, url)
	for table, n := range impCounts(t, direct) {
		if n != 0 {
			t.Errorf("%s holds %d rows after the timeout", table, n)
		}
	}
}

// TestSilentServerConnectTimeout opens the database behind a listener that
// accepts and never answers: Open fails with ErrUnreachable.
func TestSilentServerConnectTimeout(t *testing.T) {
	t.Parallel()
	f := startFreezer(t, "127.0.0.1:5432", false)
	url := "postgres://postgres@" + f.addr() + "/rppsync_test?sslmode=disable"
	err := within(t, func() error {
		db, err := store.Open(context.Background(), store.Config{URL: url, ConnectTimeout: time.Second})
		if err == nil {
			db.Close()
		}
		return err
	})
	if !errors.Is(err, store.ErrUnreachable) {
		t.Fatalf("Open = %v, want ErrUnreachable", err)
	}
}

// TestLockTimeout imports while another session holds the queue's lock:
// the import gives up with ErrLockTimeout.
func TestLockTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewSchema(t)
	holder := storetest.Open(t, url)
	if _, err := holder.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Pgx().Exec(ctx, `SELECT pg_advisory_xact_lock(40, hashtext(coalesce(current_schema(), '')))`); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Config{URL: url, LockTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	file := impFile("inbox/verrou.csv", "Alpha", "verrou")
	err = within(t, func() error {
		_, err := db.ImportFile(ctx, file, impRows(file.Path, "", queue.Cards{}, pBernard), impNow)
		return err
	})
	if !errors.Is(err, store.ErrLockTimeout) {
		t.Fatalf("import under a held lock = %v, want ErrLockTimeout", err)
	}
}
