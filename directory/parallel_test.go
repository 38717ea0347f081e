package directory

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests hold scanParallel to the sequential reader (ActivityReader.Next),
// which is the reference: same lines in the same order, same Stats.

// workerCounts are the worker counts every comparison runs with; 0 is
// GOMAXPROCS.
var workerCounts = []int{1, 2, 4, 0}

// fixtureParts returns the header line of the first fixture (with its
// newline) and its data lines split into fields.
func fixtureParts(tb testing.TB) (header []byte, rows [][]string) {
	tb.Helper()
	data := readFile(tb, firstExtract)
	i := bytes.IndexByte(data, '\n')
	header = data[:i+1]
	for _, l := range bytes.Split(bytes.TrimRight(data[i+1:], "\n"), []byte("\n")) {
		rows = append(rows, strings.Split(string(l), "|"))
	}
	return header, rows
}

// lineGen makes the data lines of synthetic extracts from the fixture's.
type lineGen struct {
	rows [][]string
	rng  *rand.Rand
	n    int // people made so far
	// badEvery is one bad line in about badEvery lines (0: none); the
	// other kinds (ADELI, Windows-1252, no first name) come at fixed rates.
	badEvery int
	crlf     bool // some lines end with CRLF, and blank lines appear
}

// kinds of bad lines, one per code of Stats.Samples.
var badCodes = []string{"field_count", "rpps_invalid", "id_type", "name_missing", "name_too_long"}

// next returns a line without its ending.
func (g *lineGen) next() string {
	f := slices.Clone(g.rows[g.rng.IntN(len(g.rows))])
	g.n++
	id := rppsFromSeq(g.n)
	f[0], f[1], f[2] = "8", id, "8"+id
	f[7] = sharedNames[g.rng.IntN(len(sharedNames))]
	f[24] = fmt.Sprintf("SITE %d", g.rng.IntN(1000))
	if g.badEvery > 0 && g.rng.IntN(g.badEvery) == 0 {
		switch badCodes[g.rng.IntN(len(badCodes))] {
		case "field_count":
			f = f[:len(f)-2+g.rng.IntN(2)*3] // one field short or two too many
		case "rpps_invalid":
			f[1] = id[:10] + string('0'+(id[10]-'0'+1)%10)
		case "id_type":
			f[0] = "3"
		case "name_missing":
			f[7] = []string{"", " ", "  "}[g.rng.IntN(3)]
		case "name_too_long":
			f[7+g.rng.IntN(2)] = strings.Repeat("DURAND", 34) // 204 bytes, last or first name
		}
		return strings.Join(f, "|")
	}
	switch g.rng.IntN(30) {
	case 0:
		f[0], f[1], f[2] = "0", "259912345", "0259912345" // ADELI
	case 1:
		f[7] = "LEF\xc8VRE" // Windows-1252
	case 2:
		f[8] = "" // no first name
	case 3:
		f[24] = "CH \xc9VREUX" // Windows-1252 in a field the selector does not see
	}
	return strings.Join(f, "|")
}

// ending returns a line ending, and sometimes blank lines after it.
func (g *lineGen) ending() string {
	if !g.crlf {
		return "\n"
	}
	switch g.rng.IntN(20) {
	case 0:
		return "\r\n\r\n"
	case 1:
		return "\n\n"
	case 2:
		return "\r\n\n\r\n"
	}
	if g.rng.IntN(2) == 0 {
		return "\r\n"
	}
	return "\n"
}

// fill appends lines to b until it holds size bytes or more.
func (g *lineGen) fill(b *bytes.Buffer, size int) {
	for b.Len() < size {
		b.WriteString(g.next())
		b.WriteString(g.ending())
	}
}

// endAt appends lines to b so that it holds exactly size bytes, the last
// line ending with ending (size must leave room for at least one line).
func (g *lineGen) endAt(b *bytes.Buffer, size int, ending string) {
	for size-b.Len() > 1500 {
		b.WriteString(g.next())
		b.WriteString(g.ending())
	}
	b.WriteString(g.exact(size-b.Len(), ending))
}

// exact returns a valid line of exactly n bytes, ending included: its site
// name is padded.
func (g *lineGen) exact(n int, ending string) string {
	f := slices.Clone(g.rows[0])
	g.n++
	id := rppsFromSeq(g.n)
	f[1], f[2] = id, "8"+id
	pad := n - len(strings.Join(f, "|")) - len(ending)
	if pad < 0 {
		panic(fmt.Sprintf("exact: no line of %d bytes", n))
	}
	f[24] += strings.Repeat("X", pad)
	return strings.Join(f, "|") + ending
}

// longLine returns a valid line of at least n bytes: its site name is
// padded with É, in UTF-8 or (latin1) in Windows-1252.
func (g *lineGen) longLine(n int, latin1 bool) string {
	f := slices.Clone(g.rows[1])
	g.n++
	id := rppsFromSeq(g.n)
	f[1], f[2] = id, "8"+id
	pad := "É"
	if latin1 {
		pad = "\xc9"
	}
	f[24] = strings.Repeat(pad, n/len(pad))
	return strings.Join(f, "|")
}

// trickyInput is an extract (header included) with what it exercises.
type trickyInput struct {
	name string
	data []byte
}

var (
	trickyOnce sync.Once
	tricky     []trickyInput
)

// trickyInputs returns the extracts scanParallel is compared on, built
// once per test binary.
func trickyInputs(tb testing.TB) []trickyInput {
	tb.Helper()
	trickyOnce.Do(func() { tricky = buildTrickyInputs(tb) })
	if tricky == nil {
		tb.Fatal("the tricky inputs could not be built")
	}
	return tricky
}

// buildTrickyInputs builds the extracts scanParallel is compared on. H is
// the header's length: the first block holds the blockSize bytes after it.
func buildTrickyInputs(tb testing.TB) []trickyInput {
	tb.Helper()
	header, rows := fixtureParts(tb)
	H := len(header)
	gen := func(seed uint64, badEvery int, crlf bool) *lineGen {
		return &lineGen{rows: rows, rng: rand.New(rand.NewPCG(seed, 7)), badEvery: badEvery, crlf: crlf}
	}
	build := func(f func(b *bytes.Buffer)) []byte {
		var b bytes.Buffer
		b.Write(header)
		f(&b)
		return b.Bytes()
	}
	var in []trickyInput
	add := func(name string, data []byte) { in = append(in, trickyInput{name, data}) }

	add("first fixture", readFile(tb, firstExtract))
	add("bad fixture: BOM, CRLF, Windows-1252, every bad code", readFile(tb, badExtract))
	add("second fixture", readFile(tb, secondExtract))
	add("legacy 52 columns", readFile(tb, legacyExtract))
	add("header only", header)
	add("header only, no newline", bytes.TrimRight(header, "\n"))
	add("header only, CRLF", append(bytes.TrimRight(slices.Clone(header), "\n"), "\r\n"...))
	add("header and blank lines", build(func(b *bytes.Buffer) { b.WriteString("\n\r\n\n\r\n") }))
	add("small, last line without newline", build(func(b *bytes.Buffer) {
		g := gen(1, 3, true)
		g.fill(b, H+5000)
		b.WriteString(g.next())
	}))
	add("small, last line with CR only", build(func(b *bytes.Buffer) {
		g := gen(2, 0, false)
		g.fill(b, H+3000)
		b.WriteString(g.next() + "\r")
	}))
	// Several blocks: lines are cut by every block's end.
	add("3.5 MiB, LF, sparse bad lines", build(func(b *bytes.Buffer) {
		gen(3, 400, false).fill(b, H+7*blockSize/2)
	}))
	add("4.5 MiB, CRLF and blank lines, sparse bad lines", build(func(b *bytes.Buffer) {
		gen(4, 500, true).fill(b, H+9*blockSize/2)
	}))
	add("2.5 MiB, CRLF, dense bad lines, no final newline", build(func(b *bytes.Buffer) {
		g := gen(5, 4, true)
		g.fill(b, H+5*blockSize/2)
		b.WriteString(g.next())
	}))
	// Block ends placed on purpose.
	add("a line ends at the first block's last byte", build(func(b *bytes.Buffer) {
		g := gen(6, 300, false)
		g.endAt(b, H+blockSize, "\n")
		g.fill(b, H+3*blockSize)
	}))
	add("CR at the first block's last byte, LF after it", build(func(b *bytes.Buffer) {
		g := gen(7, 300, true)
		g.endAt(b, H+blockSize+1, "\r\n")
		g.fill(b, H+2*blockSize+500)
	}))
	add("blank lines at the start of the second block", build(func(b *bytes.Buffer) {
		g := gen(8, 300, true)
		g.endAt(b, H+blockSize, "\n")
		b.WriteString("\n\r\n\n")
		g.fill(b, H+2*blockSize+500)
	}))
	add("blank CRLF line cut by the first block's end", build(func(b *bytes.Buffer) {
		g := gen(9, 300, true)
		g.endAt(b, H+blockSize-1, "\n")
		b.WriteString("\r\n")
		g.fill(b, H+2*blockSize+500)
	}))
	add("a bad line cut by the first block's end", build(func(b *bytes.Buffer) {
		g := gen(10, 0, false)
		g.endAt(b, H+blockSize-200, "\n")
		b.WriteString("8|10999000011|" + strings.Repeat("x|", 100) + "\n") // field_count, across the block end
		g.fill(b, H+blockSize+3000)
	}))
	add("the input ends with the first block, no newline", build(func(b *bytes.Buffer) {
		g := gen(11, 50, false)
		g.endAt(b, H+blockSize, "\n")
		b.Truncate(b.Len() - 1)
	}))
	add("the input ends with the first block", build(func(b *bytes.Buffer) {
		gen(12, 50, false).endAt(b, H+blockSize, "\n")
	}))
	// Lines longer than a block.
	add("first line exactly a block long", build(func(b *bytes.Buffer) {
		g := gen(13, 100, false)
		b.WriteString(g.exact(blockSize, "\n"))
		g.fill(b, H+blockSize+4000)
	}))
	add("long lines: block+1, 2.5 MiB UTF-8, 1.5 MiB Windows-1252, long bad line, long last line", build(func(b *bytes.Buffer) {
		g := gen(14, 200, true)
		b.WriteString(g.longLine(blockSize+1, false) + "\n")
		g.fill(b, b.Len()+100_000)
		b.WriteString(g.longLine(5*blockSize/2, false) + "\r\n")
		g.fill(b, b.Len()+blockSize/3)
		b.WriteString(g.longLine(3*blockSize/2, true) + "\n")
		g.fill(b, b.Len()+2000)
		b.WriteString(strings.Repeat("|", blockSize+10) + "\n") // field_count, longer than a block
		g.fill(b, b.Len()+2000)
		b.WriteString(g.longLine(2*blockSize, false)) // no final newline
	}))
	return in
}

// seqScan reads an extract the reference way, returning every line Next
// gives, the Stats and Err.
func seqScan(t *testing.T, r io.Reader) ([]Line, Stats, error) {
	t.Helper()
	ar, err := NewActivityReader(r)
	if err != nil {
		t.Fatalf("NewActivityReader: %v", err)
	}
	var lines []Line
	for ar.Next() {
		lines = append(lines, ar.Line())
	}
	return lines, ar.Stats(), ar.Err()
}

// parScan reads an extract with scanParallel and a selector keeping the
// lines keep accepts (all when nil), checking that each line comes with
// the tag its selector made of the same line.
func parScan(t *testing.T, r io.Reader, workers int, keep func(id []byte) bool) ([]Line, Stats, error) {
	t.Helper()
	ar, err := NewActivityReader(r)
	if err != nil {
		t.Fatalf("NewActivityReader: %v", err)
	}
	newSelector := func() selector[string] {
		return func(id, last, first, _ []byte) (string, bool) {
			// The tag copies what the selector saw: the read buffer is
			// reused once the block is done.
			return string(id) + "|" + string(last) + "|" + string(first), keep == nil || keep(id)
		}
	}
	var lines []Line
	err = scanParallel(context.Background(), ar, workers, newSelector, func(l Line, tag string) {
		if want := l.ID + "|" + l.LastName + "|" + l.FirstName; tag != want {
			t.Errorf("line %d: tag %q, want %q", len(lines), tag, want)
		}
		lines = append(lines, l)
	})
	if err != ar.Err() && err != nil {
		t.Errorf("scanParallel returned %v, ar.Err() %v", err, ar.Err())
	}
	return lines, ar.Stats(), err
}

// diffLines describes the first difference between two line lists.
func diffLines(got, want []Line) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("line %d of %d:\n got %+v\nwant %+v", i, len(want), got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d lines, want %d", len(got), len(want))
	}
	return ""
}

func TestScanParallelMatchesNext(t *testing.T) {
	oddID := func(id []byte) bool { return id[len(id)-1]%2 == 1 }
	for _, in := range trickyInputs(t) {
		t.Run(in.name, func(t *testing.T) {
			want, wantStats, err := seqScan(t, bytes.NewReader(in.data))
			if err != nil {
				t.Fatal(err)
			}
			if wantStats.Bytes != int64(len(in.data)) {
				t.Fatalf("the reference read %d bytes of %d", wantStats.Bytes, len(in.data))
			}
			var wantOdd []Line
			for _, l := range want {
				if oddID([]byte(l.ID)) {
					wantOdd = append(wantOdd, l)
				}
			}
			for _, w := range workerCounts {
				got, st, err := parScan(t, bytes.NewReader(in.data), w, nil)
				if err != nil {
					t.Fatalf("%d workers: %v", w, err)
				}
				if d := diffLines(got, want); d != "" {
					t.Errorf("%d workers: lines differ from Next: %s", w, d)
				}
				if !reflect.DeepEqual(st, wantStats) {
					t.Errorf("%d workers: stats differ:\n got %+v\nwant %+v", w, st, wantStats)
				}
				// A selector keeping some lines: the same stats, the lines
				// it keeps in file order.
				got, st, err = parScan(t, bytes.NewReader(in.data), w, oddID)
				if err != nil {
					t.Fatalf("%d workers, odd RPPS: %v", w, err)
				}
				if d := diffLines(got, wantOdd); d != "" {
					t.Errorf("%d workers, odd RPPS: %s", w, d)
				}
				if !reflect.DeepEqual(st, wantStats) {
					t.Errorf("%d workers, odd RPPS: stats differ:\n got %+v\nwant %+v", w, st, wantStats)
				}
			}
		})
	}
}

// TestTrickyInputsAreTricky makes sure the inputs of
// TestScanParallelMatchesNext hold what their names promise.
func TestTrickyInputsAreTricky(t *testing.T) {
	var all Stats
	var bigSamples []BadLine
	codes := map[string]bool{}
	for _, in := range trickyInputs(t) {
		_, st, err := seqScan(t, bytes.NewReader(in.data))
		if err != nil {
			t.Fatal(err)
		}
		all.add(st)
		all.Samples = nil
		for _, s := range st.Samples {
			codes[s.Code] = true
		}
		if in.name == "3.5 MiB, LF, sparse bad lines" {
			bigSamples = st.Samples
		}
		if strings.HasPrefix(in.name, "long lines") && st.Recoded == 0 {
			t.Errorf("%s: no line recoded", in.name)
		}
	}
	for _, c := range badCodes {
		if !codes[c] {
			t.Errorf("no sample of %s", c)
		}
	}
	if all.ADELI == 0 || all.Recoded == 0 || all.NoFirstName == 0 || all.Bad <= DefaultMaxSamples {
		t.Errorf("a kind of line is missing: %+v", all)
	}
	// The samples kept span three blocks or more (about 2,600 lines each).
	if len(bigSamples) != DefaultMaxSamples || bigSamples[len(bigSamples)-1].Line < 2*2600 {
		t.Errorf("the sparse input's samples do not span blocks: %+v", bigSamples)
	}
}

func TestScanParallelZip(t *testing.T) {
	in := trickyInputs(t)
	var data []byte
	for _, i := range in {
		if strings.HasPrefix(i.name, "4.5 MiB") {
			data = i.data
		}
	}
	dir := t.TempDir()
	txt := filepath.Join(dir, "member.txt")
	if err := os.WriteFile(txt, data, 0o600); err != nil {
		t.Fatal(err)
	}
	zipped := filepath.Join(dir, "PS_LibreAcces.zip")
	writeZip(t, zipped, [][2]string{{"PS_LibreAcces_Personne_activite_202611200800.txt", txt}})
	open := func() *Extract {
		ex, err := OpenDated(zipped, timeUnknown)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ex.Close() })
		return ex
	}
	want, wantStats, err := seqScan(t, open())
	if err != nil || wantStats.Bytes != int64(len(data)) {
		t.Fatalf("reference: %v, %d bytes of %d", err, wantStats.Bytes, len(data))
	}
	for _, w := range workerCounts {
		got, st, err := parScan(t, open(), w, nil)
		if err != nil {
			t.Fatalf("%d workers: %v", w, err)
		}
		if d := diffLines(got, want); d != "" {
			t.Errorf("%d workers: %s", w, d)
		}
		if !reflect.DeepEqual(st, wantStats) {
			t.Errorf("%d workers: stats differ:\n got %+v\nwant %+v", w, st, wantStats)
		}
	}
}

// failingReader serves data, then fails with err after n bytes.
type failingReader struct {
	data []byte
	n    int
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, r.err
	}
	k := copy(p, r.data[:min(len(r.data), r.n)])
	r.data, r.n = r.data[k:], r.n-k
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

var errDisk = errors.New("disk on fire")

func TestScanParallelReadError(t *testing.T) {
	var data []byte
	for _, i := range trickyInputs(t) {
		if strings.HasPrefix(i.name, "3.5 MiB") {
			data = i.data
		}
	}
	for _, at := range []int{len(data) / 3, 5 * blockSize / 2, len(data) - 10} {
		_, _, seqErr := seqScan(t, &failingReader{data, at, errDisk})
		if !errors.Is(seqErr, errDisk) {
			t.Fatalf("reference: err %v", seqErr)
		}
		for _, w := range workerCounts {
			_, _, err := parScan(t, &failingReader{data, at, errDisk}, w, nil)
			if !errors.Is(err, errDisk) {
				t.Errorf("failing after %d bytes, %d workers: err = %v, want %v", at, w, err, errDisk)
				continue
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("failing after %d bytes, %d workers: %v names no line", at, w, err)
			}
			if err.Error() != seqErr.Error() {
				t.Errorf("failing after %d bytes, %d workers: %q, Next says %q", at, w, err, seqErr)
			}
		}
	}
}

// TestScanParallelUnexpectedEOF: a stream that ends with
// io.ErrUnexpectedEOF (a truncated deflate stream, a dropped connection)
// is cut short, not complete. Next reports it; scanParallel must too.
func TestScanParallelUnexpectedEOF(t *testing.T) {
	var data []byte
	for _, i := range trickyInputs(t) {
		if strings.HasPrefix(i.name, "3.5 MiB") {
			data = i.data
		}
	}
	at := 5 * blockSize / 2
	want, _, seqErr := seqScan(t, &failingReader{data, at, io.ErrUnexpectedEOF})
	if !errors.Is(seqErr, io.ErrUnexpectedEOF) {
		t.Fatalf("reference: err %v", seqErr)
	}
	for _, w := range workerCounts {
		got, _, err := parScan(t, &failingReader{data, at, io.ErrUnexpectedEOF}, w, nil)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%d workers: err = %v after %d of %d lines, want %v (Next: %v after %d lines)",
				w, err, len(got), strings.Count(string(data), "\n")-1, io.ErrUnexpectedEOF, seqErr, len(want))
		}
	}
}

// writeTruncatedZip writes a zip whose activity member's deflate stream is
// cut at half its length, the sizes and checksum being those of the whole
// text: reading the member fails with io.ErrUnexpectedEOF.
func writeTruncatedZip(t *testing.T, path string, data []byte) {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	half := comp.Bytes()[:comp.Len()/2]
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "PS_LibreAcces_Personne_activite_202611200800.txt", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(half)), UncompressedSize64: uint64(len(data)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(half); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLoadFilteredTruncatedZip: LoadFiltered must not answer from half an
// extract when the zip member cannot be read to its end.
func TestLoadFilteredTruncatedZip(t *testing.T) {
	var data []byte
	for _, i := range trickyInputs(t) {
		if strings.HasPrefix(i.name, "4.5 MiB") {
			data = i.data
		}
	}
	zipped := filepath.Join(t.TempDir(), "PS_LibreAcces.zip")
	writeTruncatedZip(t, zipped, data)
	ex, err := OpenDated(zipped, timeUnknown)
	if err != nil {
		t.Fatal(err)
	}
	_, _, seqErr := seqScan(t, ex)
	ex.Close()
	if !errors.Is(seqErr, io.ErrUnexpectedEOF) {
		t.Fatalf("reference: err %v", seqErr)
	}
	m, st, err := LoadFiltered(context.Background(), zipped, nil, searchOf(sharedNames, fixtureFirsts...))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		n := -1
		if m != nil {
			n = m.Len()
		}
		t.Errorf("LoadFiltered of a truncated zip: err = %v, %d professionals from %d of %d bytes; Next says %v",
			err, n, st.Bytes, len(data), seqErr)
	}
}

// waitGoroutines fails unless the goroutine count comes back to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scanWithCtx runs scanParallel on data with a selector keeping
// everything, calling onEmit with each line's rank before counting it.
func scanWithCtx(t *testing.T, ctx context.Context, data []byte, workers int, onEmit func(n int)) (int, error) {
	t.Helper()
	ar, err := NewActivityReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = scanParallel(ctx, ar, workers, func() selector[struct{}] {
		return func(id, last, first, _ []byte) (struct{}, bool) { return struct{}{}, true }
	}, func(Line, struct{}) {
		onEmit(n)
		n++
	})
	return n, err
}

func bigInput(t *testing.T) []byte {
	for _, i := range trickyInputs(t) {
		if strings.HasPrefix(i.name, "4.5 MiB") {
			return i.data
		}
	}
	t.Fatal("no 4.5 MiB input")
	return nil
}

func TestScanParallelCancelInEmit(t *testing.T) {
	data := bigInput(t)
	total := bytes.Count(data, []byte{'\n'})
	for _, w := range workerCounts {
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var n int
		var err error
		go func() {
			defer close(done)
			n, err = scanWithCtx(t, ctx, data, w, func(i int) {
				if i == 10 {
					cancel()
				}
			})
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d workers: scanParallel still running 30 s after its context was cancelled", w)
		}
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%d workers: err = %v, want context.Canceled", w, err)
		}
		// The block being emitted may finish; the following ones are not.
		if n >= total/2 {
			t.Errorf("%d workers: %d of about %d lines emitted after the cancel", w, n, total)
		}
		waitGoroutines(t, before)
	}
}

// TestScanParallelCancelledBefore: a context cancelled before the scan
// starts gives context.Canceled, not a scan that silently read nothing.
func TestScanParallelCancelledBefore(t *testing.T) {
	data := bigInput(t)
	for _, w := range workerCounts {
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		n, err := scanWithCtx(t, ctx, data, w, func(int) {})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%d workers: err = %v after %d lines, want context.Canceled", w, err, n)
		}
		waitGoroutines(t, before)
	}
}

// gatedReader serves its data in two parts: the first at once, the second
// only once release is closed.
type gatedReader struct {
	first, second []byte
	release       chan struct{}
}

func (r *gatedReader) Read(p []byte) (int, error) {
	if len(r.first) > 0 {
		k := copy(p, r.first)
		r.first = r.first[k:]
		return k, nil
	}
	<-r.release
	if len(r.second) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.second)
	r.second = r.second[k:]
	return k, nil
}

// TestScanParallelCancelWhileReading cancels the context while the reader
// waits for input that comes afterwards (a slow disk or network), after
// every block read so far was emitted. The scan stopped early, so it must
// say so; it is run several times since the reader and the collector race.
func TestScanParallelCancelWhileReading(t *testing.T) {
	data := bigInput(t)
	cut := len(data) / 4 // about one block and a bit
	for _, w := range []int{1, 4} {
		fails := 0
		const runs = 20
		for range runs {
			r := &gatedReader{first: data[:cut], second: data[cut:], release: make(chan struct{})}
			ar, err := NewActivityReader(r)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			n := 0
			err = scanParallel(ctx, ar, w, func() selector[struct{}] {
				return func(id, last, first, _ []byte) (struct{}, bool) { return struct{}{}, true }
			}, func(Line, struct{}) {
				if n++; n == 10 {
					cancel()
					close(r.release)
				}
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				fails++
			}
		}
		if fails > 0 {
			t.Errorf("%d workers: %d runs of %d returned no error after the context was cancelled mid-scan", w, fails, runs)
		}
	}
}
