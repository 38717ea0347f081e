package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/wneessen/go-mail"
)

// TLS modes of SMTPConfig.TLS.
const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS, which the
	// server must offer (port 587 by default).
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465 by default).
	TLSImplicit = "tls"
	// TLSNone sends in clear; it is accepted only towards a loopback host
	// (a local relay), port 25 by default.
	TLSNone = "none"
)

// DefaultSMTPTimeout bounds a whole SMTP exchange when SMTPConfig.Timeout
// is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig configures an SMTPSender. The zero value of every field but
// Host means "the default".
type SMTPConfig struct {
	// Host is the SMTP server's name, also the name its certificate must
	// carry.
	Host string
	// Port defaults to 587 for starttls, 465 for tls, 25 for none.
	Port int
	// TLS is TLSStartTLS (the default), TLSImplicit or TLSNone.
	TLS string
	// CertFile and KeyFile name a PEM client certificate and its key,
	// presented during the TLS handshake (MSSanté operators authenticate
	// servers this way). Both or neither.
	CertFile string
	KeyFile  string
	// CAFile names PEM certificates to trust instead of the system's.
	CAFile string
	// Username and Password, when Username is set, authenticate with the
	// best mechanism the server offers after TLS.
	Username string
	Password string
	// Timeout bounds the connection and each command; DefaultSMTPTimeout
	// when zero.
	Timeout time.Duration
	// From is the sender address used when a Message has none.
	From string
	// HELO is the name given in EHLO; the machine's host name when empty.
	HELO string
	// Logger receives the sender's logs; a "component" field is added.
	Logger zerolog.Logger
}

// SMTPSender sends Messages to one SMTP server. It is safe for concurrent
// use: each Send opens its own connection.
type SMTPSender struct {
	from string
	host string
	opts []mail.Option
	log  zerolog.Logger
}

// NewSMTPSender validates cfg, loads its certificate files and returns a
// sender. Errors wrap ErrInvalidConfig and name the setting to fix.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: aucun serveur SMTP ; renseignez l'hôte SMTP", ErrInvalidConfig)
	}
	mode := cmp.Or(cfg.TLS, TLSStartTLS)
	port := cfg.Port
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("%w: port SMTP %d hors limites ; indiquez un port entre 1 et 65535, ou 0 pour la valeur par défaut", ErrInvalidConfig, port)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: délai SMTP négatif ; indiquez une durée positive, ou 0 pour %s", ErrInvalidConfig, DefaultSMTPTimeout)
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, fmt.Errorf("%w: certificat client SMTP incomplet ; indiquez à la fois le fichier du certificat et celui de sa clé", ErrInvalidConfig)
	}
	if cfg.From != "" {
		if _, err := netmail.ParseAddress(cfg.From); err != nil {
			return nil, fmt.Errorf("%w: l'expéditeur SMTP par défaut n'est pas une adresse e-mail valide ; corrigez-le", ErrInvalidConfig)
		}
	}
	tlsConf := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: certificat client SMTP illisible (%s, %s) ; vérifiez que ce sont un certificat et sa clé au format PEM : %w", ErrInvalidConfig, cfg.CertFile, cfg.KeyFile, err)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: fichier d'autorités SMTP illisible : %w", ErrInvalidConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: le fichier d'autorités SMTP %s ne contient aucun certificat PEM ; indiquez le certificat de l'autorité du serveur", ErrInvalidConfig, cfg.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	opts := []mail.Option{
		mail.WithTimeout(cmp.Or(cfg.Timeout, DefaultSMTPTimeout)),
		mail.WithTLSConfig(tlsConf),
	}
	switch mode {
	case TLSStartTLS:
		opts = append(opts, mail.WithPort(cmp.Or(port, 587)), mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithPort(cmp.Or(port, 465)), mail.WithSSL())
	case TLSNone:
		if !loopbackHost(cfg.Host) {
			return nil, fmt.Errorf("%w: l'envoi SMTP sans TLS n'est permis que vers un relais local (127.0.0.1, ::1, localhost) ; choisissez starttls ou tls", ErrInvalidConfig)
		}
		if cfg.CertFile != "" {
			return nil, fmt.Errorf("%w: un certificat client SMTP demande TLS ; choisissez starttls ou tls", ErrInvalidConfig)
		}
		opts = append(opts, mail.WithPort(cmp.Or(port, 25)), mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("%w: mode TLS SMTP %q inconnu ; choisissez starttls, tls ou none", ErrInvalidConfig, cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	helo := cfg.HELO
	if helo == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			helo = h
		}
	}
	if helo != "" {
		opts = append(opts, mail.WithHELO(helo))
	}
	// Validate the options once: NewClient checks the port and the host.
	if _, err := mail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("%w: réglages SMTP refusés : %w", ErrInvalidConfig, err)
	}
	return &SMTPSender{
		from: cfg.From,
		host: cfg.Host,
		opts: opts,
		log:  cfg.Logger.With().Str("component", "notify_smtp").Logger(),
	}, nil
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DefaultFrom returns the sender address used for Messages without From.
func (s *SMTPSender) DefaultFrom() string { return s.from }

// Send delivers m in one SMTP session. date is the Date header (the time
// the message was decided, so that a resend is identical); zero means now.
// A failure is an *Error matching ErrPermanent or ErrTemporary.
func (s *SMTPSender) Send(ctx context.Context, m Message, date time.Time) error {
	if err := m.Validate(s.from); err != nil {
		return permanent(CodeEmailInvalid, "le message ne peut pas être construit ; corrigez-le puis renvoyez-le", err)
	}
	msg, err := s.build(m, date)
	if err != nil {
		return permanent(CodeEmailInvalid, "le message ne peut pas être construit ; corrigez-le puis renvoyez-le", err)
	}
	client, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return permanent(CodeEmailInvalid, "réglages SMTP refusés", err)
	}
	start := time.Now()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		e := classifySMTP(ctx, err)
		s.log.Debug().Str("key", m.Key).Str("code", e.Code).Bool("permanent", e.Permanent).
			Dur("duration", time.Since(start)).Msg("smtp send failed")
		return e
	}
	s.log.Debug().Str("key", m.Key).Int("recipients", len(m.To)).Int("attachments", len(m.Attachments)).
		Dur("duration", time.Since(start)).Msg("smtp message accepted")
	return nil
}

// build turns m into a go-mail message with its deterministic headers.
func (s *SMTPSender) build(m Message, date time.Time) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(cmp.Or(m.From, s.from)); err != nil {
		return nil, errors.New("adresse d'expéditeur invalide")
	}
	if err := msg.To(m.To...); err != nil {
		return nil, errors.New("adresse de destinataire invalide")
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(MessageID(m.Key), "<"), ">"))
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	msg.SetUserAgent("rppsync")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := cmp.Or(a.ContentType, "application/octet-stream")
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("pièce jointe %q : %w", a.Name, err)
		}
	}
	return msg, nil
}

// classifySMTP turns a go-mail failure into an *Error. The library's own
// text may quote the recipients: the detail is rebuilt from the reason and
// the server's codes, addresses redacted.
func classifySMTP(ctx context.Context, err error) *Error {
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) {
		detail := sendErr.Reason.String()
		if code := sendErr.ErrorCode(); code != 0 {
			detail += fmt.Sprintf(" : réponse %d", code)
			if esc := sendErr.EnhancedStatusCode(); esc != "" {
				detail += " " + esc
			}
		}
		var e *Error
		switch code := sendErr.ErrorCode(); {
		case sendErr.Reason == mail.ErrGetSender || sendErr.Reason == mail.ErrGetRcpts:
			e = permanent(CodeEmailInvalid, "une adresse du message est invalide ; corrigez le contact", nil)
		case code >= 500:
			e = permanent(CodeSMTPRejected, "le serveur SMTP refuse le message ; vérifiez les adresses et la taille des pièces jointes", nil)
		case code >= 400 || sendErr.IsTemp():
			e = temporary(CodeSMTPTemporary, "le serveur SMTP diffère le message ; il sera renvoyé", nil)
		case isTimeout(ctx, err):
			e = temporary(CodeSMTPTimeout, "le serveur SMTP ne répond pas à temps ; le message sera renvoyé", nil)
		default:
			e = temporary(CodeSMTPUnreachable, "la connexion au serveur SMTP a été perdue ; le message sera renvoyé", nil)
		}
		e.Err, e.Detail = err, detail
		return e
	}
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		detail := fmt.Sprintf("réponse %d %s", protoErr.Code, redact(protoErr.Msg))
		var e *Error
		if protoErr.Code >= 500 {
			e = permanent(CodeSMTPRejected, "le serveur SMTP refuse la session (identifiants, nom annoncé ou politique) ; vérifiez la configuration SMTP", err)
		} else {
			e = temporary(CodeSMTPTemporary, "le serveur SMTP diffère la session ; le message sera renvoyé", err)
		}
		e.Detail = detail
		return e
	}
	if tlsFailure(err) {
		return permanent(CodeSMTPTLS, "la connexion TLS au serveur SMTP a échoué (certificat du serveur non reconnu, certificat client refusé, ou STARTTLS absent) ; vérifiez l'autorité, le certificat client et le mode TLS", err)
	}
	if isTimeout(ctx, err) {
		return temporary(CodeSMTPTimeout, "le serveur SMTP ne répond pas à temps ; le message sera renvoyé", err)
	}
	return temporary(CodeSMTPUnreachable, "le serveur SMTP est injoignable ; le message sera renvoyé", err)
}

// tlsFailure reports whether err is a TLS failure no retry will cure: a
// certificate that does not verify, an alert from the peer (such as a
// client certificate refused), or a server without STARTTLS.
func tlsFailure(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		unknownAuth  x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidErr   x509.CertificateInvalidError
		alertErr     tls.AlertError
		recordHdrErr tls.RecordHeaderError
		opErr        *net.OpError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownAuth), errors.As(err, &hostnameErr),
		errors.As(err, &invalidErr), errors.As(err, &alertErr), errors.As(err, &recordHdrErr):
		return true
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// crypto/tls reports an alert received from the peer this way.
		return true
	}
	return strings.Contains(err.Error(), "does not support STARTTLS")
}

// isTimeout reports whether err is a deadline: the context's or the
// connection's.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
