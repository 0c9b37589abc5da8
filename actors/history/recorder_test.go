package history

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestLogNumbersEventsAndSnapshots(t *testing.T) {
	l := NewLog()
	if !Enabled(l) || !l.Enabled() {
		t.Fatal("a new Log must be enabled")
	}
	l.Record(Event{Index: 99, Process: "a", Kind: Crash})
	l.Record(Event{Process: "b", Kind: Crash})
	snap := l.History()
	l.Record(Event{Process: "c", Kind: Crash})
	if len(snap) != 2 || l.Len() != 3 {
		t.Fatalf("snapshot has %d events and log %d, want 2 and 3", len(snap), l.Len())
	}
	for i, e := range l.History() {
		if e.Index != int64(i) {
			t.Errorf("event %d has Index %d", i, e.Index)
		}
	}
}

func TestLogConcurrentRecord(t *testing.T) {
	const writers, each = 8, 500
	l := NewLog()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := ProcessID(rune('a' + w))
			for s := 1; s <= each; s++ {
				l.Record(Event{Process: p, Kind: Multicast, Msg: MsgID{Sender: p, Seq: uint64(s)}})
			}
		}()
	}
	wg.Wait()
	h := l.History()
	if len(h) != writers*each {
		t.Fatalf("recorded %d events, want %d", len(h), writers*each)
	}
	last := map[ProcessID]uint64{}
	for i, e := range h {
		if e.Index != int64(i) {
			t.Fatalf("event %d has Index %d", i, e.Index)
		}
		if e.Msg.Seq != last[e.Process]+1 {
			t.Fatalf("%s's events out of its own order: #%d after #%d", e.Process, e.Msg.Seq, last[e.Process])
		}
		last[e.Process] = e.Msg.Seq
	}
}

// record is how a component is meant to record: ask first, build after.
func record(r Recorder, p ProcessID, seq uint64) {
	if Enabled(r) {
		r.Record(Event{Process: p, Kind: Deliver, Msg: MsgID{Sender: p, Seq: seq}, Members: []ProcessID{p}})
	}
}

func TestDisabledRecordingAllocatesNothing(t *testing.T) {
	var nilLog *Log
	var nilWriter *JSONLWriter
	cases := map[string]Recorder{
		"nil interface":    nil,
		"nil *Log":         nilLog,
		"nil *JSONLWriter": nilWriter,
		"Discard":          Discard,
		"empty Tee":        Tee(nil, nilLog, Discard),
	}
	for name, r := range cases {
		if Enabled(r) {
			t.Errorf("%s: Enabled = true, want false", name)
		}
		if n := testing.AllocsPerRun(1000, func() { record(r, "p", 7) }); n != 0 {
			t.Errorf("%s: %v allocations per disabled record, want 0", name, n)
		}
	}
	// Calling Record directly on a disabled recorder is safe and free too.
	if n := testing.AllocsPerRun(1000, func() { nilLog.Record(Event{Process: "p"}) }); n != 0 {
		t.Errorf("nil *Log Record: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { Discard.Record(Event{Process: "p"}) }); n != 0 {
		t.Errorf("Discard Record: %v allocations, want 0", n)
	}
	if nilLog.Len() != 0 || nilLog.History() != nil || nilWriter.Err() != nil || nilWriter.Dropped() != 0 {
		t.Error("nil recorders must report nothing recorded")
	}
}

func TestTeeFansOut(t *testing.T) {
	a, b := NewLog(), NewLog()
	var off *Log
	r := Tee(a, off, b)
	record(r, "p", 1)
	if a.Len() != 1 || b.Len() != 1 {
		t.Fatalf("tee recorded %d and %d events, want 1 and 1", a.Len(), b.Len())
	}
	if Tee(a) != Recorder(a) {
		t.Error("a tee of one recorder should be that recorder")
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	in := hist(t, `a vi 1 a,b primary; a mc 1 val=x g=4; b dl a1@1 in=1; b crash; c propose ATTACK; b decide c RETREAT; a faulty`)
	in = append(in, Event{Process: "a", Kind: Suspect, Peer: "b", Time: 1234567890123})
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	for _, e := range in {
		w.Record(e)
	}
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n"); got != len(in) {
		t.Fatalf("wrote %d lines, want %d", got, len(in))
	}
	out, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d events, want %d", len(out), len(in))
	}
	for i := range in {
		a, b := in[i], out[i]
		a.Index = int64(i)
		if a.String() != b.String() || a.Time != b.Time || a.Value != b.Value || a.Prev != b.Prev || a.Class != b.Class {
			t.Errorf("event %d: wrote %v, read %v", i, a, b)
		}
	}
}

type failingWriter struct{ after int }

var errDisk = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after == 0 {
		return 0, errDisk
	}
	f.after--
	return len(p), nil
}

func TestJSONLWriterSurfacesErrors(t *testing.T) {
	w := NewJSONLWriter(&failingWriter{after: 2})
	for s := range 5 {
		w.Record(Event{Process: "a", Kind: Multicast, Msg: MsgID{Sender: "a", Seq: uint64(s + 1)}})
	}
	err := w.Err()
	if !errors.Is(err, ErrWrite) || !errors.Is(err, errDisk) {
		t.Fatalf("Err() = %v, want it to wrap ErrWrite and the writer's error", err)
	}
	if w.Dropped() != 3 {
		t.Errorf("Dropped() = %d, want 3", w.Dropped())
	}
}

func TestReadJSONLRejectsMalformedLines(t *testing.T) {
	for _, in := range []string{
		"{\"i\":0,\"p\":\"a\",\"k\":\"crash\"}\nnot json\n",
		"{\"i\":0,\"p\":\"a\",\"k\":\"explode\"}\n",
	} {
		h, err := ReadJSONL(strings.NewReader(in))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("ReadJSONL(%q) error = %v, want ErrMalformed", in, err)
		}
		if !strings.Contains(err.Error(), "line") {
			t.Errorf("error %q should name the line", err)
		}
		_ = h
	}
	h, err := ReadJSONL(strings.NewReader("\n{\"p\":\"a\",\"k\":\"crash\"}\n\n{\"p\":\"b\",\"k\":\"crash\"}"))
	if err != nil || len(h) != 2 {
		t.Fatalf("blank lines and a missing final newline: got %d events, %v", len(h), err)
	}
}

func TestMergeKeepsEachInputsOrder(t *testing.T) {
	// Process a's clock runs ahead of b's: a's multicast is stamped later
	// than b's delivery of it. Merge must keep each input's order, and the
	// checkers must not care how the two processes interleave.
	a := History{
		{Process: "a", Kind: Multicast, Msg: MsgID{Sender: "a", Seq: 1}, Time: 50},
		{Process: "a", Kind: Deliver, Msg: MsgID{Sender: "a", Seq: 1}, Time: 51},
		{Process: "a", Kind: Deliver, Msg: MsgID{Sender: "b", Seq: 1}, Time: 10}, // clock jumped back
	}
	b := History{
		{Process: "b", Kind: Deliver, Msg: MsgID{Sender: "a", Seq: 1}, Time: 20},
		{Process: "b", Kind: Multicast, Msg: MsgID{Sender: "b", Seq: 1}, Time: 30},
		{Process: "b", Kind: Deliver, Msg: MsgID{Sender: "b", Seq: 1}, Time: 31},
	}
	m := Merge(a, nil, b)
	if len(m) != 6 {
		t.Fatalf("merged %d events, want 6", len(m))
	}
	next := map[ProcessID]int{}
	for i, e := range m {
		if e.Index != int64(i) {
			t.Errorf("merged event %d has Index %d", i, e.Index)
		}
		src := a
		if e.Process == "b" {
			src = b
		}
		if want := src[next[e.Process]]; want.Time != e.Time || want.Kind != e.Kind {
			t.Fatalf("merged event %d is %v, want %s's next event %v", i, e, e.Process, want)
		}
		next[e.Process]++
	}
	if m[0].Process != "b" {
		t.Errorf("earliest event should come first, got %v", m[0])
	}
	if vs := CheckAll(m, ChecksFor("causal-atomic")...); len(vs) != 0 {
		t.Errorf("a correct merged history was judged wrong: %v", vs)
	}
}

func TestJSONLFromSeparateWritersMerges(t *testing.T) {
	var bufs [2]bytes.Buffer
	ws := [2]*JSONLWriter{NewJSONLWriter(&bufs[0]), NewJSONLWriter(&bufs[1])}
	full := hist(t, `a mc 1; a dl a1; b dl a1; b mc 1; b dl b1; a dl b1`)
	for _, e := range full {
		ws[e.Process[0]-'a'].Record(e)
	}
	var parts []History
	for i := range bufs {
		h, err := ReadJSONL(&bufs[i])
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, h)
	}
	m := Merge(parts...)
	if len(m) != len(full) {
		t.Fatalf("merged %d events, want %d", len(m), len(full))
	}
	if vs := CheckAll(m, ChecksFor("causal-atomic")...); len(vs) != 0 {
		t.Errorf("violations in a correct history: %v", vs)
	}
}
