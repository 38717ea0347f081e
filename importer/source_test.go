package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
)

// readWithin reads path in a goroutine and fails the test if it has not
// returned after a generous hang guard.
func readWithin(t *testing.T, path string, opts Options) (*File, error) {
	t.Helper()
	type result struct {
		f   *File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := ReadFile(context.Background(), path, opts)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("ReadFile(%s) hangs", path)
		return nil, nil
	}
}

// TestNotRegularFiles: a FIFO and a device are refused before any read
// (reading either never ends); a symbolic link to a regular file is read.
func TestNotRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "depot.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		f, err := readWithin(t, p, Options{})
		if fileCode(err) != CodeFileNotRegular || f != nil {
			t.Errorf("%s: error %v, file %v; want %s", p, err, f, CodeFileNotRegular)
		}
	}
	csv := filepath.Join(dir, "agence.csv")
	if err := os.WriteFile(csv, []byte("Nom;N° RPPS\nNOMTEST;10000000001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "lien.csv")
	if err := os.Symlink(csv, link); err != nil {
		t.Fatal(err)
	}
	f, err := readWithin(t, link, Options{})
	if err != nil || len(f.Records) != 1 {
		t.Fatalf("symbolic link: %v", err)
	}
}

// TestSHA256 checks that File.SHA256 is the hash of the bytes on disk when
// read, also for a file that cannot be read, and that replacing the file
// while it is read changes neither the hash nor the records.
func TestSHA256(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Nom;N° RPPS\n")
	for i := range 30 {
		fmt.Fprintf(&b, "NOMTEST%d;1%010d\n", i, i)
	}
	orig := []byte(b.String())
	sum := sha256.Sum256(orig)
	want := hex.EncodeToString(sum[:])
	path := filepath.Join(dir, "agence.csv")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	replaced := false
	f, err := ReadFile(context.Background(), path, Options{RecordsBatch: 5, OnRecords: func([]rppsync.Record) {
		if !replaced {
			// A corrected file dropped while the first one is read.
			replaced = true
			if err := os.WriteFile(path, []byte("Nom;N° RPPS\nAUTRE;19999999999\n"), 0o600); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !replaced || f.SHA256 != want || len(f.Records) != 30 || f.Records[29].LastName.Display != "NOMTEST29" {
		t.Errorf("hash %s (want %s), %d records", f.SHA256, want, len(f.Records))
	}

	// Files read but refused keep their hash.
	for name, data := range map[string][]byte{
		"sans-entete.csv": []byte("a;b\n1;2\n"),
		"abime.xlsx":      []byte("PK\x03\x04 not a zip at all"),
		"vide.csv":        {},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		f, err := ReadFile(context.Background(), p, Options{})
		var fe *rppsync.FileError
		if !errors.As(err, &fe) || f == nil || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: error %v, file %+v", name, err, f)
		}
	}
}

// TestMaxFileSize: a file over Options.MaxFileSize is refused, the limit
// named in the message.
func TestMaxFileSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gros.csv")
	if err := os.WriteFile(path, []byte(strings.Repeat("Nom;N° RPPS\n", 200000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(context.Background(), path, Options{MaxFileSize: 1 << 20})
	var fe *rppsync.FileError
	if !errors.As(err, &fe) || fe.Code != CodeFileTooLarge || !strings.Contains(fe.Message, "(1 Mo)") {
		t.Fatalf("error %v", err)
	}
}

// TestCSVOneBadByte: one byte that is not UTF-8 in a UTF-8 file without a
// byte order mark leaves the file UTF-8: its headings and 1,999 rows are
// intact, the bad line has an encoding_invalid issue.
func TestCSVOneBadByte(t *testing.T) {
	var b strings.Builder
	b.WriteString("Nom;Prénom;N° RPPS;Qualification\n")
	for i := range 2000 {
		name := "Hélène"
		if i == 999 {
			name = "H\xe9l\xe8ne" // Windows-1252 bytes in a UTF-8 file
		}
		fmt.Fprintf(&b, "NOMTÉST%d;%s;1%010d;Infirmière\n", i, name, i)
	}
	path := filepath.Join(t.TempDir(), "agence.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Encoding != EncodingUTF8 || len(f.Unmapped) != 0 || len(f.Records) != 2000 {
		t.Fatalf("encoding %s, unmapped %q, %d records", f.Encoding, f.Unmapped, len(f.Records))
	}
	for _, r := range f.Records {
		bad := r.Row == 1001
		is := besideStructure(r.Issues)
		if got := len(is) == 1 && is[0].Code == CodeEncodingInvalid; got != bad {
			t.Errorf("row %d: issues %+v", r.Row, r.Issues)
		}
		if !bad && (r.Original[rppsync.FieldFirstName] != "Hélène" || r.Profession != "Infirmière") {
			t.Errorf("row %d: %q %q", r.Row, r.Original[rppsync.FieldFirstName], r.Profession)
		}
	}
	if got := f.Records[999].Original[rppsync.FieldFirstName]; got != "H\uFFFDl\uFFFDne" {
		t.Errorf("bad line read %q", got)
	}
}

// TestSniffCSVEvidence decides UTF-8 or Windows-1252 on the evidence.
func TestSniffCSVEvidence(t *testing.T) {
	cases := []struct {
		name  string
		data  string
		enc   Encoding
		lines []int
	}{
		{"valid UTF-8", "Nom;Prénom\nA;Hélène\n", EncodingUTF8, nil},
		{"Windows-1252", "Nom;Pr\xe9nom\nA;H\xe9l\xe8ne\n", EncodingWindows1252, nil},
		{"UTF-8, one bad byte", "Nom;Prénom\nA;Hélène\nB;Chlo\xe9\nC;Zoé\n", EncodingUTF8, []int{3}},
		{"UTF-8, bad bytes on two lines", "Nom;Prénom\nA;Hélène\xff\nB;Zoé\nC;Noël\nD;\xe9\xe8\n", EncodingUTF8, []int{2, 5}},
		{"ASCII with one high byte", "Nom;Prenom\nA;Chlo\xe9\n", EncodingWindows1252, nil},
		{"Windows-1252 with one valid-looking pair", "Nom;Pr\xe9nom\nA;\xc3\xa9t\xe9 \xe0 \xe9\n", EncodingWindows1252, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, s, err := SniffCSV([]byte(c.data))
			if err != nil || s.Encoding != c.enc || fmt.Sprint(s.InvalidLines) != fmt.Sprint(c.lines) {
				t.Errorf("encoding %s, invalid lines %v, err %v; want %s %v", s.Encoding, s.InvalidLines, err, c.enc, c.lines)
			}
		})
	}
}

// TestCellTooLong: a CSV cell longer than MaxCellRunes characters is cut
// with CutMarker and its row gets a value_too_long issue naming the field.
func TestCellTooLong(t *testing.T) {
	long := strings.Repeat("é", MaxCellRunes+1)
	exact := strings.Repeat("é", MaxCellRunes)
	path := filepath.Join(t.TempDir(), "agence.csv")
	data := "Nom;N° RPPS;Commentaire\n" + long + ";10000000001;x\n" + exact + ";10000000002;" + long + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r0, r1 := f.Records[0], f.Records[1]
	if is := besideStructure(r0.Issues); r0.Original[rppsync.FieldLastName] != exact+CutMarker || len(is) != 1 || is[0].Code != CodeValueTooLong {
		t.Errorf("row 2: %d bytes, issues %+v", len(r0.Original[rppsync.FieldLastName]), r0.Issues)
	}
	// Exactly MaxCellRunes characters is kept whole; an unmapped column is
	// not read, so its length is no issue.
	if r1.Original[rppsync.FieldLastName] != exact || len(besideStructure(r1.Issues)) != 0 {
		t.Errorf("row 3: %d bytes, issues %+v", len(r1.Original[rppsync.FieldLastName]), r1.Issues)
	}
}

// besideStructure returns issues without finess_missing: the files of these
// tests have no structure column, which every row reports (tested in
// header_test.go); the tests here look at the other issues.
func besideStructure(issues []rppsync.Issue) []rppsync.Issue {
	var out []rppsync.Issue
	for _, is := range issues {
		if is.Code != rppsync.CodeFINESSMissing {
			out = append(out, is)
		}
	}
	return out
}
