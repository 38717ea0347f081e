package rppsync

import (
	"errors"
	"fmt"
)

// Code names a kind of failure: stable snake_case, never renamed. The
// packages return errors that carry one (*Error); the edges (the command
// line, the structures' page) choose the sentence a person reads from it,
// in French, with the Subject.
type Code string

// Error is a failure with a Code, what it is about, and its cause. Its
// text (Error) is for logs and developers; people read the edge's wording
// of its Code. A package's sentinel is an *Error with no Subject and no
// Cause; errors.Is matches any *Error of the same Code.
type Error struct {
	Code Code
	// Msg says in a few English words what went wrong, for logs.
	Msg string
	// Subject is what the failure is about, as a person names it: a file
	// path, a server address, an item number, an extract name; "" when
	// there is none.
	Subject string
	// Cause is the underlying error, if any.
	Cause error
}

// NewError returns a sentinel: an *Error with code and msg.
func NewError(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// About returns a copy of e about subject, caused by cause (nil when none).
func (e *Error) About(subject string, cause error) *Error {
	c := *e
	c.Subject, c.Cause = subject, cause
	return &c
}

// Error returns "msg: subject: cause", leaving out what is empty.
func (e *Error) Error() string {
	s := e.Msg
	if s == "" {
		s = string(e.Code)
	}
	if e.Subject != "" {
		s += ": " + e.Subject
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is an *Error of the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the Code of the first *Error in err's chain, or "".
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Errorf returns an error about subject of the sentinel's code, caused by
// the error fmt.Errorf(format, args...) returns (which may wrap others).
func Errorf(sentinel *Error, subject, format string, args ...any) *Error {
	return sentinel.About(subject, fmt.Errorf(format, args...))
}
