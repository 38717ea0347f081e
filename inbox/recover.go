package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// claimNote is the file of a claim folder that holds the claimed file's
// path in the inbox.
const claimNote = ".claim"

// recoveringPrefix starts the name of a claim folder being recovered,
// followed by the time of the take in Unix nanoseconds.
const recoveringPrefix = "r-"

// takenAt reads the time of the take from a claim folder's name.
func takenAt(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, recoveringPrefix)
	if !ok {
		return time.Time{}, false
	}
	ts, _, ok := strings.Cut(rest, "-")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// DefaultRecoverAfter is how old a claim must be before Recover takes it:
// a live Finish holds its claim for milliseconds.
const DefaultRecoverAfter = 10 * time.Minute

// Recover puts back into the inbox the files that a process killed in the
// middle of Finish or Reject left in processing/, so that a later scan
// offers them again: nothing dropped is ever lost. Only claims older than
// olderThan (zero: DefaultRecoverAfter) are taken: their folder's mtime,
// compared with the injected clock, tells their age. Each is first renamed,
// so that of several processes recovering at once exactly one takes it. A file put back under a taken name gets a suffix.
// It returns the paths put back, relative to the inbox.
//
// A process killed after the file reached done/ or rejected/ but before
// its claim was removed leaves a copy in both places; Recover puts that
// copy back too, and the import, idempotent by SHA-256, sees it again.
func (in *Inbox) Recover(ctx context.Context, olderThan time.Duration) ([]string, error) {
	if olderThan <= 0 {
		olderThan = DefaultRecoverAfter
	}
	root, err := os.OpenRoot(in.cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("inbox: open %s: %w", in.cfg.Root, err)
	}
	defer root.Close()
	f, err := root.Open(ProcessingDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: open %s: %w", ProcessingDir, err)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("inbox: read %s: %w", ProcessingDir, err)
	}
	now := in.cfg.Clock.Now()
	var back []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return back, err
		}
		if !e.IsDir() {
			continue
		}
		since, ok := takenAt(e.Name())
		if !ok {
			info, err := e.Info()
			if err != nil {
				continue
			}
			since = info.ModTime()
		}
		if now.Sub(since) < olderThan {
			continue
		}
		// Renamed with the time of the take in its name, so that no other
		// process takes it while it is recovered (a rename keeps the
		// folder's mtime), and another one does if this one dies.
		mine := path.Join(ProcessingDir, fmt.Sprintf("%s%d-%s", recoveringPrefix, now.UnixNano(), token()))
		if err := root.Rename(path.Join(ProcessingDir, e.Name()), mine); err != nil {
			continue // taken by another process, or gone
		}
		rel, err := in.recoverClaim(root, mine)
		if err != nil {
			in.log.Error().Err(err).Str("claim", mine).Msg("a claim could not be recovered; its file stays in the processing folder")
			continue
		}
		if rel != "" {
			back = append(back, rel)
		}
	}
	return back, nil
}

// recoverClaim puts the file of one claim folder back where its note says
// it came from, removes the rest of the folder and returns the file's new
// path ("" when the claim held no file).
func (in *Inbox) recoverClaim(root *os.Root, dir string) (string, error) {
	note, err := root.ReadFile(path.Join(dir, claimNote))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	rel := string(note)
	if rel != "" {
		if err := in.validRel(rel); err != nil {
			return "", err
		}
	}
	f, err := root.Open(dir)
	if err != nil {
		return "", err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return "", err
	}
	var put string
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == claimNote:
		case strings.HasPrefix(name, ".report-"):
			_ = root.Remove(path.Join(dir, name)) // a report not yet placed: the caller writes it again
		case rel == "" || name != path.Base(rel):
			return "", fmt.Errorf("inbox: unexpected %s in %s", name, dir)
		default:
			if err := realFoldersOrCreate(root, path.Dir(rel)); err != nil {
				return "", err
			}
			got, err := place(root, path.Join(dir, name), path.Dir(rel), name, nil)
			if err != nil {
				return "", err
			}
			put = path.Join(path.Dir(rel), got)
			in.log.Warn().Str("file", rel).Str("put_back_as", put).Msg("interrupted move recovered: file back in the inbox")
		}
	}
	_ = root.Remove(path.Join(dir, claimNote))
	if err := root.Remove(dir); err != nil {
		return put, err
	}
	return put, nil
}

// realFoldersOrCreate makes sure the folders of dir exist as real folders
// (the agency folder may have been removed meanwhile).
func realFoldersOrCreate(root *os.Root, dir string) error {
	if dir == "." {
		return nil
	}
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return realFolders(root, path.Join(dir, "x"))
}
