package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/store/storetest"
)

// mailbox is an SMTP server on loopback keeping what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs [][]byte
	port int
}

type mailSession struct{ box *mailbox }

func (s mailSession) Reset()                               {}
func (s mailSession) Logout() error                        { return nil }
func (s mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, b)
	s.box.mu.Unlock()
	return err
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return mailSession{box}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box
}

func (b *mailbox) received() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.msgs...)
}

// TestNotifyDeliversDigests configures the sample structures and agencies
// (one structure with a webhook on loopback), imports the sample files,
// and runs `rppsync notify` against a real SMTP server: one digest per
// structure with items, one fix list per agency, the webhook signed; the
// same run again sends nothing; no e-mail to one structure names another's
// worker.
func TestNotifyDeliversDigests(t *testing.T) {
	box := newMailbox(t)
	const secret = "0123456789abcdef0123456789abcdef-secret"
	var hooks [][]byte
	var hmu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(secret, r.Header.Get("X-Rppsync-Signature"), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		hmu.Lock()
		hooks = append(hooks, body)
		hmu.Unlock()
	}))
	defer hook.Close()

	dir := t.TempDir()
	conf := filepath.Join(dir, "structures.json")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`{"version": 1,
 "structures": [
  {"finess": "250999901", "name": "CH synthétique de Besançon", "aliases": ["CH SYNTHETIQUE DE BESANCON"],
   "contacts": [{"email": "rpps@chsb.example.org"}], "webhook": {"url": %q, "secret_env": "RPPSYNC_TEST_HOOK_SECRET"},
   "digest": {"attach": true}},
  {"finess": "690999909", "name": "Hôpital fictif Lyon Sud", "contacts": [{"email": "interim@hfls.example.org"}]}
 ],
 "agencies": [{"name": "Alpha", "contacts": [{"email": "rh@alpha.example.org"}]}]}`, hook.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RPPSYNC_TEST_HOOK_SECRET", secret)
	env := map[string]string{"DATABASE_URL": storetest.NewSchema(t), "RPPSYNC_TEST_HOOK_SECRET": secret}
	for _, args := range [][]string{
		{"structures", "load", conf},
		{"directory", "load", firstExtract}, {"directory", "load", cardExtract},
		append([]string{"import", "--agency", "Alpha"}, agencyFiles...),
	} {
		if r := run(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	notifyArgs := []string{"notify", "--smtp-host", "127.0.0.1", "--smtp-port", fmt.Sprint(box.port), "--smtp-tls", "none",
		"--smtp-from", "rppsync@localhost", "--deliver-for", "30s"}
	r := run(t, env, notifyArgs...)
	if r.code != 0 {
		t.Fatalf("notify: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "FINESS 750999906 : aucune structure configurée") {
		t.Errorf("the unconfigured structure is not reported:\n%s", r.stdout)
	}
	mails := box.received()
	if len(mails) != 3 {
		t.Fatalf("%d e-mails received, want 3 (two structures, one agency):\n%s", len(mails), r.stdout)
	}
	var chsb []byte
	for _, m := range mails {
		if bytes.Contains(m, []byte("rpps@chsb.example.org")) {
			chsb = m
		}
	}
	if chsb == nil {
		t.Fatal("no e-mail to CH-A")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(chsb))
	if err != nil {
		t.Fatal(err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<digest.structure.") || !bytes.Contains(chsb, []byte("file-validation-250999901")) {
		t.Errorf("CH-A's digest: Message-ID %q\n%.600s", id, chsb)
	}
	for _, m := range mails {
		if bytes.Contains(m, []byte("interim@hfls.example.org")) && bytes.Contains(m, []byte("file-validation-250999901")) {
			t.Error("Lyon's e-mail carries CH-A's queue")
		}
	}
	hmu.Lock()
	if len(hooks) != 1 || !bytes.Contains(hooks[0], []byte(`"recipient":"250999901"`)) {
		t.Errorf("webhooks = %q", hooks)
	}
	hmu.Unlock()

	if r := run(t, env, notifyArgs...); r.code != 0 || !strings.Contains(r.stdout, "0 synthèse(s) écrite(s)") {
		t.Fatalf("second notify: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := len(box.received()); n != 3 {
		t.Errorf("the second run sent %d more e-mails", n-3)
	}
}
