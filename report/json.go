package report

import (
	"encoding/json"
	"io"

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
// and without escaping <, > and & (messages are read by people).
func writeJSON(w io.Writer, files []rppsync.FileResult) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(NewDocument(files))
}
