package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// blockSize is how many bytes of the extract a worker of scanParallel
// takes at a time: whole lines, about 2,700 of them.
const blockSize = 1 << 20

// A selector looks, on a worker goroutine, at each valid line of the
// extract (its Identifiant PP, Nom and Prénom d'exercice, and the whole
// decoded line raw for a selector that needs another column, all aliasing
// the read buffer) and says whether the line is worth building, with a
// value for the collector. Each worker has its own selector: it need not
// be safe for concurrent use, and the values it returns must not change
// afterwards.
type selector[T any] func(id, last, first, raw []byte) (T, bool)

// block is a run of whole lines of the extract.
type block struct {
	data   []byte
	lineNo int // number of the line before the first one in data
}

// picked is a line a selector kept, built, with its value.
type picked[T any] struct {
	line Line
	tag  T
}

// blockResult is what a worker made of a block.
type blockResult[T any] struct {
	picked []picked[T]
	stats  Stats
}

// scanParallel reads the rest of ar's input (after the header) as
// NewActivityReader left it, on workers goroutines, and calls emit on the
// calling goroutine with each line its selector kept, in file order.
// Every line is validated and counted as Next does (ar.Stats holds the
// totals once it returns, bad-line samples in file order); only the lines
// kept are built. Reading and decompressing stay on one goroutine, the
// validation and selection of lines are spread over the workers, so that
// the CPU cost of going through 2.2 million lines is shared by the cores.
// It returns ar.Err() or ctx's error; ar must not be used otherwise
// afterwards.
func scanParallel[T any](ctx context.Context, ar *ActivityReader, workers int, newSelector func() selector[T], emit func(Line, T)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The reader hands out blocks and, in the same order, the channels
	// their results will come on; buffers go back to free when done.
	var (
		todo    = make(chan blockJob[T], workers)
		order   = make(chan chan blockResult[T], 2*workers)
		free    = make(chan []byte, 3*workers)
		kept    = make(chan []picked[T], 3*workers) // emptied result slices, for reuse
		readErr error
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := ar.worker()
			sel := newSelector()
			for job := range todo {
				var into []picked[T]
				select {
				case into = <-kept:
				default:
				}
				job.out <- scanBlock(w, job.b, sel, into)
				select {
				case free <- job.b.data[:0]:
				default:
				}
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(todo)
		readErr = ar.sc.blocks(ctx, free, func(b block) bool {
			out := make(chan blockResult[T], 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return false
			}
			select {
			case todo <- blockJob[T]{b, out}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	var err error
	for out := range order {
		var r blockResult[T]
		select {
		case r = <-out:
		case <-ctx.Done():
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			cancel() // drain: the reader stops, the workers finish their blocks
			continue
		}
		ar.stats.add(r.stats)
		for _, p := range r.picked {
			emit(p.line, p.tag)
		}
		// The slice goes back to the workers, emptied so that it holds
		// no line alive: each block's results used to be a new slice,
		// grown line by line, half of the pass's allocations.
		clear(r.picked)
		select {
		case kept <- r.picked[:0]:
		default:
		}
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err() // the reader may have stopped on it with nothing left in order
	}
	if err == nil && readErr != nil {
		ar.err = readErr
		err = readErr
	}
	return err
}

type blockJob[T any] struct {
	b   block
	out chan blockResult[T]
}

// worker returns a reader sharing ar's column layout, with its own
// buffers and counts, to check and build lines on another goroutine.
func (ar *ActivityReader) worker() *ActivityReader {
	return &ActivityReader{
		ncol: ar.ncol, need: ar.need, needChk: ar.needChk, trail: ar.trail, pos: ar.pos,
		intern: make(map[string]string, 256),
	}
}

// scanBlock validates and counts every line of b with worker w (see
// ActivityReader.worker), and builds those sel keeps, appending them to
// into (empty, or nil).
func scanBlock[T any](w *ActivityReader, b block, sel selector[T], into []picked[T]) blockResult[T] {
	res := blockResult[T]{picked: into}
	w.stats = Stats{}
	n := b.lineNo
	data := b.data
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			line, data = data, nil
		}
		n++
		w.stats.Bytes += int64(len(line))
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			continue
		}
		line = recode(line, &w.stats)
		w.stats.Lines++
		if !w.check(line, n) {
			continue
		}
		w.stats.Kept++
		w.raw = line
		id, last, first := w.peek()
		tag, ok := sel(id, last, first, w.raw)
		if !ok {
			continue
		}
		w.build()
		res.picked = append(res.picked, picked[T]{w.line, tag})
	}
	res.stats = w.stats
	return res
}

// add adds the counts of t, a later part of the same input, to s.
func (s *Stats) add(t Stats) {
	s.Lines += t.Lines
	s.Kept += t.Kept
	s.ADELI += t.ADELI
	s.Bad += t.Bad
	s.Recoded += t.Recoded
	s.NoFirstName += t.NoFirstName
	s.Bytes += t.Bytes
	for _, b := range t.Samples {
		if len(s.Samples) < DefaultMaxSamples {
			s.Samples = append(s.Samples, b)
		}
	}
}

// blocks reads the rest of the input in blocks of whole lines (the last
// may lack its newline) and calls fn with each, in order, until fn
// returns false, ctx ends or the input does. A block's buffer comes from
// free when one is there. Line numbers go on from the lines next returned.
// It returns the read error, nil at the end of input or when stopped.
func (s *scanner) blocks(ctx context.Context, free <-chan []byte, fn func(block) bool) error {
	if s.err != nil {
		return s.failure()
	}
	var carry []byte // the start of a line cut by the end of the previous block
	for ctx.Err() == nil {
		var buf []byte
		select {
		case buf = <-free:
		default:
			buf = make([]byte, 0, blockSize)
		}
		buf = append(buf[:0], carry...)
		carry = carry[:0]
		eof := false
		cut := -1
		for cut < 0 && !eof {
			if len(buf) == cap(buf) { // a line longer than the buffer
				buf = append(buf, make([]byte, cap(buf))...)[:len(buf)]
			}
			from := len(buf)
			// Fill the buffer; only io.EOF ends the input (a truncated
			// deflate stream says io.ErrUnexpectedEOF, an error).
			for len(buf) < cap(buf) {
				n, err := s.br.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if errors.Is(err, io.EOF) {
					eof = true
					break
				}
				if err != nil {
					s.err = fmt.Errorf("directory: read line %d: %w", s.lineNo+bytes.Count(buf, []byte{'\n'})+1, err)
					return s.err
				}
			}
			if !eof {
				cut = bytes.LastIndexByte(buf[from:], '\n')
				if cut >= 0 {
					cut += from
				}
			}
		}
		data := buf
		if !eof {
			data, carry = buf[:cut+1], append(carry, buf[cut+1:]...)
		}
		if len(data) == 0 {
			break
		}
		b := block{data: data, lineNo: s.lineNo}
		s.lineNo += bytes.Count(data, []byte{'\n'})
		if data[len(data)-1] != '\n' {
			s.lineNo++
		}
		if !fn(b) || eof {
			break
		}
	}
	s.err = io.EOF
	return nil
}
