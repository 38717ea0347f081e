package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Webhook request headers.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderEvent          = "X-Rppsync-Event"
	HeaderSignature      = "X-Rppsync-Signature"
)

// DefaultWebhookTimeout bounds one webhook request when WebhookConfig.Timeout
// is zero.
const DefaultWebhookTimeout = 15 * time.Second

// DefaultSignatureTolerance is the tolerance VerifySignature applies when
// given zero: how far a signature's timestamp may be from now.
const DefaultSignatureTolerance = 5 * time.Minute

// WebhookConfig configures a WebhookSender. The zero value is usable.
type WebhookConfig struct {
	// Timeout bounds one request, answer included; DefaultWebhookTimeout
	// when zero.
	Timeout time.Duration
	// Transport carries the requests; http.DefaultTransport when nil (tests
	// give one trusting their server's certificate).
	Transport http.RoundTripper
	// UserAgent is sent as User-Agent; "rppsync" when empty.
	UserAgent string
	// Logger receives the sender's logs; a "component" field is added.
	Logger zerolog.Logger
	// Now gives the signing time; time.Now when nil.
	Now func() time.Time
}

// WebhookSender POSTs signed JSON. It is safe for concurrent use.
type WebhookSender struct {
	client    *http.Client
	userAgent string
	now       func() time.Time
	log       zerolog.Logger
}

// NewWebhookSender validates cfg and returns a sender. Errors wrap
// ErrInvalidConfig.
func NewWebhookSender(cfg WebhookConfig) (*WebhookSender, error) {
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: délai des webhooks négatif ; indiquez une durée positive, ou 0 pour %s", ErrInvalidConfig, DefaultWebhookTimeout)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &WebhookSender{
		client: &http.Client{
			Timeout:   cmp.Or(cfg.Timeout, DefaultWebhookTimeout),
			Transport: cmp.Or[http.RoundTripper](cfg.Transport, http.DefaultTransport),
			// A POST redirected would be replayed as a GET, or re-signed
			// elsewhere: a redirect is an answer to fix, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent: cmp.Or(cfg.UserAgent, "rppsync"),
		now:       now,
		log:       cfg.Logger.With().Str("component", "notify_webhook").Logger(),
	}, nil
}

// Sign returns the X-Rppsync-Signature value for body at t:
// "t=UNIX,v1=HEX" where HEX is the HMAC-SHA256, keyed with secret, of the
// decimal timestamp, a dot and the body.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// ErrSignatureMalformed is returned by VerifySignature when the header is
// not of the form t=UNIX,v1=HEX[,v1=HEX…].
var ErrSignatureMalformed = errors.New("signature de webhook mal formée")

// ErrSignatureExpired is returned by VerifySignature when the signature's
// timestamp is further from now than the tolerance (a replay, or a clock
// off).
var ErrSignatureExpired = errors.New("signature de webhook hors délai")

// ErrSignatureMismatch is returned by VerifySignature when no v1 value is
// the body's HMAC under the secret.
var ErrSignatureMismatch = errors.New("signature de webhook invalide")

// VerifySignature checks an X-Rppsync-Signature header against the body
// received, as a receiver does: the timestamp must be within tolerance of
// now (DefaultSignatureTolerance when zero) and one of the v1 values (a
// sender rotating secrets may send several) must be the HMAC-SHA256 of
// "t.body" under secret, compared in constant time. Unknown fields are
// ignored. It returns nil or an error wrapping ErrSignatureMalformed,
// ErrSignatureExpired or ErrSignatureMismatch.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultSignatureTolerance
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: élément %q sans « = »", ErrSignatureMalformed, truncate(part, 20))
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: deux horodatages", ErrSignatureMalformed)
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 n'est pas un HMAC-SHA256 en hexadécimal", ErrSignatureMalformed)
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return fmt.Errorf("%w: t= et v1= sont obligatoires", ErrSignatureMalformed)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || unix < 0 || ts[0] == '+' {
		return fmt.Errorf("%w: t n'est pas un horodatage Unix", ErrSignatureMalformed)
	}
	// Compare in seconds: time.Unix far from now overflows a Duration.
	if d := now.Unix() - unix; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return fmt.Errorf("%w: signé à %d, reçu à %d, tolérance %s", ErrSignatureExpired, unix, now.Unix(), tolerance)
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Send POSTs w.Body to w.URL, signed now. A 2xx answer is a delivery; a
// failure is an *Error: permanent for a 4xx (but 408 and 429, which ask to
// come back later), a 3xx or a certificate that does not verify; temporary
// for a 5xx, 408, 429, a timeout or a refused connection.
func (s *WebhookSender) Send(ctx context.Context, w Webhook) error {
	if err := w.Validate(); err != nil {
		return permanent(CodeWebhookInvalid, "le webhook ne peut pas être envoyé tel quel ; corrigez-le", err)
	}
	body := []byte(w.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return permanent(CodeWebhookInvalid, "la requête du webhook ne peut pas être construite ; corrigez l'URL", nil)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	req.Header.Set(HeaderIdempotencyKey, w.Key)
	req.Header.Set(HeaderEvent, w.Event)
	req.Header.Set(HeaderSignature, Sign(w.Secret, s.now(), body))
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		e := classifyHTTP(ctx, err)
		s.log.Debug().Str("key", w.Key).Str("code", e.Code).Bool("permanent", e.Permanent).
			Dur("duration", time.Since(start)).Msg("webhook request failed")
		return e
	}
	// Drain a little so the connection can be reused; the answer's content
	// is not logged (it may echo anything).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	status := resp.StatusCode
	s.log.Debug().Str("key", w.Key).Int("status", status).Dur("duration", time.Since(start)).Msg("webhook answered")
	detail := "HTTP " + strconv.Itoa(status)
	switch {
	case status >= 200 && status < 300:
		return nil
	case status >= 500, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		e := temporary(CodeWebhookServerError, "le destinataire du webhook est en erreur ou surchargé ; il sera rappelé", nil)
		e.Detail = detail
		return e
	case status >= 300 && status < 400:
		e := permanent(CodeWebhookRejected, "le destinataire du webhook redirige ailleurs ; indiquez l'URL finale", nil)
		e.Detail = detail
		return e
	default:
		e := permanent(CodeWebhookRejected, "le destinataire refuse le webhook (adresse, secret ou contenu) ; corrigez la configuration puis renvoyez", nil)
		e.Detail = detail
		return e
	}
}

// classifyHTTP turns a transport failure into an *Error. The *url.Error
// quotes the URL, which may carry a token: only its cause is kept.
func classifyHTTP(ctx context.Context, err error) *Error {
	cause := err
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		cause = urlErr.Err
	}
	var (
		unknownAuth x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &hostnameErr), errors.As(err, &invalidErr):
		return permanent(CodeWebhookTLS, "le certificat du destinataire du webhook n'est pas reconnu ; corrigez l'URL ou le certificat", cause)
	case isTimeout(ctx, err):
		return temporary(CodeWebhookTimeout, "le destinataire du webhook ne répond pas à temps ; il sera rappelé", cause)
	default:
		return temporary(CodeWebhookUnreachable, "le destinataire du webhook est injoignable ; il sera rappelé", cause)
	}
}
