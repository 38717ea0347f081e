package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Outcome says where Finish puts a file.
type Outcome int

// The outcomes of a file.
const (
	Done     Outcome = iota + 1 // imported: done/YYYY-MM-DD/…
	Rejected                    // not imported (unreadable, refused): rejected/YYYY-MM-DD/…
)

func (o Outcome) String() string {
	switch o {
	case Done:
		return DoneDir
	case Rejected:
		return RejectedDir
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Report is a file written beside the moved file, such as the XLSX check
// report for HR. Name is a plain file name ("rapport.xlsx"); it is written
// as the moved file's name without extension, "_", then Name
// ("planning_rapport.xlsx" beside "planning.xlsx").
type Report struct {
	Name string
	Data []byte
}

// maxSuffix bounds the search for a free name: " (2)" … " (999)".
const maxSuffix = 999

// Finish moves a scanned file into done/ or rejected/ (outcome), in the
// day's subfolder and under its agency folder, and writes reports beside
// it. It returns the new path, relative to the inbox and slash-separated.
//
// The file is claimed first by an atomic rename, so of several processes
// finishing the same file exactly one moves it; the others get
// ErrAlreadyFinished, which they can ignore. If the claimed content's
// SHA-256 is not f.SHA256, the file is put back and ErrChanged returned. A
// name already taken in the destination gets a suffix (" (2)"), for the
// file and its reports together: nothing is overwritten.
func (in *Inbox) Finish(ctx context.Context, f File, outcome Outcome, reports ...Report) (string, error) {
	if f.SHA256 == "" {
		return "", errors.New("inbox: Finish needs the file's SHA-256 from Scan")
	}
	return in.move(ctx, f.Path, f.SHA256, outcome, reports)
}

// Reject moves a refused entry (whatever its type: a symbolic link is moved
// itself, never followed) into rejected/, like Finish, with the reports
// beside it. Its content is not checked.
func (in *Inbox) Reject(ctx context.Context, r Refused, reports ...Report) (string, error) {
	return in.move(ctx, r.Path, "", Rejected, reports)
}

func (in *Inbox) move(ctx context.Context, rel, wantHash string, outcome Outcome, reports []Report) (string, error) {
	if outcome != Done && outcome != Rejected {
		return "", fmt.Errorf("inbox: unknown outcome %d", int(outcome))
	}
	if err := in.validRel(rel); err != nil {
		return "", err
	}
	if err := validReports(reports); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(in.cfg.Root)
	if err != nil {
		return "", fmt.Errorf("inbox: open %s: %w", in.cfg.Root, err)
	}
	defer root.Close()
	if err := realFolders(root, rel); err != nil {
		return "", err
	}

	claimDir := path.Join(ProcessingDir, token())
	if err := root.MkdirAll(claimDir, 0o750); err != nil {
		return "", fmt.Errorf("inbox: create %s: %w", claimDir, err)
	}
	// Removes the claim folder once empty; a file still in it is never lost.
	defer root.Remove(claimDir)
	base := path.Base(rel)
	claimed := path.Join(claimDir, base)
	// The claim note says where the file came from, for Recover; it goes
	// once the claimed file has left the claim folder.
	note := path.Join(claimDir, claimNote)
	if err := root.WriteFile(note, []byte(rel), 0o640); err != nil {
		return "", fmt.Errorf("inbox: write %s: %w", note, err)
	}
	defer func() {
		if _, err := root.Lstat(claimed); errors.Is(err, fs.ErrNotExist) {
			_ = root.Remove(note)
		}
	}()
	if err := root.Rename(rel, claimed); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: %s", ErrAlreadyFinished, rel)
		}
		return "", fmt.Errorf("inbox: claim %s: %w", rel, err)
	}
	log := in.log.With().Str("file", rel).Str("outcome", outcome.String()).Logger()

	if wantHash != "" {
		sum, _, herr := hashFile(ctx, root, claimed, math.MaxInt64-1)
		if herr != nil || sum != wantHash {
			back, perr := place(root, claimed, path.Dir(rel), base, nil)
			if perr != nil {
				log.Error().Err(perr).Str("claim", claimed).Msg("a changed file could not be put back; it is in the processing folder")
				return "", fmt.Errorf("inbox: %s changed and could not be put back from %s: %w", rel, claimed, perr)
			}
			log.Warn().Str("back_as", back).Msg("file changed since the scan; put back in the inbox")
			if herr != nil && ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("%w: %s", ErrChanged, rel)
		}
	}

	staged := make([]stagedReport, len(reports))
	for i, r := range reports {
		staged[i] = stagedReport{name: r.Name, tmp: path.Join(claimDir, fmt.Sprintf(".report-%d", i))}
		if err := root.WriteFile(staged[i].tmp, r.Data, 0o640); err != nil {
			removeAll(root, staged[:i+1])
			return "", in.putBack(root, claimed, rel, fmt.Errorf("inbox: write report %s: %w", r.Name, err))
		}
	}
	day := in.cfg.Clock.Now().In(in.cfg.Location).Format("2006-01-02")
	destDir := path.Join(outcome.String(), day)
	if d := path.Dir(rel); d != "." {
		destDir = path.Join(destDir, d)
	}
	if err := root.MkdirAll(destDir, 0o750); err != nil {
		removeAll(root, staged)
		return "", in.putBack(root, claimed, rel, fmt.Errorf("inbox: create %s: %w", destDir, err))
	}
	name, err := place(root, claimed, destDir, base, staged)
	removeAll(root, staged) // the reports are linked at their destination
	if err != nil {
		return "", in.putBack(root, claimed, rel, err)
	}
	dest := path.Join(destDir, name)
	log.Info().Str("moved_to", dest).Str("sha256", wantHash).Int("reports", len(reports)).Msg("inbox file finished")
	return dest, nil
}

// putBack returns a claimed file to the inbox after a failure, so that a
// later scan sees it again, and returns cause.
func (in *Inbox) putBack(root *os.Root, claimed, rel string, cause error) error {
	if _, err := root.Lstat(claimed); err != nil {
		return cause // already placed or gone: nothing to put back
	}
	if _, err := place(root, claimed, path.Dir(rel), path.Base(rel), nil); err != nil {
		in.log.Error().Err(err).Str("file", rel).Str("claim", claimed).Msg("a claimed file could not be put back; it is in the processing folder")
		return fmt.Errorf("%w (and it could not be put back from %s: %w)", cause, claimed, err)
	}
	return cause
}

type stagedReport struct {
	name string // the caller's name
	tmp  string // where it was written in the claim folder
}

func removeAll(root *os.Root, staged []stagedReport) {
	for _, s := range staged {
		_ = root.Remove(s.tmp) // absent when moved instead of linked
	}
}

// place puts the claimed entry into dir under base, or base with the first
// free suffix, with its reports beside it, never replacing an existing
// name. It returns the name chosen. The claimed entry is left in place when
// it was hard-linked; the caller removes it.
func place(root *os.Root, claimed, dir, base string, reports []stagedReport) (string, error) {
	info, err := root.Lstat(claimed)
	if err != nil {
		return "", fmt.Errorf("inbox: %s: %w", claimed, err)
	}
	isDir := info.IsDir()
	for n := 1; n <= maxSuffix; n++ {
		name := suffixed(base, n)
		var done []placed
		undo := func() {
			for i := len(done) - 1; i >= 0; i-- {
				done[i].undo(root)
			}
		}
		p, err := placeOne(root, claimed, path.Join(dir, name), isDir)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		done = append(done, p)
		taken := false
		for _, r := range reports {
			p, err := placeOne(root, r.tmp, path.Join(dir, reportName(name, r.name)), false)
			if errors.Is(err, fs.ErrExist) {
				taken = true
				break
			}
			if err != nil {
				undo()
				return "", err
			}
			done = append(done, p)
		}
		if taken {
			undo()
			continue
		}
		if !isDir && done[0].linked {
			if err := root.Remove(claimed); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return name, fmt.Errorf("inbox: remove claim %s: %w", claimed, err)
			}
		}
		return name, nil
	}
	return "", fmt.Errorf("inbox: no free name for %s in %s after %d tries", base, dir, maxSuffix)
}

// placed is one entry put at its destination, and how to take it back.
type placed struct {
	from, to string
	linked   bool // a hard link (from still exists); else a rename
}

func (p placed) undo(root *os.Root) {
	if p.linked {
		_ = root.Remove(p.to)
	} else {
		_ = root.Rename(p.to, p.from)
	}
}

// placeOne puts from at to, failing with fs.ErrExist when to exists: a
// hard link for a file or a symbolic link; where hard links are not
// supported the name is reserved with an exclusive create and from renamed
// over it; a folder is renamed when the name is free.
func placeOne(root *os.Root, from, to string, isDir bool) (placed, error) {
	if isDir {
		// os.Rename never replaces a folder (fs.ErrExist), but a folder
		// created between its check and the system call would be replaced
		// if empty: a window only two processes rejecting two folders of
		// the same path at the same instant could meet.
		if _, err := root.Lstat(to); err == nil {
			return placed{}, fs.ErrExist
		}
		if err := root.Rename(from, to); err != nil {
			return placed{}, err
		}
		return placed{from: from, to: to}, nil
	}
	err := root.Link(from, to)
	if err == nil {
		return placed{from: from, to: to, linked: true}, nil
	}
	if errors.Is(err, fs.ErrExist) {
		return placed{}, err
	}
	// No hard links here (some network shares): reserve, then replace.
	f, cerr := root.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if cerr != nil {
		return placed{}, cerr
	}
	f.Close()
	if rerr := root.Rename(from, to); rerr != nil {
		_ = root.Remove(to)
		return placed{}, fmt.Errorf("inbox: move %s to %s: %w (hard link: %w)", from, to, rerr, err)
	}
	return placed{from: from, to: to}, nil
}

// suffixed returns base for n == 1, else base with " (n)" before its
// extension.
func suffixed(base string, n int) string {
	if n == 1 {
		return base
	}
	ext := path.Ext(base)
	if ext == base { // ".x": no stem
		ext = ""
	}
	return strings.TrimSuffix(base, ext) + " (" + strconv.Itoa(n) + ")" + ext
}

// reportName is the name of a report beside the file called name.
func reportName(name, report string) string {
	ext := path.Ext(name)
	if ext == name {
		ext = ""
	}
	return strings.TrimSuffix(name, ext) + "_" + report
}

// validRel checks that rel is a clean path below the inbox, outside the
// reserved folders, no deeper than a scan goes.
func (in *Inbox) validRel(rel string) error {
	bad := func(reason string) error { return &PathError{Path: rel, Reason: reason} }
	switch {
	case rel == "" || rel == ".":
		return bad("empty path")
	case !utf8.ValidString(rel) || strings.IndexFunc(rel, unicode.IsControl) >= 0:
		return bad("invalid characters")
	case strings.HasPrefix(rel, "/") || strings.Contains(rel, `\`):
		return bad("not a relative slash-separated path")
	case path.Clean(rel) != rel:
		return bad("not a clean path")
	}
	if strings.HasPrefix(path.Base(rel), ".") {
		return bad("hidden name, never scanned")
	}
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == ".." {
			return bad("leaves the inbox")
		}
	}
	switch parts[0] {
	case DoneDir, RejectedDir, ProcessingDir:
		return bad("inside a reserved folder")
	}
	if len(parts) > in.cfg.MaxDepth+1 {
		return bad("deeper than a scan goes")
	}
	return nil
}

// realFolders checks that the folders of rel are folders, not symbolic
// links, so that a move never takes a file from elsewhere.
func realFolders(root *os.Root, rel string) error {
	dir := path.Dir(rel)
	if dir == "." {
		return nil
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := path.Join(parts[:i+1]...)
		info, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrAlreadyFinished, rel)
		}
		if err != nil {
			return fmt.Errorf("inbox: %s: %w", p, err)
		}
		if !info.IsDir() {
			return &PathError{Path: rel, Reason: p + " is not a folder (a symbolic link?)"}
		}
	}
	return nil
}

func validReports(reports []Report) error {
	seen := map[string]bool{}
	for _, r := range reports {
		switch {
		case r.Name == "" || r.Name == "." || r.Name == "..":
			return fmt.Errorf("%w: %q", ErrBadReport, r.Name)
		case strings.ContainsAny(r.Name, `/\`):
			return fmt.Errorf("%w: %q holds a path separator", ErrBadReport, r.Name)
		case !utf8.ValidString(r.Name) || strings.IndexFunc(r.Name, unicode.IsControl) >= 0:
			return fmt.Errorf("%w: %q holds invalid characters", ErrBadReport, r.Name)
		case seen[r.Name]:
			return fmt.Errorf("%w: %q given twice", ErrBadReport, r.Name)
		}
		seen[r.Name] = true
	}
	return nil
}

// token names a claim folder: unique across processes and hosts.
func token() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
