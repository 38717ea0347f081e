package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// Message is an e-mail to deliver. Key is its idempotency key: River keeps
// one job per key, and the key becomes the Message-ID (see MessageID) so
// that receivers recognise a message sent twice. From may be empty: the
// sender's SMTPConfig.From is used. Text is the plain-text part and HTML,
// when set, the HTML alternative; both are in French, written by the caller.
type Message struct {
	Key         string       `json:"key" river:"unique"`
	From        string       `json:"from,omitempty"`
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	HTML        string       `json:"html,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file joined to a Message, such as a structure's queue
// export (XLSX) or a PDF. Data is held in the job's arguments (base64 in
// JSON), so keep attachments to what a mail server accepts (a few MB).
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Webhook is a JSON notification to POST to URL. Key is its idempotency
// key, sent as the Idempotency-Key header; Event names what happened
// (X-Rppsync-Event, e.g. "queue.digest"); Body is the JSON document;
// Secret signs it (X-Rppsync-Signature, see VerifySignature).
//
// Secret travels in the job's arguments, so it is stored in River's job
// table until the job is cleaned; Failures never returns it.
type Webhook struct {
	Key    string          `json:"key"`
	URL    string          `json:"url"`
	Secret string          `json:"secret"`
	Event  string          `json:"event"`
	Body   json.RawMessage `json:"body"`
}

// maxKeyLen bounds an idempotency key: it goes into headers.
const maxKeyLen = 200

// validKey reports why key cannot be an idempotency key, or "".
func validKey(key string) string {
	switch {
	case strings.TrimSpace(key) == "":
		return "la clé d'idempotence est vide ; chaque notification doit porter une clé stable (par exemple structure + date du passage)"
	case len(key) > maxKeyLen:
		return fmt.Sprintf("la clé d'idempotence fait %d octets ; elle doit en faire au plus %d", len(key), maxKeyLen)
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return "la clé d'idempotence contient un caractère de contrôle ; utilisez des lettres, chiffres et ponctuation"
		}
	}
	return ""
}

// Validate checks that m can be sent, given the sender's default From
// (empty when none). The error wraps ErrInvalidMessage and says what to fix;
// it names no address.
func (m Message) Validate(defaultFrom string) error {
	if why := validKey(m.Key); why != "" {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, why)
	}
	from := m.From
	if from == "" {
		from = defaultFrom
	}
	if from == "" {
		return fmt.Errorf("%w: message %q : aucun expéditeur ; renseignez From dans le message ou dans la configuration SMTP", ErrInvalidMessage, m.Key)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return fmt.Errorf("%w: message %q : l'adresse d'expéditeur n'est pas une adresse e-mail valide ; corrigez-la", ErrInvalidMessage, m.Key)
	}
	if len(m.To) == 0 {
		return fmt.Errorf("%w: message %q : aucun destinataire ; renseignez le contact de la structure", ErrInvalidMessage, m.Key)
	}
	for i, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("%w: message %q : le destinataire n°%d n'est pas une adresse e-mail valide ; corrigez le contact", ErrInvalidMessage, m.Key, i+1)
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fmt.Errorf("%w: message %q : l'objet est vide", ErrInvalidMessage, m.Key)
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("%w: message %q : la partie texte est vide ; elle est obligatoire, même avec une partie HTML", ErrInvalidMessage, m.Key)
	}
	for i, a := range m.Attachments {
		if strings.TrimSpace(a.Name) == "" || strings.ContainsAny(a.Name, "/\\\r\n") {
			return fmt.Errorf("%w: message %q : la pièce jointe n°%d n'a pas de nom de fichier utilisable", ErrInvalidMessage, m.Key, i+1)
		}
	}
	return nil
}

// Validate checks that w can be sent. The error wraps ErrInvalidMessage and
// says what to fix; it quotes neither the URL (it may hold a token) nor the
// secret.
func (w Webhook) Validate() error {
	if why := validKey(w.Key); why != "" {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, why)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: webhook %q : l'URL n'est pas une adresse http(s) absolue ; corrigez l'URL du webhook", ErrInvalidMessage, w.Key)
	}
	if w.Secret == "" {
		return fmt.Errorf("%w: webhook %q : aucun secret de signature ; renseignez le secret partagé avec le destinataire", ErrInvalidMessage, w.Key)
	}
	if strings.TrimSpace(w.Event) == "" || strings.ContainsAny(w.Event, "\r\n") {
		return fmt.Errorf("%w: webhook %q : l'événement est vide ou contient un saut de ligne", ErrInvalidMessage, w.Key)
	}
	if !json.Valid(w.Body) {
		return fmt.Errorf("%w: webhook %q : le corps n'est pas un document JSON valide", ErrInvalidMessage, w.Key)
	}
	return nil
}

// MessageIDDomain is the right-hand side of every Message-ID rppsync sets.
const MessageIDDomain = "rppsync"

// MessageID returns the Message-ID header value for an idempotency key,
// angle brackets included: "<KEY@rppsync>" when the key is a dot-atom made
// of letters, digits and "-_.+=", which keys such as "digest.750712184.
// 2026-12-04" are; otherwise "<h.HEX@rppsync>" with the first 32 hex digits
// of the key's SHA-256. It is deterministic, so a message sent again after a
// crash carries the same Message-ID, and distinct keys give distinct ids
// (short of a hash collision). Keys that start with "h." are hashed too, so
// that a key cannot take another key's hashed form.
func MessageID(key string) string {
	if plainKey(key) {
		return "<" + key + "@" + MessageIDDomain + ">"
	}
	sum := sha256.Sum256([]byte(key))
	return "<h." + hex.EncodeToString(sum[:16]) + "@" + MessageIDDomain + ">"
}

// plainKey reports whether key can stand as the left part of a Message-ID
// as it is: a dot-atom of a restricted alphabet, not of the hashed form.
func plainKey(key string) bool {
	if key == "" || len(key) > maxKeyLen || strings.HasPrefix(key, "h.") {
		return false
	}
	if key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == '+' || c == '=':
		default:
			return false
		}
	}
	return true
}
