package fetch

import (
	"errors"
	"fmt"
)

// The sentinels an *Error wraps, one per Code.
var (
	// ErrHTTPStatus is returned when the server answers neither 200 nor
	// (to a conditional request) 304.
	ErrHTTPStatus = errors.New("fetch: unexpected HTTP status")
	// ErrNetwork is returned when the server cannot be reached or the
	// connection fails.
	ErrNetwork = errors.New("fetch: network error")
	// ErrTruncated is returned when fewer bytes arrived than the server
	// announced, or the connection closed in the middle of the body.
	ErrTruncated = errors.New("fetch: download truncated")
	// ErrStalled is returned when no byte arrived for Config.StallTimeout.
	ErrStalled = errors.New("fetch: download stalled")
	// ErrTimeout is returned when the whole download took longer than
	// Config.Timeout.
	ErrTimeout = errors.New("fetch: download too long")
	// ErrTooLarge is returned when the download exceeds Config.MaxSize, or
	// its members unpack to more than Config.MaxUnpacked.
	ErrTooLarge = errors.New("fetch: download too large")
	// ErrCorrupt is returned when the file is not a readable zip, or a
	// member fails its CRC check.
	ErrCorrupt = errors.New("fetch: corrupted zip")
	// ErrNoMember is returned when the zip has no member of the expected
	// kind.
	ErrNoMember = errors.New("fetch: expected member missing")
	// ErrTooFewLines is returned when the expected member has fewer lines
	// than the configured minimum.
	ErrTooFewLines = errors.New("fetch: too few lines")
	// ErrIO is returned when the destination folder cannot be written.
	ErrIO = errors.New("fetch: destination folder error")
)

// The stable codes of Error.Code.
const (
	CodeHTTPStatus = "http_status"
	CodeNetwork    = "network"
	CodeTruncated  = "download_truncated"
	CodeStalled    = "download_stalled"
	CodeTimeout    = "download_timeout"
	CodeCancelled  = "cancelled"
	CodeTooLarge   = "too_large"
	CodeCorrupt    = "zip_corrupt"
	CodeNoMember   = "member_missing"
	CodeTooFewLine = "too_few_lines"
	CodeIO         = "io"
)

// Error is a failed Fetch or Check. Its message is a French sentence for
// the operator; Code is stable; errors.Is matches the sentinel of the code
// (or context.Canceled / context.DeadlineExceeded for CodeCancelled) and
// the underlying cause.
type Error struct {
	Kind   Kind   // the extract
	Code   string // one of the Code… constants
	Detail string // French: what happened
	Err    error  // the sentinel, joined with the cause
}

func (e *Error) Error() string {
	return fmt.Sprintf("téléchargement de l'extrait %s : %s ; le fichier précédemment téléchargé et son état sont conservés", e.Kind, e.Detail)
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() error { return e.Err }

func newError(kind Kind, code string, sentinel, cause error, format string, args ...any) *Error {
	err := sentinel
	if cause != nil {
		err = errors.Join(sentinel, cause)
	}
	return &Error{Kind: kind, Code: code, Detail: fmt.Sprintf(format, args...), Err: err}
}
