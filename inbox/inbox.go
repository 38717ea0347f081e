package inbox

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// The reserved folders at the top of the inbox. They are never scanned.
const (
	DoneDir       = "done"
	RejectedDir   = "rejected"
	ProcessingDir = "processing"
)

// Defaults of Config.
const (
	DefaultStableFor = 30 * time.Second
	DefaultMaxSize   = 100 << 20 // 100 MiB: agency files are far smaller
	DefaultMaxDepth  = 2         // agency/subfolder/file
)

// Clock is the time source: the real one in production, a fake one in tests.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures an Inbox. Root is required; every other zero value is a
// default.
type Config struct {
	// Root is the inbox folder. It must exist.
	Root string
	// StableFor is how long a file's size and modification time must stay
	// unchanged, between two scans, before it is taken. Zero: DefaultStableFor.
	StableFor time.Duration
	// MaxSize is the largest file taken, in bytes; larger ones are refused
	// (CodeTooLarge). Zero: DefaultMaxSize.
	MaxSize int64
	// MaxDepth is how many folder levels are accepted below Root: 1 allows
	// agency/file, 2 allows agency/subfolder/file. A deeper folder is
	// refused (CodeTooDeep) without being read. Zero: DefaultMaxDepth.
	MaxDepth int
	// Location gives the day of the done/ and rejected/ subfolders.
	// Nil: Europe/Paris (UTC when the zone database is absent).
	Location *time.Location
	// Clock is the time source. Nil: the real clock.
	Clock Clock
	// Logger receives the scan and move events. Zero: no logs.
	Logger zerolog.Logger
}

// File is a file ready to import.
type File struct {
	Path    string    // relative to the inbox, slash-separated ("Interim Plus/planning.xlsx")
	Agency  string    // the first folder of Path, "" at the top level
	Size    int64     // bytes
	ModTime time.Time // modification time when it was hashed
	SHA256  string    // lower-case hex digest of the bytes read
}

// Refused is an entry of the inbox that will not be imported. It stays
// where it is, reported at each scan, until Reject moves it (or a person
// removes it).
type Refused struct {
	Path   string // relative to the inbox, slash-separated
	Agency string // the first folder of Path, "" at the top level
	Code   string // one of the Code… constants
	Reason string // a French sentence for the HR team
}

// ScanResult is what one Scan found.
type ScanResult struct {
	Ready   []File    // stable regular files, hashed, sorted by Path
	Refused []Refused // sorted by Path
	Pending int       // files seen but not stable yet: left for a later scan
	Ignored int       // temporary and hidden names, skipped
}

// observation is what a previous scan saw of a file.
type observation struct {
	size  int64
	mtime time.Time
	since time.Time // clock time of the first scan that saw this size and mtime
	hash  string    // set once hashed with this size and mtime
}

// Inbox scans one drop folder and moves its files out. Its methods are safe
// for concurrent use; several Inbox values (in one process or several) may
// share a folder.
type Inbox struct {
	cfg Config
	log zerolog.Logger

	mu      sync.Mutex // serialises Scan and guards seen and refused
	seen    map[string]observation
	refused map[string]string // path → code at the previous scan
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// New validates cfg and returns an Inbox. The folder must exist; the
// reserved subfolders are created when first needed.
func New(cfg Config) (*Inbox, error) {
	if cfg.Root == "" {
		return nil, fmt.Errorf("%w: no folder configured", ErrNoRoot)
	}
	st, err := os.Stat(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRoot, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder", ErrNoRoot, cfg.Root)
	}
	if cfg.StableFor < 0 || cfg.MaxSize < 0 || cfg.MaxDepth < 0 {
		return nil, errors.New("inbox: StableFor, MaxSize and MaxDepth must not be negative")
	}
	cfg.StableFor = cmp.Or(cfg.StableFor, DefaultStableFor)
	cfg.MaxSize = cmp.Or(cfg.MaxSize, DefaultMaxSize)
	cfg.MaxDepth = cmp.Or(cfg.MaxDepth, DefaultMaxDepth)
	if cfg.Location == nil {
		cfg.Location = paris
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &Inbox{
		cfg:     cfg,
		log:     cfg.Logger.With().Str("component", "inbox").Logger(),
		seen:    map[string]observation{},
		refused: map[string]string{},
	}, nil
}

// Scan walks the inbox once and returns the files ready to take and the
// entries refused. Files not stable yet (see the package documentation) are
// counted in Pending and taken by a later scan. Entries that vanish while
// the scan runs (another process finished them) are skipped. Scan returns
// an error only when the inbox itself cannot be read, or ctx is done.
func (in *Inbox) Scan(ctx context.Context) (ScanResult, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	root, err := os.OpenRoot(in.cfg.Root)
	if err != nil {
		return ScanResult{}, fmt.Errorf("inbox: open %s: %w", in.cfg.Root, err)
	}
	defer root.Close()
	s := scan{in: in, root: root, now: in.cfg.Clock.Now(), seen: map[string]observation{}, refused: map[string]string{}}
	if err := s.walk(ctx, ".", 0); err != nil {
		return ScanResult{}, err
	}
	in.seen = s.seen // files gone since the previous scan are forgotten
	in.refused = s.refused
	sort.Slice(s.res.Ready, func(i, j int) bool { return s.res.Ready[i].Path < s.res.Ready[j].Path })
	sort.Slice(s.res.Refused, func(i, j int) bool { return s.res.Refused[i].Path < s.res.Refused[j].Path })
	in.log.Debug().Int("ready", len(s.res.Ready)).Int("refused", len(s.res.Refused)).
		Int("pending", s.res.Pending).Int("ignored", s.res.Ignored).Msg("inbox scanned")
	return s.res, nil
}

// scan is the state of one Scan.
type scan struct {
	in      *Inbox
	root    *os.Root
	now     time.Time
	seen    map[string]observation
	refused map[string]string
	res     ScanResult
}

func (s *scan) walk(ctx context.Context, dir string, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := s.root.Open(dir)
	if err != nil {
		if depth == 0 {
			return fmt.Errorf("inbox: read %s: %w", s.in.cfg.Root, err)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			s.refuse(dir, CodeUnreadable, fmt.Sprintf("Le dossier %s ne peut pas être lu (%s) : vérifiez ses droits d'accès.", quote(dir), errText(err)))
		}
		return nil
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		if depth == 0 {
			return fmt.Errorf("inbox: read %s: %w", s.in.cfg.Root, err)
		}
		s.refuse(dir, CodeUnreadable, fmt.Sprintf("Le dossier %s ne peut pas être lu (%s) : vérifiez ses droits d'accès.", quote(dir), errText(err)))
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		rel := path.Join(dir, name)
		if depth == 0 && (name == DoneDir || name == RejectedDir || name == ProcessingDir) {
			continue
		}
		if ignoredName(name) {
			s.res.Ignored++
			continue
		}
		if code, reason := checkName(name); code != "" {
			s.refuse(rel, code, reason)
			continue
		}
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			if _, err := s.root.Stat(rel); err != nil {
				s.refuse(rel, CodeSymlinkOutside, fmt.Sprintf("%s est un lien symbolique qui mène hors du dossier de dépôt (ou nulle part) : il est refusé. Déposez le fichier lui-même.", quote(rel)))
			} else {
				s.refuse(rel, CodeSymlinkInside, fmt.Sprintf("%s est un lien symbolique : il est refusé, seuls les fichiers eux-mêmes sont importés. Supprimez le lien.", quote(rel)))
			}
		case t.IsDir():
			if depth+1 > s.in.cfg.MaxDepth {
				s.refuse(rel, CodeTooDeep, fmt.Sprintf("Le dossier %s est trop profond (au plus %d niveaux de dossiers) : déposez ses fichiers dans le dossier de l'agence.", quote(rel), s.in.cfg.MaxDepth))
				continue
			}
			if err := s.walk(ctx, rel, depth+1); err != nil {
				return err
			}
		case t.IsRegular():
			if err := s.file(ctx, rel, e); err != nil {
				return err
			}
		default:
			s.refuse(rel, CodeNotRegular, fmt.Sprintf("%s n'est pas un fichier ordinaire (tube, socket ou périphérique) : il est refusé.", quote(rel)))
		}
	}
	return nil
}

func (s *scan) file(ctx context.Context, rel string, e fs.DirEntry) error {
	info, err := e.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil // finished by another process meanwhile
	}
	if err != nil {
		s.refuse(rel, CodeUnreadable, fmt.Sprintf("Le fichier %s ne peut pas être lu (%s) : vérifiez ses droits d'accès.", quote(rel), errText(err)))
		return nil
	}
	if !info.Mode().IsRegular() { // replaced since the listing
		s.res.Pending++
		return nil
	}
	if info.Size() > s.in.cfg.MaxSize {
		s.refuse(rel, CodeTooLarge, fmt.Sprintf("Le fichier %s fait %s, au-delà de la limite de %s : découpez-le ou demandez à l'administrateur de relever la limite.", quote(rel), mib(info.Size()), mib(s.in.cfg.MaxSize)))
		return nil
	}
	obs, ok := s.in.seen[rel]
	if !ok || obs.size != info.Size() || !obs.mtime.Equal(info.ModTime()) {
		s.seen[rel] = observation{size: info.Size(), mtime: info.ModTime(), since: s.now}
		s.res.Pending++
		return nil
	}
	if s.now.Sub(obs.since) < s.in.cfg.StableFor {
		s.seen[rel] = obs
		s.res.Pending++
		return nil
	}
	if obs.hash == "" {
		sum, st, err := hashFile(ctx, s.root, rel, s.in.cfg.MaxSize)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case errors.Is(err, errUnstable):
			s.seen[rel] = observation{size: st.Size(), mtime: st.ModTime(), since: s.now}
			s.res.Pending++
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			s.refuse(rel, CodeUnreadable, fmt.Sprintf("Le fichier %s ne peut pas être lu (%s) : vérifiez ses droits d'accès.", quote(rel), errText(err)))
			return nil
		}
		if st.Size() != obs.size || !st.ModTime().Equal(obs.mtime) {
			s.seen[rel] = observation{size: st.Size(), mtime: st.ModTime(), since: s.now}
			s.res.Pending++
			return nil
		}
		obs.hash = sum
	}
	s.seen[rel] = obs
	s.res.Ready = append(s.res.Ready, File{
		Path: rel, Agency: agencyOf(rel), Size: obs.size, ModTime: obs.mtime, SHA256: obs.hash,
	})
	return nil
}

func (s *scan) refuse(rel, code, reason string) {
	s.res.Refused = append(s.res.Refused, Refused{Path: rel, Agency: agencyOf(rel), Code: code, Reason: reason})
	s.refused[rel] = code
	if s.in.refused[rel] != code { // once, not at every scan
		s.in.log.Warn().Str("file", rel).Str("code", code).Msg("inbox entry refused")
	}
}

// errUnstable says the file changed while it was read.
var errUnstable = errors.New("inbox: the file changed while it was read")

// hashFile reads rel through root and returns its SHA-256 and the file's
// state after the read. errUnstable when the file changed while read or is
// no longer a regular file.
func hashFile(ctx context.Context, root *os.Root, rel string, max int64) (string, fs.FileInfo, error) {
	f, err := root.OpenFile(rel, openFlags, 0)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return "", nil, err
	}
	if !before.Mode().IsRegular() {
		return "", before, errUnstable
	}
	h := sha256.New()
	n, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.LimitReader(f, max+1)})
	if err != nil {
		return "", before, err
	}
	after, err := f.Stat()
	if err != nil {
		return "", before, err
	}
	if n != after.Size() || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return "", after, errUnstable
	}
	return hex.EncodeToString(h.Sum(nil)), after, nil
}

// ctxReader stops a long read when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ignoredName reports the temporary and hidden names editors, browsers and
// uploads use while a file is written.
func ignoredName(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") ||
		strings.HasSuffix(lower, ".part") || strings.HasSuffix(lower, ".tmp") ||
		strings.HasSuffix(lower, ".crdownload")
}

// checkName returns a refusal code and reason for a name that cannot be
// shown or handled safely, or "" when the name is fine.
func checkName(name string) (code, reason string) {
	if !utf8.ValidString(name) {
		return CodeNameNotUTF8, fmt.Sprintf("Le nom %s n'est pas un texte valide (encodage inconnu) : renommez le fichier avec des lettres ordinaires.", quote(name))
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return CodeNameControl, fmt.Sprintf("Le nom %s contient des caractères de contrôle invisibles : renommez le fichier.", quote(name))
	}
	return "", ""
}

func agencyOf(rel string) string {
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// quote shows a name with its invisible characters escaped.
func quote(s string) string { return fmt.Sprintf("%q", s) }

func mib(n int64) string { return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20)) }

// errText is the system's reason without the path, which the sentence gives.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
