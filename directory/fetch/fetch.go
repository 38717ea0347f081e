package fetch

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rppsync/rppsync/directory"
)

// Kind names an extract: the last segment of its official URL and the
// first word of its file names.
type Kind string

// The extracts Fetch knows.
const (
	Activity Kind = "PS_LibreAcces"    // PS_LibreAcces_Personne_activite_*.txt inside
	Cards    Kind = "Porteurs_CPS_CPF" // Porteurs_CPS_CPF_*.txt inside
)

// Kinds lists the extracts in the order a full refresh fetches them.
var Kinds = []Kind{Activity, Cards}

const (
	activityPrefix = directory.ActivityPrefix
	cardPrefix     = directory.CardPrefix
)

// ErrUnknownKind is returned for a Kind other than Activity and Cards.
var ErrUnknownKind = errors.New("fetch: unknown extract kind")

// DefaultURLs are the official download addresses of the Annuaire Santé
// extraction service (see the package documentation for their source).
var DefaultURLs = map[Kind]string{
	Activity: "https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces",
	Cards:    "https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/Porteurs_CPS_CPF",
}

// DefaultMinLines are the default plausible minimum line counts: the
// activity extract had about 2.23 million lines in 2026, and the card
// extract lists the holders of a valid CPS or CPF (several hundred thousand).
// Both are far above what a broken or partial export would hold, and far
// below the real size, so normal growth or shrinkage never trips them.
var DefaultMinLines = map[Kind]int64{
	Activity: 1_000_000,
	Cards:    100_000,
}

// Defaults of Config.
const (
	DefaultMaxSize      = 4 << 30  // compressed download: the activity zip is a few hundred MB
	DefaultMaxUnpacked  = 16 << 30 // all members unpacked: the activity text is about 800 MB
	DefaultTimeout      = 2 * time.Hour
	DefaultStallTimeout = 2 * time.Minute
	DefaultUserAgent    = "rppsync (directory fetch)"
)

// Clock is the time source.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures a Fetcher. Dir is required; every other zero value is
// a default.
type Config struct {
	// Dir is the destination folder: verified zips, their *.part files
	// while downloading, and one <kind>.state.json per extract. It is
	// created when missing.
	Dir string
	// URLs overrides the download address of some extracts. Missing
	// kinds use DefaultURLs.
	URLs map[Kind]string
	// MinLines overrides the plausible minimum line count of some
	// extracts (header included). Missing kinds use DefaultMinLines.
	MinLines map[Kind]int64
	// Client sends the requests. Nil: a client with connection, TLS
	// handshake and response header timeouts (the download itself is
	// bounded by Timeout and StallTimeout).
	Client *http.Client
	// MaxSize bounds the download in bytes. Zero: DefaultMaxSize.
	MaxSize int64
	// MaxUnpacked bounds the bytes read from the zip's members during the
	// check. Zero: DefaultMaxUnpacked.
	MaxUnpacked int64
	// Timeout bounds a whole Fetch. Zero: DefaultTimeout.
	Timeout time.Duration
	// StallTimeout aborts a download that receives no byte for this
	// long. Zero: DefaultStallTimeout.
	StallTimeout time.Duration
	// UserAgent is sent with each request. Empty: DefaultUserAgent.
	UserAgent string
	// Clock stamps the state file. Nil: the real clock.
	Clock Clock
	// Logger receives one event per fetch. Zero: no logs.
	Logger zerolog.Logger
}

// Result is the outcome of a successful Fetch.
type Result struct {
	Kind Kind
	// NotModified is true when the server answered 304: Path is then the
	// previous download (still verified), or "" if it is gone.
	NotModified bool
	// Path is the verified zip, ready for `directory load`.
	Path string
	// Member, Lines and Size describe the expected member of the zip.
	Member string
	Lines  int64
	Size   int64
	// ETag and LastModified are the validators kept for the next request.
	ETag         string
	LastModified string
}

// state is what <kind>.state.json keeps between fetches.
type state struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	File         string    `json:"file"` // base name in Dir
	Member       string    `json:"member"`
	Lines        int64     `json:"lines"`
	Size         int64     `json:"size"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// Fetcher downloads and verifies the extracts. Its methods are safe for
// concurrent use; fetches of one kind are serialised within a process.
type Fetcher struct {
	cfg Config
	log zerolog.Logger
	mu  map[Kind]*sync.Mutex
}

// New validates cfg, creates the destination folder and returns a Fetcher.
func New(cfg Config) (*Fetcher, error) {
	if cfg.Dir == "" {
		return nil, errors.New("fetch: no destination folder configured")
	}
	if cfg.MaxSize < 0 || cfg.MaxUnpacked < 0 || cfg.Timeout < 0 || cfg.StallTimeout < 0 {
		return nil, errors.New("fetch: MaxSize, MaxUnpacked, Timeout and StallTimeout must not be negative")
	}
	urls := map[Kind]string{}
	mins := map[Kind]int64{}
	for _, k := range Kinds {
		urls[k], mins[k] = DefaultURLs[k], DefaultMinLines[k]
	}
	for k, u := range cfg.URLs {
		if _, err := k.memberPrefix(); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return nil, fmt.Errorf("fetch: the URL of %s is not an http(s) address: %q", k, u)
		}
		urls[k] = u
	}
	for k, n := range cfg.MinLines {
		if _, err := k.memberPrefix(); err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, fmt.Errorf("fetch: negative minimum line count for %s", k)
		}
		mins[k] = n
	}
	cfg.URLs, cfg.MinLines = urls, mins
	cfg.MaxSize = cmp.Or(cfg.MaxSize, DefaultMaxSize)
	cfg.MaxUnpacked = cmp.Or(cfg.MaxUnpacked, DefaultMaxUnpacked)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.StallTimeout = cmp.Or(cfg.StallTimeout, DefaultStallTimeout)
	cfg.UserAgent = cmp.Or(cfg.UserAgent, DefaultUserAgent)
	if cfg.Client == nil {
		cfg.Client = defaultClient()
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("fetch: create %s: %w", cfg.Dir, err)
	}
	f := &Fetcher{cfg: cfg, log: cfg.Logger.With().Str("component", "directory_fetch").Logger(), mu: map[Kind]*sync.Mutex{}}
	for _, k := range Kinds {
		f.mu[k] = &sync.Mutex{}
	}
	return f, nil
}

func defaultClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

// Fetch downloads the extract of kind unless the server says it has not
// changed since the previous download, verifies it (see Check) and puts it
// in place. It returns either a Result with NotModified set, or the Path of
// the new verified zip. On failure the *.part file is removed, the previous
// download and its state stay as they were, and the error is an *Error.
func (f *Fetcher) Fetch(ctx context.Context, kind Kind) (Result, error) {
	if _, err := kind.memberPrefix(); err != nil {
		return Result{}, err
	}
	mu := f.mu[kind]
	mu.Lock()
	defer mu.Unlock()
	start := f.cfg.Clock.Now()
	log := f.log.With().Str("extract", string(kind)).Logger()
	res, err := f.fetch(ctx, kind, log)
	if err != nil {
		ev := log.Error().Err(err)
		var fe *Error
		if errors.As(err, &fe) {
			ev = ev.Str("code", fe.Code)
		}
		ev.Msg("extract download failed")
		return Result{}, err
	}
	log.Info().Bool("not_modified", res.NotModified).Str("path", res.Path).Int64("lines", res.Lines).
		Dur("took", f.cfg.Clock.Now().Sub(start)).Msg("extract fetched")
	return res, nil
}

func (f *Fetcher) fetch(parent context.Context, kind Kind, log zerolog.Logger) (Result, error) {
	url := f.cfg.URLs[kind]
	prev, hasPrev := f.readState(kind, log)
	// Conditional only while the previous file is there to fall back on.
	conditional := hasPrev && prev.URL == url && (prev.ETag != "" || prev.LastModified != "") &&
		prev.result(kind, f.cfg.Dir).Path != ""

	ctx, cancelTimeout := context.WithTimeoutCause(parent, f.cfg.Timeout, ErrTimeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(f.cfg.StallTimeout, func() { cancel(ErrStalled) })
	defer stall.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Result{}, newError(kind, CodeNetwork, ErrNetwork, err, "l'adresse %q n'est pas valide (%v)", url, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	if conditional {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		return Result{}, f.interrupted(kind, parent, ctx, err, "le serveur %s est injoignable (%v) : vérifiez l'accès réseau et réessayez", req.URL.Host, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		r := prev.result(kind, f.cfg.Dir)
		r.NotModified = true
		return r, nil
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return Result{}, newError(kind, CodeHTTPStatus, ErrHTTPStatus, nil,
			"le serveur a répondu %q au lieu du fichier : réessayez plus tard, ou vérifiez l'adresse %s", resp.Status, url)
	}
	if resp.ContentLength > f.cfg.MaxSize {
		return Result{}, newError(kind, CodeTooLarge, ErrTooLarge, nil,
			"le serveur annonce %d octets, au-delà de la limite de %d octets", resp.ContentLength, f.cfg.MaxSize)
	}

	part, err := os.CreateTemp(f.cfg.Dir, string(kind)+"-*.part")
	if err != nil {
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible d'écrire dans %s (%v)", f.cfg.Dir, err)
	}
	partPath := part.Name()
	keep := false
	defer func() {
		if !keep {
			part.Close()
			os.Remove(partPath)
		}
	}()
	body := &stallReader{r: resp.Body, timer: stall, d: f.cfg.StallTimeout}
	n, err := io.Copy(part, io.LimitReader(body, f.cfg.MaxSize+1))
	switch {
	case err != nil && ctx.Err() != nil:
		return Result{}, f.interrupted(kind, parent, ctx, err, "")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Result{}, truncated(kind, n, resp.ContentLength, err)
	case err != nil && isWriteError(err):
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible d'écrire le fichier dans %s (%v) : vérifiez l'espace disque", f.cfg.Dir, err)
	case err != nil:
		return Result{}, newError(kind, CodeNetwork, ErrNetwork, err, "la connexion a échoué pendant le téléchargement après %d octets (%v) : réessayez", n, err)
	case n > f.cfg.MaxSize:
		return Result{}, newError(kind, CodeTooLarge, ErrTooLarge, nil, "le fichier dépasse la limite de %d octets", f.cfg.MaxSize)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return Result{}, truncated(kind, n, resp.ContentLength, nil)
	}
	stall.Stop()
	if err := part.Sync(); err != nil {
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible d'écrire le fichier dans %s (%v)", f.cfg.Dir, err)
	}
	if err := part.Close(); err != nil {
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible d'écrire le fichier dans %s (%v)", f.cfg.Dir, err)
	}

	v, err := Check(ctx, partPath, kind, f.cfg.MinLines[kind], f.cfg.MaxUnpacked)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, f.interrupted(kind, parent, ctx, err, "")
		}
		return Result{}, err
	}

	name := finalName(kind, v.Member)
	final := filepath.Join(f.cfg.Dir, name)
	if err := os.Rename(partPath, final); err != nil {
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible de mettre le fichier en place dans %s (%v)", f.cfg.Dir, err)
	}
	keep = true
	next := state{
		URL: url, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		File: name, Member: v.Member, Lines: v.Lines, Size: v.Size, FetchedAt: f.cfg.Clock.Now().UTC(),
	}
	if err := f.writeState(kind, next); err != nil {
		if !hasPrev || prev.File != name {
			os.Remove(final)
		}
		return Result{}, newError(kind, CodeIO, ErrIO, err, "impossible d'enregistrer l'état du téléchargement dans %s (%v)", f.cfg.Dir, err)
	}
	if hasPrev && prev.File != name && prev.File != "" {
		if err := os.Remove(filepath.Join(f.cfg.Dir, prev.File)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn().Err(err).Str("previous", prev.File).Msg("the previous download could not be removed")
		}
	}
	f.removeStaleParts(kind, log)
	return next.result(kind, f.cfg.Dir), nil
}

// interrupted classifies an error that happened while ctx may be done: the
// caller's cancellation, the stall guard, the overall timeout, or a plain
// network failure (described by format).
func (f *Fetcher) interrupted(kind Kind, parent, ctx context.Context, err error, format string, args ...any) *Error {
	switch cause := context.Cause(ctx); {
	case parent.Err() != nil:
		return cancelled(kind, parent)
	case errors.Is(cause, ErrStalled):
		return newError(kind, CodeStalled, ErrStalled, err, "aucune donnée reçue pendant %s : le serveur ne répond plus, réessayez plus tard", f.cfg.StallTimeout)
	case errors.Is(cause, ErrTimeout):
		return newError(kind, CodeTimeout, ErrTimeout, err, "le téléchargement a duré plus de %s : réessayez, ou augmentez la limite", f.cfg.Timeout)
	}
	if format == "" {
		format, args = "la connexion a échoué pendant le téléchargement (%v) : réessayez", []any{err}
	}
	return newError(kind, CodeNetwork, ErrNetwork, err, format, args...)
}

func truncated(kind Kind, got, announced int64, cause error) *Error {
	if announced >= 0 {
		return newError(kind, CodeTruncated, ErrTruncated, cause,
			"le téléchargement s'est interrompu après %d octets sur %d annoncés : réessayez", got, announced)
	}
	return newError(kind, CodeTruncated, ErrTruncated, cause,
		"le téléchargement s'est interrompu après %d octets : réessayez", got)
}

// isWriteError tells the destination's errors from the connection's in
// io.Copy: only the file side returns *fs.PathError.
func isWriteError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe)
}

// stallReader pushes the stall deadline back each time bytes arrive.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.d)
	}
	return n, err
}

// finalName is <kind>_<YYYYMMDDHHMM>.zip after the member's date, or
// <kind>.zip when the member carries none.
func finalName(kind Kind, member string) string {
	if d, err := directory.DateFromName(member); err == nil {
		return string(kind) + "_" + d.Format("200601021504") + ".zip"
	}
	return string(kind) + ".zip"
}

func (s state) result(kind Kind, dir string) Result {
	r := Result{Kind: kind, Member: s.Member, Lines: s.Lines, Size: s.Size, ETag: s.ETag, LastModified: s.LastModified}
	if s.File != "" {
		p := filepath.Join(dir, s.File)
		if _, err := os.Stat(p); err == nil {
			r.Path = p
		}
	}
	return r
}

func (f *Fetcher) statePath(kind Kind) string {
	return filepath.Join(f.cfg.Dir, string(kind)+".state.json")
}

// readState returns the previous download's state, if any.
func (f *Fetcher) readState(kind Kind, log zerolog.Logger) (state, bool) {
	b, err := os.ReadFile(f.statePath(kind))
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, false
	}
	var s state
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		log.Warn().Err(err).Msg("unreadable fetch state; downloading unconditionally")
		return state{}, false
	}
	if s.File == "" || filepath.Base(s.File) != s.File {
		return state{}, false
	}
	return s, true
}

// writeState replaces the state file atomically: a temporary file in the
// same folder, synced, then renamed over it.
func (f *Fetcher) writeState(kind Kind, s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.cfg.Dir, string(kind)+".state-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.statePath(kind))
}

// removeStaleParts removes *.part files of kind left by a crashed fetch:
// those not written to for longer than the stall timeout, which a live
// download (in this or another process) never is.
func (f *Fetcher) removeStaleParts(kind Kind, log zerolog.Logger) {
	matches, _ := filepath.Glob(filepath.Join(f.cfg.Dir, string(kind)+"-*.part"))
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil || f.cfg.Clock.Now().Sub(st.ModTime()) <= f.cfg.StallTimeout {
			continue
		}
		if err := os.Remove(m); err == nil {
			log.Info().Str("part", filepath.Base(m)).Msg("stale partial download removed")
		}
	}
}
