package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testPKI is a certificate authority made for one test, with a server
// certificate for 127.0.0.1 and a client certificate, all written as PEM
// files in the test's directory.
type testPKI struct {
	caPool             *x509.CertPool
	server             tls.Certificate
	wrongName          tls.Certificate // of the test authority, for ailleurs.example only
	clientCert         *x509.Certificate
	caFile             string
	clientCertFile     string
	clientKeyFile      string
	otherCAFile        string // an authority that signed nothing here
	otherClientCert    string // a client certificate of the other authority
	otherClientCertKey string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	ca, caKey, caPEM := newCA(t, "rppsync test CA")
	other, otherKey, otherPEM := newCA(t, "autre autorité")
	p := &testPKI{caPool: x509.NewCertPool()}
	p.caPool.AddCert(ca)
	p.caFile = writeFile(t, dir, "ca.pem", caPEM)
	p.otherCAFile = writeFile(t, dir, "other-ca.pem", otherPEM)

	srvCert, srvKey := issue(t, ca, caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "smtp.test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:    []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	p.server = tls.Certificate{Certificate: [][]byte{srvCert.Raw}, PrivateKey: srvKey}
	wrongCert, wrongKey := issue(t, ca, caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "ailleurs.example"},
		DNSNames:    []string{"ailleurs.example"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	p.wrongName = tls.Certificate{Certificate: [][]byte{wrongCert.Raw}, PrivateKey: wrongKey}

	cliCert, cliKey := issue(t, ca, caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "rppsync.hopital.example"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	p.clientCert = cliCert
	p.clientCertFile = writeFile(t, dir, "client.pem", certPEM(cliCert))
	p.clientKeyFile = writeFile(t, dir, "client-key.pem", keyPEM(t, cliKey))

	oCert, oKey := issue(t, other, otherKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "intrus"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	p.otherClientCert = writeFile(t, dir, "other-client.pem", certPEM(oCert))
	p.otherClientCertKey = writeFile(t, dir, "other-client-key.pem", keyPEM(t, oKey))
	return p
}

// serial numbers the test certificates; tests run in parallel.
var serial atomic.Int64

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, certPEM(cert)
}

func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, tmpl *x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func keyPEM(t *testing.T, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// smtpPeer is an in-process go-smtp server on loopback that records what it
// receives. rcpt, when set, may refuse a recipient with an *smtp.SMTPError.
type smtpPeer struct {
	addr string
	port int
	rcpt func(to string) error
	// users, when set, makes the server demand AUTH PLAIN with one of
	// these user/password pairs.
	users map[string]string

	mu       sync.Mutex
	received []receivedMail
	sessions int
}

type receivedMail struct {
	From       string
	To         []string
	Data       []byte
	TLS        bool
	PeerCommon string // the client certificate's common name, if any
}

type smtpMode int

const (
	plainWithSTARTTLS smtpMode = iota // clear, STARTTLS offered
	implicitTLS                       // TLS from the first byte
	plainOnly                         // clear, no STARTTLS
)

// newSMTPPeer starts a go-smtp server. clientAuth applies to the TLS
// handshake (tls.RequireAndVerifyClientCert to demand a certificate of the
// test authority).
func newSMTPPeer(t *testing.T, pki *testPKI, mode smtpMode, clientAuth tls.ClientAuthType) *smtpPeer {
	t.Helper()
	p := &smtpPeer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		p.mu.Lock()
		p.sessions++
		p.mu.Unlock()
		s := &peerSession{peer: p, conn: c}
		if p.users != nil {
			return &authSession{s}, nil
		}
		return s, nil
	}))
	srv.Domain = "localhost"
	log := &testLogger{t: t}
	srv.ErrorLog = log
	// Registered first, so run last: once the test is over, a connection
	// handler that go-smtp lets outlive Serve must not log to it.
	t.Cleanup(log.stop)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	var tlsConf *tls.Config
	if pki != nil {
		tlsConf = &tls.Config{
			Certificates: []tls.Certificate{pki.server},
			ClientAuth:   clientAuth,
			ClientCAs:    pki.caPool,
			MinVersion:   tls.VersionTLS12,
		}
	}
	var l net.Listener
	var err error
	switch mode {
	case plainWithSTARTTLS:
		srv.TLSConfig = tlsConf
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case implicitTLS:
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	case plainOnly:
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.port = l.Addr().(*net.TCPAddr).Port
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return p
}

func (p *smtpPeer) mails() []receivedMail {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]receivedMail(nil), p.received...)
}

type peerSession struct {
	peer   *smtpPeer
	conn   *smtp.Conn
	cur    receivedMail
	authed bool
}

// authSession is a peerSession that offers AUTH PLAIN.
type authSession struct{ *peerSession }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := s.peer.users[user]; !ok || want != pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "identifiants refusés"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *peerSession) Reset()        { s.cur = receivedMail{} }
func (s *peerSession) Logout() error { return nil }

func (s *peerSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.peer.users != nil && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *peerSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.peer.rcpt != nil {
		if err := s.peer.rcpt(to); err != nil {
			return err
		}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *peerSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.cur
	m.Data = data
	if st, ok := s.conn.TLSConnectionState(); ok {
		m.TLS = st.HandshakeComplete
		if len(st.PeerCertificates) > 0 {
			m.PeerCommon = st.PeerCertificates[0].Subject.CommonName
		}
	}
	s.peer.mu.Lock()
	s.peer.received = append(s.peer.received, m)
	s.peer.mu.Unlock()
	return nil
}

// parsedMail is a received message, decoded.
type parsedMail struct {
	Header      mail.Header
	Subject     string
	MessageID   string
	Date        string
	Text        string
	HTML        string
	Attachments map[string]parsedPart // by file name
}

type parsedPart struct {
	ContentType string
	Data        []byte
}

// parseMail reads a MIME message the way a mail client would: headers,
// encoded words, nested multiparts, quoted-printable and base64 bodies.
func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	pm := parsedMail{
		Header: msg.Header, Subject: subject,
		MessageID: msg.Header.Get("Message-Id"), Date: msg.Header.Get("Date"),
		Attachments: map[string]parsedPart{},
	}
	walkPart(t, &pm, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return pm
}

func walkPart(t *testing.T, pm *parsedMail, contentType, cte, disposition string, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			walkPart(t, pm, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part)
		}
	}
	var data []byte
	switch strings.ToLower(cte) {
	case "base64":
		data, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body}))
	case "quoted-printable":
		data, err = io.ReadAll(newQPReader(body))
	default:
		data, err = io.ReadAll(body)
	}
	if err != nil {
		t.Fatalf("decode %s part: %v", mt, err)
	}
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		pm.Attachments[dp["filename"]] = parsedPart{ContentType: mt, Data: data}
		return
	}
	switch mt {
	case "text/plain":
		pm.Text = string(data)
	case "text/html":
		pm.HTML = string(data)
	default:
		t.Errorf("unexpected part %s", mt)
	}
}

// crlfStripper drops line breaks from a base64 body.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

func newQPReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }

// testLogger sends go-smtp's server errors to the test's log until the
// test ends (stop): a connection handler may still log after Serve
// returned, and logging to a finished test is a race.
type testLogger struct {
	t       *testing.T
	mu      sync.Mutex
	stopped bool
}

func (l *testLogger) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

func (l *testLogger) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("smtp server: "+format, v...)
	}
}

func (l *testLogger) Println(v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Log(append([]any{"smtp server:"}, v...)...)
	}
}
