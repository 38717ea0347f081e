package rppsync_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/rppsync/rppsync"
)

func TestCodedErrors(t *testing.T) {
	errThing := rppsync.NewError("thing_missing", "the thing is missing")
	err := fmt.Errorf("step: %w", errThing.About("a.xlsx", io.ErrUnexpectedEOF))
	if !errors.Is(err, errThing) {
		t.Error("errors.Is does not match the sentinel by code")
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("the cause is not reachable")
	}
	if got := rppsync.CodeOf(err); got != "thing_missing" {
		t.Errorf("CodeOf = %q", got)
	}
	if got := err.Error(); got != "step: the thing is missing: a.xlsx: unexpected EOF" {
		t.Errorf("Error() = %q", got)
	}
	if errors.Is(err, rppsync.NewError("other", "")) || rppsync.CodeOf(io.EOF) != "" {
		t.Error("codes mixed up")
	}
	var e *rppsync.Error
	if !errors.As(err, &e) || e.Subject != "a.xlsx" || errThing.Subject != "" {
		t.Errorf("About changed the sentinel or lost the subject: %+v, %+v", e, errThing)
	}
	if got := rppsync.Errorf(errThing, "b", "read %d bytes", 3).Error(); got != "the thing is missing: b: read 3 bytes" {
		t.Errorf("Errorf = %q", got)
	}
}
