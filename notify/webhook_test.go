package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"structure":"750712184","items":3}`)
	at := time.Unix(1764806400, 0)
	sig := Sign("s3cret", at, body)
	if !strings.HasPrefix(sig, "t=1764806400,v1=") || len(sig) != len("t=1764806400,v1=")+64 {
		t.Fatalf("Sign = %q", sig)
	}
	other := Sign("ancien", at, body)
	v1Other := other[strings.Index(other, "v1="):]
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		tol    time.Duration
		want   error
	}{
		{"ok", "s3cret", sig, body, at, 0, nil},
		{"ok within tolerance", "s3cret", sig, body, at.Add(4 * time.Minute), 0, nil},
		{"ok signed slightly ahead", "s3cret", sig, body, at.Add(-4 * time.Minute), 0, nil},
		{"ok spaces and unknown field", "s3cret", " " + strings.ReplaceAll(sig, ",", " , ") + ",v0=zz", body, at, 0, nil},
		{"ok rotation: second v1 matches", "s3cret", sig + "," + v1Other, body, at, 0, nil},
		{"ok rotation: first v1 matches", "ancien", sig + "," + v1Other, body, at, 0, nil},
		{"expired", "s3cret", sig, body, at.Add(6 * time.Minute), 0, ErrSignatureExpired},
		{"expired custom tolerance", "s3cret", sig, body, at.Add(2 * time.Second), time.Second, ErrSignatureExpired},
		{"from the future", "s3cret", sig, body, at.Add(-time.Hour), 0, ErrSignatureExpired},
		{"far past does not overflow", "s3cret", "t=0," + sig[strings.Index(sig, "v1="):], body, at, 0, ErrSignatureExpired},
		{"wrong secret", "autre", sig, body, at, 0, ErrSignatureMismatch},
		{"body altered", "s3cret", sig, []byte(`{"structure":"750712184","items":4}`), at, 0, ErrSignatureMismatch},
		{"timestamp altered", "s3cret", strings.Replace(sig, "t=1764806400", "t=1764806401", 1), body, at, 0, ErrSignatureMismatch},
		{"empty", "s3cret", "", body, at, 0, ErrSignatureMalformed},
		{"no t", "s3cret", sig[strings.Index(sig, "v1="):], body, at, 0, ErrSignatureMalformed},
		{"no v1", "s3cret", "t=1764806400", body, at, 0, ErrSignatureMalformed},
		{"two t", "s3cret", "t=1764806400," + sig, body, at, 0, ErrSignatureMalformed},
		{"t not a number", "s3cret", strings.Replace(sig, "t=1764806400", "t=demain", 1), body, at, 0, ErrSignatureMalformed},
		{"t signed", "s3cret", strings.Replace(sig, "t=1764806400", "t=+1764806400", 1), body, at, 0, ErrSignatureMalformed},
		{"v1 not hex", "s3cret", "t=1764806400,v1=xyz", body, at, 0, ErrSignatureMalformed},
		{"v1 short", "s3cret", "t=1764806400,v1=abcd", body, at, 0, ErrSignatureMalformed},
		{"no equals", "s3cret", "t=1764806400,v1", body, at, 0, ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.header, tt.body, tt.now, tt.tol)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	at := time.Unix(1764806400, 0)
	f.Add("s", Sign("s", at, []byte(`{}`)), []byte(`{}`))
	f.Add("s", "t=1764806400,v1=00", []byte(`{}`))
	f.Add("s", "t=-1,v1=", []byte(``))
	f.Add("", ",,,=", []byte(`x`))
	f.Fuzz(func(t *testing.T, secret, header string, body []byte) {
		err := VerifySignature(secret, header, body, at, 0)
		if err == nil {
			// Accepted: the signature is bound to this body and secret.
			if VerifySignature(secret, header, append(body[:len(body):len(body)], 'x'), at, 0) == nil {
				t.Fatalf("%q accepted for two bodies", header)
			}
			if VerifySignature(secret+"x", header, body, at, 0) == nil {
				t.Fatalf("%q accepted for two secrets", header)
			}
			return
		}
		if !errors.Is(err, ErrSignatureMalformed) && !errors.Is(err, ErrSignatureExpired) && !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("VerifySignature error %v wraps no sentinel", err)
		}
		// A signature made now for this body always verifies.
		if secret != "" {
			if err := VerifySignature(secret, Sign(secret, at, body), body, at, 0); err != nil {
				t.Fatalf("own signature refused: %v", err)
			}
		}
	})
}

// hookRecorder is a webhook receiver on loopback: it verifies and records
// every request and answers with the next status of its script (the last
// one once the script is spent).
type hookRecorder struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	script []int
	got    []hookRequest
}

type hookRequest struct {
	Header    http.Header
	Body      []byte
	SigErr    error
	ReceivedN int
}

func newHookServer(t *testing.T, secret string, script ...int) (*hookRecorder, *httptest.Server) {
	h := &hookRecorder{t: t, secret: secret, script: script}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	n := len(h.got)
	status := h.script[min(n, len(h.script)-1)]
	h.got = append(h.got, hookRequest{
		Header: r.Header.Clone(), Body: body, ReceivedN: n + 1,
		SigErr: VerifySignature(h.secret, r.Header.Get(HeaderSignature), body, time.Now(), 0),
	})
	h.mu.Unlock()
	if r.Method != http.MethodPost {
		status = http.StatusMethodNotAllowed
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"recu":true,"contact":"rh@hopital.example"}`))
}

func (h *hookRecorder) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

func newWebhookSender(t *testing.T, cfg WebhookConfig) *WebhookSender {
	t.Helper()
	cfg.Logger = checkedLogger(t)
	s, err := NewWebhookSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWebhookSendHeadersAndSignature(t *testing.T) {
	t.Parallel()
	rec, srv := newHookServer(t, "s3cret", http.StatusOK)
	s := newWebhookSender(t, WebhookConfig{})
	w := Webhook{Key: "digest.750712184.2026-12-04", URL: srv.URL + "/hooks?token=abc", Secret: "s3cret", Event: "queue.digest", Body: json.RawMessage(`{"structure":"750712184"}`)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Send(ctx, w); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := rec.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	r := got[0]
	if r.SigErr != nil {
		t.Errorf("signature: %v", r.SigErr)
	}
	for h, want := range map[string]string{
		"Content-Type":       "application/json",
		HeaderIdempotencyKey: w.Key,
		HeaderEvent:          "queue.digest",
		"User-Agent":         "rppsync",
	} {
		if v := r.Header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	if string(r.Body) != string(w.Body) {
		t.Errorf("body = %s, want %s", r.Body, w.Body)
	}
}

func TestWebhookSendClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    int
		wantErr   bool
		permanent bool
		code      string
	}{
		{200, false, false, ""},
		{202, false, false, ""},
		{204, false, false, ""},
		{301, true, true, CodeWebhookRejected},
		{400, true, true, CodeWebhookRejected},
		{401, true, true, CodeWebhookRejected},
		{404, true, true, CodeWebhookRejected},
		{408, true, false, CodeWebhookServerError},
		{422, true, true, CodeWebhookRejected},
		{429, true, false, CodeWebhookServerError},
		{500, true, false, CodeWebhookServerError},
		{503, true, false, CodeWebhookServerError},
	}
	s := newWebhookSender(t, WebhookConfig{})
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			rec, srv := newHookServer(t, "s", tt.status)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := s.Send(ctx, Webhook{Key: "k", URL: srv.URL + "/?token=abc", Secret: "s", Event: "e", Body: json.RawMessage(`{}`)})
			if len(rec.requests()) != 1 {
				t.Fatalf("%d requests, want 1 (redirects are not followed)", len(rec.requests()))
			}
			checkDeliveryError(t, err, tt.wantErr, tt.permanent, tt.code)
			if err != nil && (strings.Contains(err.Error(), "token=abc") || strings.Contains(err.Error(), "@")) {
				t.Errorf("error %q quotes the URL or the answer", err)
			}
		})
	}
}

// checkDeliveryError asserts err's presence, class and code.
func checkDeliveryError(t *testing.T, err error, wantErr, permanent bool, code string) {
	t.Helper()
	if !wantErr {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var de *Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if de.Code != code {
		t.Errorf("code = %q, want %q (%v)", de.Code, code, err)
	}
	if errors.Is(err, ErrPermanent) != permanent || errors.Is(err, ErrTemporary) == permanent || IsPermanent(err) != permanent {
		t.Errorf("permanent = %v, want %v (%v)", errors.Is(err, ErrPermanent), permanent, err)
	}
}

func TestWebhookSendTransportFailures(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	hook := func(url string) Webhook {
		return Webhook{Key: "k", URL: url, Secret: "s", Event: "e", Body: json.RawMessage(`{}`)}
	}

	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		err = newWebhookSender(t, WebhookConfig{}).Send(ctx, hook("http://"+addr+"/x"))
		checkDeliveryError(t, err, true, false, CodeWebhookUnreachable)
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		err := newWebhookSender(t, WebhookConfig{Timeout: 200 * time.Millisecond}).Send(ctx, hook(srv.URL))
		checkDeliveryError(t, err, true, false, CodeWebhookTimeout)
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer srv.Close()
		err := newWebhookSender(t, WebhookConfig{}).Send(ctx, hook(srv.URL))
		checkDeliveryError(t, err, true, true, CodeWebhookTLS)
		// Trusting the server's certificate, the same request passes.
		err = newWebhookSender(t, WebhookConfig{Transport: srv.Client().Transport}).Send(ctx, hook(srv.URL))
		checkDeliveryError(t, err, false, false, "")
	})

	t.Run("invalid webhook", func(t *testing.T) {
		err := newWebhookSender(t, WebhookConfig{}).Send(ctx, hook("pas une url"))
		checkDeliveryError(t, err, true, true, CodeWebhookInvalid)
	})
}

func TestNewWebhookSenderConfig(t *testing.T) {
	t.Parallel()
	if _, err := NewWebhookSender(WebhookConfig{Timeout: -time.Second}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative timeout: err = %v, want ErrInvalidConfig", err)
	}
}
