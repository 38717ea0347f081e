package inbox

import (
	"errors"
	"fmt"
)

// ErrAlreadyFinished is returned by Finish and Reject when the file is no
// longer in the inbox: another process (or an earlier call) moved it. The
// caller can ignore it.
var ErrAlreadyFinished = errors.New("inbox: the file was already moved out of the inbox by another process")

// ErrChanged is returned by Finish when the file in the inbox no longer has
// the content that was scanned (it was replaced or rewritten): the file is
// left in the inbox, under its name or a suffixed one, for a later scan.
var ErrChanged = errors.New("inbox: the file changed since it was scanned")

// ErrBadPath is returned by Finish and Reject for a path that is not a
// plain relative path inside the inbox (absolute, "..", a reserved folder,
// control characters), and for a path whose folders leave the inbox through
// a symbolic link.
var ErrBadPath = errors.New("inbox: the path is not inside the inbox")

// ErrBadReport is returned by Finish and Reject when a report's name is
// empty, holds a path separator or control characters, or repeats another's.
var ErrBadReport = errors.New("inbox: invalid report name")

// ErrNoRoot is returned by New when Config.Root is empty or not a directory.
var ErrNoRoot = errors.New("inbox: the inbox folder is missing")

// The codes of refused entries (Refused.Code). They are stable: reports and
// metrics use them.
const (
	CodeSymlinkOutside = "symlink_outside" // a symbolic link leading out of the inbox (or nowhere)
	CodeSymlinkInside  = "symlink_inside"  // a symbolic link to something inside the inbox
	CodeNotRegular     = "not_regular"     // a FIFO, socket, device…
	CodeNameControl    = "name_control_character"
	CodeNameNotUTF8    = "name_not_utf8"
	CodeTooDeep        = "nested_too_deep"
	CodeTooLarge       = "too_large"
	CodeUnreadable     = "unreadable" // permission denied or an I/O error
)

// PathError wraps ErrBadPath with the offending path.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("inbox: %q: %s", e.Path, e.Reason)
}

// Unwrap returns ErrBadPath.
func (e *PathError) Unwrap() error { return ErrBadPath }
