package history

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Errors of JSON-lines recording and reading.
var (
	// ErrWrite wraps the first error the underlying writer returned.
	ErrWrite = errors.New("history: writing event")
	// ErrMalformed marks a line that is not a valid event.
	ErrMalformed = errors.New("history: malformed event line")
)

// JSONLWriter records events as JSON lines (one Event per line) on an
// io.Writer, so that separate OS processes can each write their own history
// and a test can read them back with ReadJSONL and combine them with Merge.
// It numbers the events it writes (Event.Index) and is safe for concurrent use.
//
// Record cannot return an error, so the first write or encoding error is
// kept: Err returns it, and every later event is counted in Dropped instead
// of written. Wrap w in a bufio.Writer for speed and flush it yourself.
// A nil *JSONLWriter is a valid, disabled recorder.
type JSONLWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     bytes.Buffer
	enc     *json.Encoder
	next    int64
	dropped int64
	err     error
}

// NewJSONLWriter returns a recorder writing to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	j := &JSONLWriter{w: w}
	j.enc = json.NewEncoder(&j.buf)
	return j
}

// Enabled reports whether j records events (false for a nil *JSONLWriter).
func (j *JSONLWriter) Enabled() bool { return j != nil }

// Record writes e as one line, with Index set to the number of events
// written before it.
func (j *JSONLWriter) Record(e Event) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		j.dropped++
		return
	}
	e.Index = j.next
	j.buf.Reset()
	if err := j.enc.Encode(&e); err != nil { // Encode appends the newline.
		j.err = fmt.Errorf("%w %d: %w", ErrWrite, e.Index, err)
		j.dropped++
		return
	}
	if _, err := j.w.Write(j.buf.Bytes()); err != nil {
		j.err = fmt.Errorf("%w %d: %w", ErrWrite, e.Index, err)
		j.dropped++
		return
	}
	j.next++
}

// Err returns the first error met while writing, wrapping ErrWrite, or nil.
func (j *JSONLWriter) Err() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Dropped returns how many events were not written because of an earlier error.
func (j *JSONLWriter) Dropped() int64 {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// knownKinds guards ReadJSONL against files that are not histories.
var knownKinds = map[Kind]bool{
	Multicast: true, Deliver: true, ViewInstall: true, Crash: true,
	Suspect: true, Blocked: true, Faulty: true, Propose: true, Decide: true,
}

// ReadJSONL reads a history written by JSONLWriter: one event per line,
// blank lines ignored. Events keep the Index they were written with. A line
// that is not a JSON event of a known Kind is an error wrapping ErrMalformed
// that names the line; nothing after it is read.
func ReadJSONL(r io.Reader) (History, error) {
	br := bufio.NewReader(r)
	var h History
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var e Event
			if uerr := json.Unmarshal(b, &e); uerr != nil {
				return h, fmt.Errorf("%w: line %d: %w", ErrMalformed, line, uerr)
			}
			if !knownKinds[e.Kind] {
				return h, fmt.Errorf("%w: line %d: unknown kind %q", ErrMalformed, line, e.Kind)
			}
			h = append(h, e)
		}
		if err == io.EOF {
			return h, nil
		}
		if err != nil {
			return h, fmt.Errorf("history: reading line %d: %w", line, err)
		}
	}
}

// Merge combines histories recorded separately (for example by different
// OS processes) into one. Each input's own order is kept exactly; across
// inputs, events are interleaved by Time (ties go to the earlier input).
// Indexes are renumbered to positions in the result.
//
// Wall clocks of different processes are only roughly comparable, so the
// checkers never rely on the interleaving of different processes' events:
// only on each process's own order and on which messages were multicast.
func Merge(histories ...History) History {
	total := 0
	hp := make(mergeHeap, 0, len(histories))
	for i, h := range histories {
		total += len(h)
		if len(h) > 0 {
			hp = append(hp, mergeHead{src: i, h: h})
		}
	}
	heap.Init(&hp)
	out := make(History, 0, total)
	for hp.Len() > 0 {
		top := &hp[0]
		e := top.h[top.pos]
		e.Index = int64(len(out))
		out = append(out, e)
		top.pos++
		if top.pos == len(top.h) {
			heap.Pop(&hp)
		} else {
			heap.Fix(&hp, 0)
		}
	}
	return out
}

type mergeHead struct {
	src, pos int
	h        History
}

type mergeHeap []mergeHead

func (m mergeHeap) Len() int { return len(m) }
func (m mergeHeap) Less(i, j int) bool {
	ti, tj := m[i].h[m[i].pos].Time, m[j].h[m[j].pos].Time
	if ti != tj {
		return ti < tj
	}
	return m[i].src < m[j].src
}
func (m mergeHeap) Swap(i, j int) { m[i], m[j] = m[j], m[i] }
func (m *mergeHeap) Push(x any)   { *m = append(*m, x.(mergeHead)) }
func (m *mergeHeap) Pop() any {
	old := *m
	x := old[len(old)-1]
	*m = old[:len(old)-1]
	return x
}
