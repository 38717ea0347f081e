package notify

import (
	"errors"
	"regexp"
)

// ErrPermanent is matched (errors.Is) by every delivery failure that a retry
// cannot cure: an SMTP 5xx answer, a malformed address, a server certificate
// that does not verify, a webhook answering 4xx. The workers cancel the job.
var ErrPermanent = errors.New("échec définitif de l'envoi")

// ErrTemporary is matched (errors.Is) by every delivery failure that may
// pass later: an SMTP 4xx answer, a timeout, a refused connection, a
// webhook answering 5xx. The workers let River retry the job.
var ErrTemporary = errors.New("échec temporaire de l'envoi")

// ErrInvalidConfig is returned by the constructors when a configuration
// cannot be used; the wrapping error says which setting to fix.
var ErrInvalidConfig = errors.New("configuration des notifications invalide")

// ErrInvalidMessage is returned by Enqueue (and the senders) for a Message
// or Webhook that cannot be sent as it is: no key, no recipient, an address
// or URL that does not parse, a body that is not JSON. Nothing is enqueued.
var ErrInvalidMessage = errors.New("notification invalide")

// Error codes carried by *Error. They are stable: reports and operators
// filter on them.
const (
	CodeEmailInvalid         = "email_invalid"          // the message cannot be built (addresses, attachment)
	CodeSMTPRejected         = "smtp_rejected"          // the server answered 5xx
	CodeSMTPTemporary        = "smtp_temporary"         // the server answered 4xx
	CodeSMTPTLS              = "smtp_tls"               // TLS failed: certificate, client certificate, no STARTTLS
	CodeSMTPTimeout          = "smtp_timeout"           // no answer in time
	CodeSMTPUnreachable      = "smtp_unreachable"       // connection refused, name unknown, connection lost
	CodeSMTPNotConfigured    = "smtp_not_configured"    // an e-mail job but no SMTP sender
	CodeWebhookInvalid       = "webhook_invalid"        // the request cannot be built
	CodeWebhookRejected      = "webhook_rejected"       // the receiver answered 4xx (or redirected)
	CodeWebhookServerError   = "webhook_server_error"   // the receiver answered 5xx, 408 or 429
	CodeWebhookTLS           = "webhook_tls"            // the receiver's certificate does not verify
	CodeWebhookTimeout       = "webhook_timeout"        // no answer in time
	CodeWebhookUnreachable   = "webhook_unreachable"    // connection refused, name unknown
	CodeWebhookNotConfigured = "webhook_not_configured" // a webhook job but no webhook sender
)

// Error is a failed delivery attempt. Code is one of the Code constants,
// Message a French sentence an operator can act on, Detail the cause with
// e-mail addresses redacted, and Err the underlying error (for errors.As;
// its own text may quote addresses and must not be logged).
type Error struct {
	Code      string
	Message   string
	Detail    string
	Permanent bool
	Err       error
}

// Error returns the code, the sentence and the redacted detail.
func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrPermanent or ErrTemporary as e is.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.Permanent
	case ErrTemporary:
		return !e.Permanent
	}
	return false
}

// IsPermanent reports whether err is a delivery failure a retry cannot cure.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// emailRE matches what looks like an e-mail address, with or without angle
// brackets, in server answers and library errors.
var emailRE = regexp.MustCompile(`[^\s<>"',;:()\[\]]+@[^\s<>"',;:()\[\]]+`)

// redact replaces every e-mail address in s with "<adresse>", so that an
// error recorded on a job or logged does not carry a contact.
func redact(s string) string {
	return emailRE.ReplaceAllString(s, "<adresse>")
}

func permanent(code, msg string, err error) *Error {
	return newError(code, msg, true, err)
}

func temporary(code, msg string, err error) *Error {
	return newError(code, msg, false, err)
}

func newError(code, msg string, perm bool, err error) *Error {
	e := &Error{Code: code, Message: msg, Permanent: perm, Err: err}
	if err != nil {
		e.Detail = redact(err.Error())
	}
	return e
}
