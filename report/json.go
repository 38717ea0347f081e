package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/rppsync/rppsync"
)

// Document is the JSON document `rppsync check --format json` prints
// (CONTRACT.md): every file with its rows, then the summary.
type Document struct {
	Files   []rppsync.FileResult `json:"files"`
	Summary Summary              `json:"summary"`
}

// NewDocument returns the JSON document for files, normalised to the contract:
// "files", "rows", "issues" and "candidates" are lists, never null, and a file
// with an error has no rows. files itself is not modified.
func NewDocument(files []rppsync.FileResult) Document {
	doc := Document{Files: make([]rppsync.FileResult, 0, len(files)), Summary: Summarise(files)}
	for _, f := range files {
		src := rowsOf(f)
		rows := make([]rppsync.Verdict, len(src))
		for i, r := range src {
			if r.Issues == nil {
				r.Issues = []rppsync.Issue{}
			}
			if r.Candidates == nil {
				r.Candidates = []rppsync.Candidate{}
			}
			rows[i] = r
		}
		f.Rows = rows
		doc.Files = append(doc.Files, f)
	}
	return doc
}

// writeJSON writes the document indented by two spaces, with a final newline,
// and without escaping <, > and & (messages are read by people): the bytes
// json.Encoder would write for NewDocument(files), but row by row, so that
// a file of 100,000 rows never sits whole in memory twice (marshalled,
// then indented) before the first byte goes out.
func writeJSON(w io.Writer, files []rppsync.FileResult) error {
	doc := NewDocument(files)
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	// piece encodes v as json.Encoder does at the given depth of nesting:
	// its inner lines prefixed by two spaces per level.
	piece := func(v any, depth int) ([]byte, error) {
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent(strings.Repeat("  ", depth), "  ")
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	bw.WriteString("{\n  \"files\": [")
	for i, f := range doc.Files {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		rows := f.Rows
		f.Rows = []rppsync.Verdict{}
		head, err := piece(f, 2)
		if err != nil {
			return err
		}
		// In JSON text a quote inside a string is escaped, so this can
		// only be the file's own "rows" member.
		before, after, ok := bytes.Cut(head, []byte(`"rows": []`))
		if !ok {
			return errors.New("report: no rows member in a file")
		}
		before, after = bytes.Clone(before), bytes.Clone(after)
		bw.Write(before)
		bw.WriteString(`"rows": [`)
		if err := writeRows(bw, rows); err != nil {
			return err
		}
		if len(rows) > 0 {
			bw.WriteString("\n      ")
		}
		bw.WriteByte(']')
		bw.Write(after)
	}
	if len(doc.Files) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("],\n  \"summary\": ")
	sum, err := piece(doc.Summary, 1)
	if err != nil {
		return err
	}
	bw.Write(sum)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// rowChunk is how many rows one goroutine of writeRows encodes at a time.
const rowChunk = 256

// writeRows writes rows as writeJSON lays them out in a file's "rows"
// list (each on a new line, indented four levels, commas between),
// encoded on every core a chunk of rows each, and written in order. The
// verdicts are written after the last one is known, so their encoding
// (most of a report's time) is on the way of every check's result.
func writeRows(bw *bufio.Writer, rows []rppsync.Verdict) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	out := make([]bytes.Buffer, workers)
	errs := make([]error, workers)
	for start := 0; start < len(rows); start += workers * rowChunk {
		var wg sync.WaitGroup
		for w := range workers {
			from := start + w*rowChunk
			if from >= len(rows) {
				break
			}
			to := min(from+rowChunk, len(rows))
			wg.Go(func() { errs[w] = encodeRows(&out[w], rows[from:to], from == 0) })
		}
		wg.Wait()
		for w := range workers {
			if errs[w] != nil {
				return errs[w]
			}
			bw.Write(out[w].Bytes())
			out[w].Reset()
		}
	}
	return nil
}

// encodeRows appends to buf the rows as writeRows lays them out; first
// says they start the list (no comma before).
func encodeRows(buf *bytes.Buffer, rows []rppsync.Verdict, first bool) error {
	var one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat("  ", 4), "  ")
	for j, r := range rows {
		if j > 0 || !first {
			buf.WriteByte(',')
		}
		buf.WriteString("\n        ")
		one.Reset()
		if err := enc.Encode(r); err != nil {
			return err
		}
		buf.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	return nil
}
