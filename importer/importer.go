package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rppsync/rppsync"
)

// Default limits, used when the matching Options field is zero.
const (
	// DefaultMaxUnzipSize bounds the total unzipped size of a workbook (all its
	// parts, as the zip declares them): 64 MiB, far above a real agency file
	// (a 10,000-row workbook unzips to about 5 MiB) and far below a zip bomb.
	DefaultMaxUnzipSize int64 = 64 << 20
	// DefaultMaxUnzipXMLSize bounds each part of a workbook read whole into
	// memory (the workbook, its relationships, the shared strings; the
	// worksheets are streamed): 16 MiB, the shared strings of several
	// hundred thousand distinct cells.
	DefaultMaxUnzipXMLSize int64 = 16 << 20
	// DefaultMaxTextSize bounds a CSV or TXT file: 32 MiB.
	DefaultMaxTextSize int64 = 32 << 20
	// DefaultMaxFileSize bounds the bytes of any file, read once into
	// memory (a workbook needs random access): 256 MiB.
	DefaultMaxFileSize int64 = 256 << 20
)

// maxHeaderSearch is how many rows from the top are searched for the heading row.
const maxHeaderSearch = 20

// Options configure ReadFile. The zero value is ready to use.
type Options struct {
	// Profile overrides or extends the heading synonyms for one agency; nil for none.
	Profile *Profile
	// MaxUnzipSize bounds the unzipped size of a workbook as its zip
	// declares it, the bytes all reads of its parts decompress together,
	// and the mapped cell text kept from it; 0 means DefaultMaxUnzipSize.
	MaxUnzipSize int64
	// MaxUnzipXMLSize bounds each part read whole into memory; 0 means
	// DefaultMaxUnzipXMLSize (capped at MaxUnzipSize).
	MaxUnzipXMLSize int64
	// MaxTextSize bounds a CSV or TXT file; 0 means DefaultMaxTextSize.
	MaxTextSize int64
	// MaxFileSize bounds the bytes of any file read; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Now is the reference date for two-digit years (see ParseDate); zero means time.Now().
	Now time.Time
	// OnRecords, when set, is called on ReadFile's goroutine with the
	// records as they are read, in file order, in runs of RecordsBatch
	// (the last run of a sheet or file may be shorter), so that a caller
	// can start on a large file before it is read to its end. A run is
	// final when handed out, and File.Records holds it too; if ReadFile
	// then fails, the runs belong to a file that could not be read.
	OnRecords func([]rppsync.Record)
	// Structures, when set, gives the FINESS of a structure named as the
	// agency wrote it (the structures' configuration: structures.File's
	// Resolve), for rows with a structure name and no FINESS.
	Structures func(name string) (finess string, ok bool)
	// RecordsBatch is the length of those runs; 0 means DefaultRecordsBatch.
	RecordsBatch int
}

// DefaultRecordsBatch is the default Options.RecordsBatch.
const DefaultRecordsBatch = 5000

// recordList gathers the records of one sheet or CSV file in chunks of
// Options.RecordsBatch records, handing each chunk to Options.OnRecords as
// soon as it is full (the last one, however short, by all). A record is
// copied once, by all, and only when there is more than one chunk: a
// slice grown by doubling copied ten thousand records of 432 bytes four
// times over, which cost a sixth of the reading of a 10k-row workbook.
type recordList struct {
	fn     func([]rppsync.Record)
	batch  int
	chunks [][]rppsync.Record // the full chunks
	cur    []rppsync.Record   // the chunk being filled
	n      int
}

func (o Options) records() *recordList {
	return &recordList{fn: o.OnRecords, batch: o.RecordsBatch}
}

// firstChunk is the capacity of the first chunk: a file of a few rows does
// not allocate a whole batch.
const firstChunk = 256

// add appends rec.
func (l *recordList) add(rec rppsync.Record) {
	if l.cur == nil {
		size := l.batch
		if len(l.chunks) == 0 {
			size = min(firstChunk, l.batch)
		}
		l.cur = make([]rppsync.Record, 0, size)
	}
	l.cur = append(l.cur, rec)
	l.n++
	if len(l.cur) == l.batch {
		l.seal()
	}
}

// seal hands out the chunk being filled and keeps it.
func (l *recordList) seal() {
	c := l.cur[:len(l.cur):len(l.cur)] // an append by the receiver copies
	l.cur = nil
	if l.fn != nil {
		l.fn(c)
	}
	l.chunks = append(l.chunks, c)
}

// all hands out the last chunk and returns every record, in order.
func (l *recordList) all() []rppsync.Record {
	if len(l.cur) > 0 {
		l.seal()
	}
	switch len(l.chunks) {
	case 0:
		return nil
	case 1:
		return l.chunks[0]
	}
	out := make([]rppsync.Record, 0, l.n)
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	return out
}

func (o Options) withDefaults() Options {
	if o.MaxUnzipSize <= 0 {
		o.MaxUnzipSize = DefaultMaxUnzipSize
	}
	if o.MaxUnzipXMLSize <= 0 {
		o.MaxUnzipXMLSize = DefaultMaxUnzipXMLSize
	}
	o.MaxUnzipXMLSize = min(o.MaxUnzipXMLSize, o.MaxUnzipSize)
	if o.MaxTextSize <= 0 {
		o.MaxTextSize = DefaultMaxTextSize
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.RecordsBatch <= 0 {
		o.RecordsBatch = DefaultRecordsBatch
	}
	o.Profile = o.Profile.compiled()
	return o
}

// File is what ReadFile found in one agency file.
type File struct {
	Path      string              `json:"path"`                // as given
	Format    string              `json:"format"`              // "xlsx" or "csv"
	Encoding  Encoding            `json:"encoding,omitempty"`  // CSV only
	Separator string              `json:"separator,omitempty"` // CSV only
	Sheets    []rppsync.SheetInfo `json:"sheets,omitempty"`    // XLSX only, in workbook order
	// Unmapped lists the headings of columns no field was found for, in the
	// order met; their values are not read.
	Unmapped []string `json:"unmapped,omitempty"`
	// NIRColumns lists the headings of columns holding social security
	// numbers (by heading or by value); their values are never kept.
	NIRColumns []string `json:"nir_columns,omitempty"`
	// Warnings are file-level facts for the HR person (no structure
	// column…); the rows were still read.
	Warnings []rppsync.Issue `json:"warnings,omitempty"`
	// SHA256 is the hex SHA-256 of the very bytes that were read (the file
	// is read once, into memory, and everything else comes from those
	// bytes): a file replaced on disk after ReadFile read it keeps the hash
	// of what was imported. It is set whenever the file could be read, also
	// when ReadFile then returns a file-level error (an unreadable
	// workbook, no heading): the *File returned with that error holds it.
	// It is empty when the file could not be read at all (not found, not
	// a regular file, over Options.MaxFileSize).
	SHA256 string `json:"sha256,omitempty"`
	// SlowPath is set when one or more sheets were read through excelize
	// instead of the fast scanner (a part the scanner does not read, such
	// as one with a DOCTYPE); the values are the same, only slower to get.
	// The caller may log it.
	SlowPath bool             `json:"slow_path,omitempty"`
	Records  []rppsync.Record `json:"records"`
}

// ReadFile reads an agency file (.xlsx, .csv or .txt) into records, one per
// non-blank row under the heading row, in file order.
//
// The file must be a regular file (or a symbolic link to one): a FIFO, a
// device or a socket is refused before any read (CodeFileNotRegular). It is
// read once into memory, at most Options.MaxFileSize bytes, and hashed
// (File.SHA256) from those very bytes.
//
// When the file cannot be read at all the error is a *rppsync.FileError
// (use errors.As) whose Code is one of the Code* file constants and whose
// Message is a French sentence for the HR person. Once the file's bytes are
// read, the *File returned with such an error is not nil: it holds
// File.SHA256, and with CodeNoHeader the sheets and why each was skipped.
// A cancelled ctx stops the row loops and returns ctx.Err().
func ReadFile(ctx context.Context, path string, opts Options) (*File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	data, err := readSource(path, opts.MaxFileSize)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	file, err := readData(ctx, path, data, opts)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if file == nil {
		file = &File{Path: path}
	}
	file.SHA256 = hex.EncodeToString(sum[:])
	return file, err
}

// readSource reads the bytes of a regular file, at most limit of them. A
// path that is not a regular file is refused before any read, and opened
// without blocking so that a FIFO put in its place meanwhile is refused too.
func readSource(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, errNotFound(path)
	case err != nil:
		return nil, errUnreadable(path)
	case st.IsDir():
		return nil, errUnsupported(path, "est un dossier, pas un fichier")
	case !st.Mode().IsRegular():
		return nil, errNotRegular(path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, errUnreadable(path)
	}
	defer f.Close()
	st, err = f.Stat()
	switch {
	case err != nil:
		return nil, errUnreadable(path)
	case !st.Mode().IsRegular():
		return nil, errNotRegular(path)
	case st.Size() > limit:
		return nil, errFileTooLarge(path, limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, errUnreadable(path)
	case int64(len(data)) > limit:
		return nil, errFileTooLarge(path, limit) // it grew while read
	}
	return data, nil
}

// readData reads the bytes of an agency file.
func readData(ctx context.Context, path string, data []byte, opts Options) (*File, error) {
	if len(data) == 0 {
		return nil, errEmpty(path)
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch kind := sniffKind(data[:min(len(data), 512)]); kind {
	case kindZip:
		return readXLSX(ctx, path, data, opts)
	case kindCFB:
		if bytes.Contains(data, encryptedPackage) {
			return nil, errEncrypted(path)
		}
		return nil, errUnsupported(path, "est au format Excel 97-2003 (.xls)")
	case kindPDF:
		return nil, errUnsupported(path, "est un PDF")
	case kindImage:
		return nil, errUnsupported(path, "est une image")
	default:
		if ext != ".csv" && ext != ".txt" {
			if ext == ".xlsx" || ext == ".xlsm" {
				return nil, errUnsupported(path, "porte l'extension "+ext+" mais n'est pas un classeur Excel")
			}
			return nil, errUnsupported(path, "a une extension que rppsync ne lit pas ("+displayExt(ext)+")")
		}
		if int64(len(data)) > opts.MaxTextSize {
			return nil, errTooLarge(path, opts.MaxTextSize)
		}
		return readCSV(ctx, path, data, opts)
	}
}

func displayExt(ext string) string {
	if ext == "" {
		return "aucune"
	}
	return ext
}

// fileKind is what a file's first bytes say it is.
type fileKind int

const (
	kindOther fileKind = iota
	kindZip
	kindCFB
	kindPDF
	kindImage
)

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniffKind recognises a file by its magic number.
func sniffKind(head []byte) fileKind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(head, cfbMagic):
		return kindCFB
	case bytes.HasPrefix(head, []byte("%PDF")):
		return kindPDF
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")),
		bytes.HasPrefix(head, []byte("GIF8")):
		return kindImage
	}
	return kindOther
}

// encryptedPackage is the UTF-16LE name of the stream a password-protected
// OOXML workbook keeps inside its CFB container.
var encryptedPackage = utf16le("EncryptedPackage")

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// compiled returns a copy of p with its heading keys built, so a Profile
// built in code (not parsed) is safe to share between goroutines.
func (p *Profile) compiled() *Profile {
	if p == nil {
		return nil
	}
	c := *p
	c.keys = make(map[string]rppsync.Field, len(p.Columns))
	for h, f := range p.Columns {
		c.keys[headerKey(h)] = f
	}
	return &c
}
