package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
)

// ImportOptions says who a batch of files comes from.
type ImportOptions struct {
	// Agency is the temp agency the files come from ("" when each row
	// names its own).
	Agency string
	// DroppedBy is who dropped the files.
	DroppedBy string
	// OnFile, when set, is called after each file is recorded (or found
	// already imported), in the order of the paths.
	OnFile func(FileImport)
}

// FileImport is what Import did with one file.
type FileImport struct {
	// Result is the file's check: its rows and verdicts, or its
	// file-level error.
	Result rppsync.FileResult
	// Report says what was recorded; nil when the file is missing (there
	// is no content to record it under).
	Report *store.ImportReport
}

// Imported is what Import did with a batch of files.
type Imported struct {
	Files []FileImport
	// Unreadable counts the files that could not be read at all.
	Unreadable int
	// NoDirectory is true when the database held no directory: RPPS
	// numbers were not checked and no candidate was searched.
	NoDirectory bool
	// NoCards is true when no card extract is loaded: MIE needs were not
	// computed.
	NoCards bool
}

// Import checks the files against db's directory like Check, then records
// each file, its rows, the contracts they name and their work items, one
// transaction per file: a file recorded is recorded whole, and a failure
// stops the batch with the files before it recorded. The same file again
// changes nothing; a corrected file updates the contracts it changes. A
// file that cannot be read is recorded as such (with no rows), so that HR
// sees it; a missing file has no content and is not recorded.
func (p *Pipeline) Import(ctx context.Context, db *store.DB, paths []string, opts ImportOptions) (*Imported, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: Import needs a database", ErrInvalidConfig)
	}
	checked, err := p.Check(ctx, paths, Source{DB: db})
	if err != nil {
		return nil, err
	}
	out := &Imported{NoDirectory: checked.Directory == DirectoryNone}
	cards, err := p.cardsFor(ctx, db, checked.Files)
	if err != nil {
		return nil, err
	}
	out.NoCards = !cards.Known
	known, err := p.knownFor(ctx, db, checked)
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	for i, res := range checked.Files {
		if res.Error != nil {
			out.Unreadable++
		}
		// The hash of the very bytes read: a file replaced on disk since
		// is recorded under the content that was imported.
		sum := checked.SHA256[i]
		if sum == "" {
			// A missing file, a FIFO: nothing was read, nothing to record.
			fi := FileImport{Result: res}
			out.Files = append(out.Files, fi)
			if opts.OnFile != nil {
				opts.OnFile(fi)
			}
			continue
		}
		f := store.ImportFile{Path: res.Path, SHA256: sum, Agency: opts.Agency, DroppedBy: opts.DroppedBy, Sheets: res.Sheets,
			Unmapped: res.Unmapped, NIRColumns: res.NIRColumns, Error: res.Error}
		rows := make([]store.ImportRow, len(checked.Records[i]))
		for j, rec := range checked.Records[i] {
			v := res.Rows[j]
			rows[j] = store.ImportRow{Record: rec, Verdict: v, Items: queue.BuildKnown(rec, v, cards, known, now)}
		}
		rep, err := db.ImportFile(ctx, f, rows, now)
		if err != nil {
			return out, &FileImportError{Path: res.Path, Err: err}
		}
		fi := FileImport{Result: res, Report: rep}
		out.Files = append(out.Files, fi)
		if opts.OnFile != nil {
			opts.OnFile(fi)
		}
	}
	return out, nil
}

// FileImportError is returned by Import when a file could not be recorded:
// nothing of that file was written, and running the import again retries
// it (the files before it are recorded and will be skipped).
type FileImportError struct {
	Path string
	Err  error
}

func (e *FileImportError) Error() string { return fmt.Sprintf("import %s: %v", e.Path, e.Err) }

// Unwrap returns the database's error.
func (e *FileImportError) Unwrap() error { return e.Err }

// knownFor fetches, in one query, the directory entries of every RPPS the
// rows name or propose as a candidate, for queue.BuildKnown: whether an
// activity is already declared at the row's FINESS, and who each candidate
// is. It knows nobody when no directory was read.
func (p *Pipeline) knownFor(ctx context.Context, db *store.DB, checked *Checked) (queue.Known, error) {
	if checked.Directory == DirectoryNone {
		return queue.Known{}, nil
	}
	seen := map[string]bool{}
	var rpps []string
	add := func(r string) {
		if r != "" && !seen[r] {
			seen[r] = true
			rpps = append(rpps, r)
		}
	}
	for _, r := range checked.Files {
		for _, v := range r.Rows {
			if v.RPPS != nil {
				add(*v.RPPS)
			}
			for _, c := range v.Candidates {
				add(c.RPPS)
			}
		}
	}
	if len(rpps) == 0 {
		return queue.Known{}, nil
	}
	slices.Sort(rpps)
	pros, err := db.Directory().Professionals(ctx, rpps)
	if errors.Is(err, store.ErrNoDirectory) {
		return queue.Known{}, nil
	}
	if err != nil {
		return queue.Known{}, fmt.Errorf("directory entries of the rows: %w", err)
	}
	return queue.Known{Pros: pros}, nil
}

// cardsFor fetches, in one query, the CPS cards of every RPPS the rows name.
func (p *Pipeline) cardsFor(ctx context.Context, db *store.DB, results []rppsync.FileResult) (queue.Cards, error) {
	seen := map[string]bool{}
	var rpps []string
	for _, r := range results {
		for _, v := range r.Rows {
			if v.RPPS != nil && !seen[*v.RPPS] {
				seen[*v.RPPS] = true
				rpps = append(rpps, *v.RPPS)
			}
		}
	}
	slices.Sort(rpps)
	c, err := db.QueueCards(ctx, rpps)
	if err == nil && !c.Known {
		p.log.Warn().Msg("no card extract loaded: MIE needs are not computed")
	}
	return c, err
}
