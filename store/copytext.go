package store

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyText streams src into table (columns) of tx in COPY's text format,
// written here rather than by pgx.Tx.CopyFrom: the extract's rows are
// plain strings and integers, and encoding them as bytes directly costs a
// fraction of pgx's per-value encoding plans, which made the Go side of a
// 2.2-million-line load its slowest part. Values may be string, int64,
// int, time.Time (a date) or nil (NULL). It returns the rows copied.
func copyText(ctx context.Context, tx pgx.Tx, table string, columns []string, src pgx.CopyFromSource) (int64, error) {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN", pgx.Identifier{table}.Sanitize(), strings.Join(cols, ", "))
	r := &copyTextReader{src: src}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, sql)
	// pgconn reads r on a goroutine of its own, which may still be in a
	// Read when CopyFrom returns early (a cancelled context): wait for it,
	// so that the caller can look at src.
	r.close()
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// copyTextReader renders a CopyFromSource as COPY text: one line per row,
// values separated by tabs, backslash escapes, \N for NULL. Once closed,
// it reads nothing more from src.
type copyTextReader struct {
	src    pgx.CopyFromSource
	buf    []byte
	done   bool
	mu     sync.Mutex
	closed bool
}

// close waits for a Read in progress and makes the next ones fail.
func (r *copyTextReader) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}

// copyTextChunk is about how many bytes a Read renders at a time.
const copyTextChunk = 64 << 10

func (r *copyTextReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, io.ErrClosedPipe
	}
	for len(r.buf) < copyTextChunk && !r.done {
		if !r.src.Next() {
			r.done = true
			if err := r.src.Err(); err != nil {
				return 0, err
			}
			break
		}
		if t, ok := r.src.(textRow); ok {
			r.buf = t.appendText(r.buf)
			continue
		}
		vals, err := r.src.Values()
		if err != nil {
			return 0, err
		}
		for i, v := range vals {
			if i > 0 {
				r.buf = append(r.buf, '\t')
			}
			if r.buf, err = appendCopyValue(r.buf, v); err != nil {
				return 0, err
			}
		}
		r.buf = append(r.buf, '\n')
	}
	if len(r.buf) == 0 && r.done {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	return n, nil
}

// textRow is a CopyFromSource that renders its current row in COPY text
// format itself, one line with its newline, sparing the boxing of Values.
type textRow interface {
	appendText(b []byte) []byte
}

// appendCopyString appends s in COPY text format.
func appendCopyString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendCopyValue appends v in COPY text format.
func appendCopyValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, `\N`...), nil
	case string:
		return appendCopyString(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case time.Time:
		return v.AppendFormat(b, "2006-01-02"), nil
	}
	return b, fmt.Errorf("copy: value of type %T", v)
}
