package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"
)

// queueExport returns a real XLSX file, as a structure's queue export.
func queueExport(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]string{"A1": "Clé", "B1": "RPPS", "C1": "Action", "A2": "item-1", "B2": "10100271385", "C2": "valider l'activité"} {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func digestMessage(t *testing.T, key string) Message {
	return Message{
		Key:     key,
		To:      []string{"rh@hopital.example", "cadre@hopital.example"},
		Subject: "Dossiers à valider : 1 intérimaire",
		Text:    "Bonjour,\n\nUn intérimaire attend votre validation sur RPPS+.\nLe détail est joint.\n",
		HTML:    "<p>Bonjour,</p><p>Un intérimaire attend votre <b>validation</b> sur RPPS+.</p>",
		Attachments: []Attachment{
			{Name: "file-validation-750712184.xlsx", ContentType: xlsxType, Data: queueExport(t)},
			{Name: "notice.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")},
		},
	}
}

func newSMTPSender(t *testing.T, cfg SMTPConfig) *SMTPSender {
	t.Helper()
	cfg.Host = cmpOr(cfg.Host, "127.0.0.1")
	cfg.From = cmpOr(cfg.From, "rppsync@hopital.example")
	cfg.Timeout = 10 * time.Second
	cfg.HELO = "rppsync.test"
	cfg.Logger = checkedLogger(t)
	s, err := NewSMTPSender(cfg)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkDigest asserts what a mail client would show of the message sent.
func checkDigest(t *testing.T, got receivedMail, want Message, date time.Time) {
	t.Helper()
	if got.From != "rppsync@hopital.example" || strings.Join(got.To, ",") != strings.Join(want.To, ",") {
		t.Errorf("envelope from %q to %v", got.From, got.To)
	}
	pm := parseMail(t, got.Data)
	if pm.Subject != want.Subject {
		t.Errorf("Subject = %q, want %q", pm.Subject, want.Subject)
	}
	if pm.MessageID != MessageID(want.Key) {
		t.Errorf("Message-ID = %q, want %q", pm.MessageID, MessageID(want.Key))
	}
	if d, err := pm.Header.Date(); err != nil || !d.Equal(date.Truncate(time.Second)) {
		t.Errorf("Date = %q (%v), want %v", pm.Date, err, date)
	}
	if strings.ReplaceAll(pm.Text, "\r\n", "\n") != want.Text {
		t.Errorf("text part = %q, want %q", pm.Text, want.Text)
	}
	if pm.HTML != want.HTML {
		t.Errorf("HTML part = %q, want %q", pm.HTML, want.HTML)
	}
	if len(pm.Attachments) != len(want.Attachments) {
		t.Errorf("%d attachments, want %d", len(pm.Attachments), len(want.Attachments))
	}
	for _, a := range want.Attachments {
		p, ok := pm.Attachments[a.Name]
		if !ok {
			t.Errorf("attachment %s missing", a.Name)
			continue
		}
		if p.ContentType != a.ContentType || !bytes.Equal(p.Data, a.Data) {
			t.Errorf("attachment %s: %s, %d bytes; want %s, %d bytes", a.Name, p.ContentType, len(p.Data), a.ContentType, len(a.Data))
		}
	}
	if x, ok := pm.Attachments["file-validation-750712184.xlsx"]; ok {
		f, err := excelize.OpenReader(bytes.NewReader(x.Data))
		if err != nil {
			t.Fatalf("received XLSX unreadable: %v", err)
		}
		defer f.Close()
		if v, _ := f.GetCellValue("Sheet1", "C2"); v != "valider l'activité" {
			t.Errorf("received XLSX C2 = %q", v)
		}
	}
}

func TestSMTPSendSTARTTLS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
	s := newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSStartTLS, CAFile: pki.caFile})
	msg := digestMessage(t, "digest.750712184.2026-12-04")
	date := time.Date(2026, 12, 4, 2, 0, 7, 0, time.UTC)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Send(ctx, msg, date); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := peer.mails()
	if len(got) != 1 {
		t.Fatalf("%d mails received, want 1", len(got))
	}
	if !got[0].TLS {
		t.Error("message received in clear, want after STARTTLS")
	}
	checkDigest(t, got[0], msg, date)
}

func TestSMTPSendImplicitTLSClientCertificate(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, implicitTLS, tls.RequireAndVerifyClientCert)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg := digestMessage(t, "digest.750712184.2026-12-04")
	date := time.Date(2026, 12, 4, 2, 0, 7, 0, time.UTC)

	s := newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSImplicit, CAFile: pki.caFile,
		CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile})
	if err := s.Send(ctx, msg, date); err != nil {
		t.Fatalf("Send with client certificate: %v", err)
	}
	got := peer.mails()
	if len(got) != 1 {
		t.Fatalf("%d mails received, want 1", len(got))
	}
	if !got[0].TLS || got[0].PeerCommon != "rppsync.hopital.example" {
		t.Errorf("TLS %v, client certificate %q; want TLS with rppsync.hopital.example", got[0].TLS, got[0].PeerCommon)
	}
	checkDigest(t, got[0], msg, date)

	// Without a certificate, or with one of another authority, the server
	// refuses the handshake: a permanent failure, nothing received.
	for name, cfg := range map[string]SMTPConfig{
		"no client certificate":       {Port: peer.port, TLS: TLSImplicit, CAFile: pki.caFile},
		"client certificate of other": {Port: peer.port, TLS: TLSImplicit, CAFile: pki.caFile, CertFile: pki.otherClientCert, KeyFile: pki.otherClientCertKey},
	} {
		t.Run(name, func(t *testing.T) {
			err := newSMTPSender(t, cfg).Send(ctx, msg, date)
			checkDeliveryError(t, err, true, true, CodeSMTPTLS)
		})
	}
	if n := len(peer.mails()); n != 1 {
		t.Errorf("%d mails received, want still 1", n)
	}
}

func TestSMTPSendFailures(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg := digestMessage(t, "k1")
	msg.Attachments = nil

	t.Run("server certificate of an unknown authority", func(t *testing.T) {
		peer := newSMTPPeer(t, pki, implicitTLS, tls.NoClientCert)
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSImplicit, CAFile: pki.otherCAFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, true, CodeSMTPTLS)
	})
	t.Run("server certificate for another name", func(t *testing.T) {
		other := *pki
		other.server = pki.wrongName
		peer := newSMTPPeer(t, &other, plainWithSTARTTLS, tls.NoClientCert)
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, true, CodeSMTPTLS)
		if len(peer.mails()) != 0 {
			t.Error("message sent to a server of another name")
		}
	})
	t.Run("no STARTTLS offered", func(t *testing.T) {
		peer := newSMTPPeer(t, nil, plainOnly, tls.NoClientCert)
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSStartTLS, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, true, CodeSMTPTLS)
		if len(peer.mails()) != 0 {
			t.Error("message sent in clear")
		}
	})
	t.Run("clear to a loopback relay", func(t *testing.T) {
		peer := newSMTPPeer(t, nil, plainOnly, tls.NoClientCert)
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, TLS: TLSNone}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, false, false, "")
		if len(peer.mails()) != 1 {
			t.Errorf("%d mails, want 1", len(peer.mails()))
		}
	})
	t.Run("recipient refused 550", func(t *testing.T) {
		peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
		peer.rcpt = func(to string) error {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: boîte inconnue"}
		}
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, true, CodeSMTPRejected)
		if strings.Contains(err.Error(), "@") {
			t.Errorf("error %q quotes an address", err)
		}
		if !strings.Contains(err.Error(), "550") {
			t.Errorf("error %q does not give the server's code", err)
		}
	})
	t.Run("recipient deferred 451", func(t *testing.T) {
		peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
		peer.rcpt = func(string) error {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "réessayez plus tard"}
		}
		err := newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, false, CodeSMTPTemporary)
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		err = newSMTPSender(t, SMTPConfig{Port: port, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
		checkDeliveryError(t, err, true, false, CodeSMTPUnreachable)
	})
	t.Run("server silent", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close() // accept, then never greet
			}
		}()
		cfg := SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, CAFile: pki.caFile, From: "rppsync@hopital.example",
			Timeout: 300 * time.Millisecond, Logger: zerolog.New(zerolog.NewTestWriter(t))}
		s, err := NewSMTPSender(cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkDeliveryError(t, s.Send(ctx, msg, time.Time{}), true, false, CodeSMTPTimeout)
	})
	t.Run("invalid message", func(t *testing.T) {
		bad := msg
		bad.To = []string{"pas-une-adresse"}
		err := newSMTPSender(t, SMTPConfig{Port: 1, CAFile: pki.caFile}).Send(ctx, bad, time.Time{})
		checkDeliveryError(t, err, true, true, CodeEmailInvalid)
	})
}

func TestSMTPSendAuth(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
	peer.users = map[string]string{"rppsync": "mot-de-passe"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg := digestMessage(t, "k-auth")
	msg.Attachments = nil

	err := newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile, Username: "rppsync", Password: "faux"}).Send(ctx, msg, time.Time{})
	checkDeliveryError(t, err, true, true, CodeSMTPRejected)
	err = newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile}).Send(ctx, msg, time.Time{})
	checkDeliveryError(t, err, true, true, CodeSMTPRejected)
	if n := len(peer.mails()); n != 0 {
		t.Fatalf("%d mails accepted without authentication", n)
	}
	err = newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile, Username: "rppsync", Password: "mot-de-passe"}).Send(ctx, msg, time.Time{})
	checkDeliveryError(t, err, false, false, "")
	if n := len(peer.mails()); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
}

func TestNewSMTPSenderConfig(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	tests := []struct {
		name string
		cfg  SMTPConfig
		ok   bool
	}{
		{"defaults", SMTPConfig{Host: "smtp.hopital.example"}, true},
		{"no host", SMTPConfig{}, false},
		{"unknown TLS mode", SMTPConfig{Host: "smtp.hopital.example", TLS: "ssl"}, false},
		{"clear to a remote host", SMTPConfig{Host: "smtp.hopital.example", TLS: TLSNone}, false},
		{"clear to localhost", SMTPConfig{Host: "localhost", TLS: TLSNone}, true},
		{"clear to ::1", SMTPConfig{Host: "::1", TLS: TLSNone}, true},
		{"clear with a client certificate", SMTPConfig{Host: "127.0.0.1", TLS: TLSNone, CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}, false},
		{"port out of range", SMTPConfig{Host: "smtp.hopital.example", Port: 70000}, false},
		{"negative timeout", SMTPConfig{Host: "smtp.hopital.example", Timeout: -time.Second}, false},
		{"certificate without key", SMTPConfig{Host: "smtp.hopital.example", CertFile: pki.clientCertFile}, false},
		{"certificate and key swapped", SMTPConfig{Host: "smtp.hopital.example", CertFile: pki.clientKeyFile, KeyFile: pki.clientCertFile}, false},
		{"certificate and key", SMTPConfig{Host: "smtp.hopital.example", CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}, true},
		{"CA file missing", SMTPConfig{Host: "smtp.hopital.example", CAFile: pki.caFile + ".absent"}, false},
		{"CA file without certificate", SMTPConfig{Host: "smtp.hopital.example", CAFile: pki.clientKeyFile}, false},
		{"bad default From", SMTPConfig{Host: "smtp.hopital.example", From: "rppsync"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSMTPSender(tt.cfg)
			if tt.ok && err != nil {
				t.Fatalf("NewSMTPSender: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("NewSMTPSender: err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}
