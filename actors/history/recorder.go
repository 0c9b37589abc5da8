package history

import "sync"

// Recorder receives the events of a run, one at a time, in the order the
// recording process performed them.
//
// Recording is optional and must cost nothing when it is off. Callers that
// build events only to record them should ask Enabled first, so that a
// disabled recorder costs one nil check and no allocation:
//
//	if history.Enabled(rec) {
//		rec.Record(history.Event{Process: id, Kind: history.Deliver, Msg: m})
//	}
type Recorder interface {
	Record(Event)
}

// Enabled reports whether r records anything. It is false for a nil
// interface, for a nil *Log or *JSONLWriter, and for Discard; true for any
// other recorder unless it has an Enabled method that says otherwise.
func Enabled(r Recorder) bool {
	switch r := r.(type) {
	case nil:
		return false
	case interface{ Enabled() bool }:
		return r.Enabled()
	default:
		return true
	}
}

// Discard is a Recorder that drops every event and reports itself disabled.
var Discard Recorder = discard{}

type discard struct{}

func (discard) Record(Event)  {}
func (discard) Enabled() bool { return false }

// Log is an in-memory recorder, safe for concurrent use. It numbers the
// events it receives (Event.Index) in the order Record was called.
//
// A nil *Log is a valid, disabled recorder: Record on it does nothing and
// Enabled reports false, so a component can hold a *Log field that is simply
// left nil when recording is off.
type Log struct {
	mu     sync.Mutex
	events []Event
}

// NewLog returns an empty, enabled in-memory recorder.
func NewLog() *Log { return &Log{} }

// Enabled reports whether l records events (false for a nil *Log).
func (l *Log) Enabled() bool { return l != nil }

// Record appends e, overwriting its Index with its position in the log.
func (l *Log) Record(e Event) {
	if l == nil {
		return
	}
	l.mu.Lock()
	e.Index = int64(len(l.events))
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// Len returns the number of events recorded so far.
func (l *Log) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// History returns a snapshot of the events recorded so far. The snapshot is
// a copy: later Records do not change it.
func (l *Log) History() History {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append(History(nil), l.events...)
}

// Tee returns a recorder that hands every event to each enabled recorder of
// rs, in order. With no enabled recorder it returns Discard, so Enabled on
// the result stays cheap and false.
func Tee(rs ...Recorder) Recorder {
	var on []Recorder
	for _, r := range rs {
		if Enabled(r) {
			on = append(on, r)
		}
	}
	switch len(on) {
	case 0:
		return Discard
	case 1:
		return on[0]
	default:
		return tee(on)
	}
}

type tee []Recorder

func (t tee) Record(e Event) {
	for _, r := range t {
		r.Record(e)
	}
}
