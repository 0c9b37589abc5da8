package agreement

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// Outcome is what the local generals of a council did in one session.
type Outcome struct {
	// Session is the session number (Event.View in recorded histories).
	Session uint64
	// Decisions maps each local loyal general that decided to its
	// decisions by commander: one entry for a single instance (the
	// commander's own value for the commander), the vector of interactive
	// consistency otherwise.
	Decisions map[history.ProcessID]map[history.ProcessID]string
	// Traitors lists the local generals running a traitor strategy; they
	// decide nothing.
	Traitors []history.ProcessID
	// Undecided lists local loyal generals that reached the session's tick
	// bound without deciding every instance. It stays empty unless a core
	// is broken: rounds close by ticks, so every run ends.
	Undecided []history.ProcessID
	// Messages counts the messages the local generals sent in the session.
	Messages int
	// Rounds is the largest number of rounds a local loyal general closed.
	Rounds int
}

// Value returns the value every local loyal general decided for the
// single instance's commander, and false if they did not all decide the
// same or none decided.
func (o Outcome) Value(commander history.ProcessID) (string, bool) {
	v, ok := "", false
	for _, d := range o.Decisions {
		x, has := d[commander]
		if !has || (ok && x != v) {
			return "", false
		}
		v, ok = x, true
	}
	return v, ok
}

// Vector returns the interactive-consistency vector every local loyal
// general decided, and false if they differ or none decided.
func (o Outcome) Vector() (map[history.ProcessID]string, bool) {
	var vec map[history.ProcessID]string
	for _, d := range o.Decisions {
		if vec == nil {
			vec = d
			continue
		}
		if !maps.Equal(vec, d) {
			return nil, false
		}
	}
	return maps.Clone(vec), vec != nil
}

// Run is one session in progress on a council's local generals.
type Run struct {
	session uint64
	done    chan struct{}

	mu      sync.Mutex
	pending int
	outcome Outcome
}

func newRun(session uint64, generals int) *Run {
	r := &Run{session: session, done: make(chan struct{}), pending: generals}
	r.outcome = Outcome{Session: session, Decisions: map[history.ProcessID]map[history.ProcessID]string{}}
	if generals == 0 {
		close(r.done)
	}
	return r
}

// Session is the run's session number.
func (r *Run) Session() uint64 { return r.session }

// Done is closed once every local general has finished the session.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait returns the outcome once every local general has finished, or the
// outcome so far and an error wrapping ErrNoDecision and ctx.Err() if ctx
// ends first.
func (r *Run) Wait(ctx context.Context) (Outcome, error) {
	select {
	case <-r.done:
		return r.snapshot(), nil
	case <-ctx.Done():
		return r.snapshot(), fmt.Errorf("%w: session %d: %w", ErrNoDecision, r.session, ctx.Err())
	}
}

func (r *Run) snapshot() Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.outcome
	o.Decisions = maps.Clone(o.Decisions)
	o.Traitors = slices.Clone(o.Traitors)
	o.Undecided = slices.Clone(o.Undecided)
	return o
}

// report is how a general hands in its part of the outcome, once, from its
// actor's goroutine.
type report struct {
	id        history.ProcessID
	traitor   bool
	decided   bool
	decisions map[history.ProcessID]string
	rounds    int
}

// sent counts k messages a local general sent in the session.
func (r *Run) sent(k int) {
	r.mu.Lock()
	r.outcome.Messages += k
	r.mu.Unlock()
}

func (r *Run) report(p report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == 0 {
		return
	}
	o := &r.outcome
	switch {
	case p.traitor:
		o.Traitors = append(o.Traitors, p.id)
	case !p.decided:
		o.Undecided = append(o.Undecided, p.id)
	default:
		o.Decisions[p.id] = p.decisions
		o.Rounds = max(o.Rounds, p.rounds)
	}
	r.pending--
	if r.pending == 0 {
		slices.Sort(o.Traitors)
		slices.Sort(o.Undecided)
		close(r.done)
	}
}

// sessionName is the byz session string of session n of council name.
func sessionName(name string, n uint64) string {
	return name + "#" + strconv.FormatUint(n, 10)
}

// parseSession returns the session number of a byz session string, if it
// belongs to council name.
func parseSession(name, s string) (uint64, bool) {
	rest, ok := strings.CutPrefix(s, name+"#")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}
