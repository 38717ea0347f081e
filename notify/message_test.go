package notify

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func validMessage() Message {
	return Message{
		Key:     "digest.750712184.2026-12-04",
		From:    "rppsync@hopital.example",
		To:      []string{"rh@hopital.example"},
		Subject: "Validations en attente",
		Text:    "Bonjour,\n3 dossiers attendent votre validation.",
	}
}

func TestMessageValidate(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*Message)
		defaultFrom string
		wantErr     bool
	}{
		{"valid", func(*Message) {}, "", false},
		{"from from config", func(m *Message) { m.From = "" }, "noreply@rppsync.example", false},
		{"no from at all", func(m *Message) { m.From = "" }, "", true},
		{"bad from", func(m *Message) { m.From = "secretariat chez hopital" }, "", true},
		{"empty key", func(m *Message) { m.Key = " " }, "", true},
		{"key too long", func(m *Message) { m.Key = strings.Repeat("k", maxKeyLen+1) }, "", true},
		{"key with newline", func(m *Message) { m.Key = "a\nb" }, "", true},
		{"no recipient", func(m *Message) { m.To = nil }, "", true},
		{"bad recipient", func(m *Message) { m.To = []string{"rh@hopital.example", "rh chez hopital"} }, "", true},
		{"no subject", func(m *Message) { m.Subject = "" }, "", true},
		{"html without text", func(m *Message) { m.Text = ""; m.HTML = "<p>Bonjour</p>" }, "", true},
		{"attachment without name", func(m *Message) { m.Attachments = []Attachment{{Data: []byte("x")}} }, "", true},
		{"attachment with a path", func(m *Message) { m.Attachments = []Attachment{{Name: "../a.xlsx"}} }, "", true},
		{"attachment ok", func(m *Message) { m.Attachments = []Attachment{{Name: "file.xlsx", Data: []byte("x")}} }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMessage()
			tt.edit(&m)
			err := m.Validate(tt.defaultFrom)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v does not wrap ErrInvalidMessage", err)
			}
			for _, addr := range append(m.To, m.From) {
				if addr != "" && strings.Contains(err.Error(), addr) {
					t.Errorf("error %q quotes the address %q", err, addr)
				}
			}
		})
	}
}

func TestWebhookValidate(t *testing.T) {
	valid := Webhook{Key: "k1", URL: "https://rh.example/hooks?token=abc", Secret: "s", Event: "queue.digest", Body: json.RawMessage(`{"a":1}`)}
	tests := []struct {
		name    string
		edit    func(*Webhook)
		wantErr bool
	}{
		{"valid", func(*Webhook) {}, false},
		{"http loopback", func(w *Webhook) { w.URL = "http://127.0.0.1:8080/x" }, false},
		{"no key", func(w *Webhook) { w.Key = "" }, true},
		{"relative url", func(w *Webhook) { w.URL = "/hooks" }, true},
		{"ftp url", func(w *Webhook) { w.URL = "ftp://rh.example/x" }, true},
		{"no secret", func(w *Webhook) { w.Secret = "" }, true},
		{"no event", func(w *Webhook) { w.Event = "" }, true},
		{"event with newline", func(w *Webhook) { w.Event = "a\r\nX-Evil: 1" }, true},
		{"body not json", func(w *Webhook) { w.Body = json.RawMessage(`{"a":`) }, true},
		{"empty body", func(w *Webhook) { w.Body = nil }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := valid
			tt.edit(&w)
			err := w.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidMessage) {
					t.Errorf("error %v does not wrap ErrInvalidMessage", err)
				}
				if strings.Contains(err.Error(), "token=abc") {
					t.Errorf("error %q quotes the URL", err)
				}
			}
		})
	}
}

func TestMessageID(t *testing.T) {
	tests := []struct {
		key, want string
	}{
		{"digest.750712184.2026-12-04", "<digest.750712184.2026-12-04@rppsync>"},
		{"a+b=c_d-e", "<a+b=c_d-e@rppsync>"},
		// Not dot-atoms, or the hashed form: hashed.
		{"agence 1/item 2", "<h.747ae8e0afe11805ca942ed2569bb68f@rppsync>"},
		{"a..b", ""},
		{".a", ""},
		{"a@b", ""},
		{"h.0123", ""},
		{"é", ""},
	}
	for _, tt := range tests {
		got := MessageID(tt.key)
		if got != MessageID(tt.key) {
			t.Errorf("MessageID(%q) is not deterministic", tt.key)
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("MessageID(%q) = %q, want %q", tt.key, got, tt.want)
		}
		if tt.want == "" && !strings.HasPrefix(got, "<h.") {
			t.Errorf("MessageID(%q) = %q, want the hashed form", tt.key, got)
		}
		checkMessageID(t, tt.key, got)
	}
	if MessageID("a b") == MessageID("a c") {
		t.Error("two keys give one Message-ID")
	}
}

// msgIDRE is RFC 5322's msg-id with dot-atom-text on both sides.
var msgIDRE = regexp.MustCompile("^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*>$")

// checkMessageID asserts that id is an RFC 5322 msg-id.
func checkMessageID(t *testing.T, key, id string) {
	t.Helper()
	if !msgIDRE.MatchString(id) {
		t.Fatalf("MessageID(%q) = %q: not an RFC 5322 msg-id", key, id)
	}
}

func FuzzMessageID(f *testing.F) {
	for _, k := range []string{"digest.1", "a b", "h.x", "", "a..b", "<x@y>", "é"} {
		f.Add(k, "other")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ida := MessageID(a)
		if ida != MessageID(a) {
			t.Fatalf("MessageID(%q) not deterministic", a)
		}
		if a != b && ida == MessageID(b) {
			t.Fatalf("MessageID(%q) == MessageID(%q) == %q", a, b, ida)
		}
		checkMessageID(t, a, ida)
	})
}
