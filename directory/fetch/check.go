package fetch

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Verified describes a checked extract zip.
type Verified struct {
	Member string // base name of the expected member
	Lines  int64  // its lines, header included
	Size   int64  // its uncompressed size in bytes
}

// Check verifies the extract zip at path: every member reads to its end
// with a correct CRC (at most maxUnpacked bytes in all; zero means
// DefaultMaxUnpacked), the expected member of kind is present, and it has
// at least minLines lines (header included). The expected member is the
// first whose base name starts with the kind's prefix and ends in .txt,
// which is the one directory.Open and directory.OpenCards stream. Failures
// are *Error.
func Check(ctx context.Context, path string, kind Kind, minLines, maxUnpacked int64) (Verified, error) {
	prefix, err := kind.memberPrefix()
	if err != nil {
		return Verified{}, err
	}
	if maxUnpacked <= 0 {
		maxUnpacked = DefaultMaxUnpacked
	}
	// directory.Open takes a file for a zip only when it starts with a
	// local file header; anything else (a page, a self-extracting archive)
	// it would read as bare text.
	if err := zipMagic(path); err != nil {
		return Verified{}, newError(kind, CodeCorrupt, ErrCorrupt, err,
			"le fichier reçu n'est pas une archive zip (%v) : le serveur a sans doute renvoyé une page d'erreur", err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return Verified{}, newError(kind, CodeCorrupt, ErrCorrupt, err,
			"le fichier reçu n'est pas une archive zip lisible (%v) : le téléchargement est sans doute incomplet ou le serveur a renvoyé une page d'erreur", err)
	}
	defer zr.Close()
	var v Verified
	found := false
	budget := maxUnpacked
	buf := make([]byte, 256<<10)
	for _, m := range zr.File {
		base := filepath.Base(m.Name)
		expected := !found && strings.HasPrefix(base, prefix) && strings.HasSuffix(strings.ToLower(base), ".txt")
		lines, n, err := readMember(ctx, m, buf, &budget, expected)
		if err != nil {
			if ctx.Err() != nil {
				return Verified{}, cancelled(kind, ctx)
			}
			if errors.Is(err, errBudget) {
				return Verified{}, newError(kind, CodeTooLarge, ErrTooLarge, nil,
					"l'archive se décompresse en plus de %d octets, la limite configurée", maxUnpacked)
			}
			return Verified{}, newError(kind, CodeCorrupt, ErrCorrupt, err,
				"le membre %q de l'archive est endommagé (%v) : relancez le téléchargement", m.Name, err)
		}
		if expected {
			found = true
			v = Verified{Member: base, Lines: lines, Size: n}
		}
	}
	if !found {
		return Verified{}, newError(kind, CodeNoMember, ErrNoMember, nil,
			"l'archive ne contient pas de fichier %s*.txt : ce n'est pas l'extrait attendu", prefix)
	}
	if v.Lines < minLines {
		return Verified{}, newError(kind, CodeTooFewLine, ErrTooFewLines, nil,
			"le fichier %s n'a que %d lignes, moins que le minimum plausible de %d : l'extrait publié est sans doute incomplet", v.Member, v.Lines, minLines)
	}
	return v, nil
}

var errBudget = errors.New("unpacked size over the limit")

var errNoMagic = errors.New("no zip local file header at the start")

func zipMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var magic [4]byte
	if n, _ := io.ReadFull(f, magic[:]); n < 4 || string(magic[:]) != "PK\x03\x04" {
		return errNoMagic
	}
	return nil
}

// readMember reads m to its end (archive/zip checks the CRC there) and
// counts its lines when count is set.
func readMember(ctx context.Context, m *zip.File, buf []byte, budget *int64, count bool) (lines, n int64, err error) {
	rc, err := m.Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	var last byte = '\n'
	for {
		if err := ctx.Err(); err != nil {
			return lines, n, err
		}
		k, rerr := rc.Read(buf)
		if k > 0 {
			n += int64(k)
			if *budget -= int64(k); *budget < 0 {
				return lines, n, errBudget
			}
			if count {
				lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
				last = buf[k-1]
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return lines, n, rerr
		}
	}
	if count && n > 0 && last != '\n' {
		lines++ // a last line without its newline
	}
	return lines, n, nil
}

func cancelled(kind Kind, ctx context.Context) *Error {
	return newError(kind, CodeCancelled, nil, context.Cause(ctx), "interrompu avant la fin (%v)", context.Cause(ctx))
}

// String is used in messages.
func (k Kind) String() string { return string(k) }

func (k Kind) memberPrefix() (string, error) {
	switch k {
	case Activity:
		return activityPrefix, nil
	case Cards:
		return cardPrefix, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownKind, string(k))
}
