package byz

import (
	"errors"
	"fmt"
	"maps"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"google.golang.org/protobuf/proto"
)

// Algorithm says which of the paper's algorithms a General runs.
type Algorithm int

const (
	// OralMessages is OM(m) (LSP82 §3).
	OralMessages Algorithm = iota + 1
	// SignedMessages is SM(m) (LSP82 §4).
	SignedMessages
)

func (a Algorithm) String() string {
	switch a {
	case OralMessages:
		return "OM"
	case SignedMessages:
		return "SM"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// Stats counts what a General did with its input.
type Stats struct {
	// Accepted counts messages Step accepted (SM: including values the
	// general already held).
	Accepted int
	// Sent counts messages handed out in Ready.
	Sent int
	// Rejected counts rejected messages by the sentinel error they wrapped.
	Rejected map[error]int
}

// RejectedTotal is the sum of Rejected.
func (s Stats) RejectedTotal() int {
	t := 0
	for _, n := range s.Rejected {
		t += n
	}
	return t
}

// General is one general running one or several agreement instances (one
// per commander) of OM(m) or SM(m). It implements step.Machine.
type General struct {
	cfg    Config
	alg    Algorithm
	self   int
	index  map[history.ProcessID]int
	now    int
	insts  []instance // by commander index; nil where this machine runs none
	order  []int      // commander indices of the instances, in Generals order
	out    []step.Outbound
	events []history.Event
	stats  Stats
	// interactive: one instance per general, each with a Decide for its
	// own entry of the vector.
	interactive bool
}

var _ step.Machine = (*General)(nil)

// instance is one agreement instance as seen by one general.
type instance interface {
	// accept takes a message from general index from, already checked to
	// be of the right type, session and instance.
	accept(from int, msg proto.Message) error
	// advance closes every round that is due at tick now or complete.
	advance(now int)
	// decision returns the decided value, once there is one.
	decision() (string, bool)
	// closed is the number of rounds this general has closed.
	closed() int
}

// NewOM returns a general running OM(cfg.M) for commander cfg.Commander.
func NewOM(cfg Config) (*General, error) { return newSingle(cfg, OralMessages) }

// NewSM returns a general running SM(cfg.M) for commander cfg.Commander.
func NewSM(cfg Config) (*General, error) { return newSingle(cfg, SignedMessages) }

// NewInteractiveOM returns a general running interactive consistency over
// OM(cfg.M): one instance per general, each general commanding its own
// cfg.Value. cfg.Commander is ignored.
func NewInteractiveOM(cfg Config) (*General, error) { return newInteractive(cfg, OralMessages) }

// NewInteractiveSM is NewInteractiveOM over SM(cfg.M).
func NewInteractiveSM(cfg Config) (*General, error) { return newInteractive(cfg, SignedMessages) }

func newSingle(cfg Config, alg Algorithm) (*General, error) {
	if cfg.Commander == "" {
		return nil, fmt.Errorf("%w: Commander must be set", ErrConfig)
	}
	g, err := newGeneral(cfg, alg)
	if err != nil {
		return nil, err
	}
	g.start([]int{g.index[cfg.Commander]})
	return g, nil
}

func newInteractive(cfg Config, alg Algorithm) (*General, error) {
	cfg.Commander = ""
	g, err := newGeneral(cfg, alg)
	if err != nil {
		return nil, err
	}
	g.interactive = true
	all := make([]int, len(cfg.Generals))
	for i := range all {
		all[i] = i
	}
	g.start(all)
	return g, nil
}

func newGeneral(cfg Config, alg Algorithm) (*General, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if alg == SignedMessages {
		if err := cfg.validateKeys(); err != nil {
			return nil, err
		}
	}
	cfg.Generals = append([]history.ProcessID(nil), cfg.Generals...)
	g := &General{
		cfg:   cfg,
		alg:   alg,
		index: make(map[history.ProcessID]int, len(cfg.Generals)),
		insts: make([]instance, len(cfg.Generals)),
		stats: Stats{Rejected: map[error]int{}},
	}
	for i, id := range cfg.Generals {
		g.index[id] = i
	}
	g.self = g.index[cfg.ID]
	return g, nil
}

// start creates the instances; those this general commands send their
// round-1 messages and decide at once. In interactive consistency such
// a general also emits the Decide of its own vector entry; the commander
// of a single instance emits only Propose, because IC1 and IC2 speak of
// lieutenants (with a commander's Decide, every IC2 violation would be
// reported as an IC1 violation too).
func (g *General) start(commanders []int) {
	g.order = commanders
	for _, c := range commanders {
		if g.alg == OralMessages {
			g.insts[c] = newOMInstance(g, c)
		} else {
			g.insts[c] = newSMInstance(g, c)
		}
	}
}

// ID is this general.
func (g *General) ID() history.ProcessID { return g.cfg.ID }

// Algorithm is the algorithm this general runs.
func (g *General) Algorithm() Algorithm { return g.alg }

// Config returns the configuration the general runs with.
func (g *General) Config() Config {
	c := g.cfg
	c.Generals = append([]history.ProcessID(nil), g.cfg.Generals...)
	return c
}

// Step feeds a message from general from. from must be the authenticated
// identity of the peer the message came from (see doc.go); OM requires it
// to be the last general on the message's path, SM only that it is a
// general, since SM's signatures name the senders.
func (g *General) Step(from history.ProcessID, msg proto.Message) error {
	err := g.step(from, msg)
	if err != nil {
		g.stats.Rejected[sentinelOf(err)]++
		return err
	}
	g.stats.Accepted++
	return nil
}

func (g *General) step(from history.ProcessID, msg proto.Message) error {
	f, ok := g.index[from]
	if !ok {
		return fmt.Errorf("%w: sender %q", ErrNotMember, from)
	}
	var session, commander string
	switch m := msg.(type) {
	case *OralMessage:
		if g.alg != OralMessages {
			return fmt.Errorf("%w: %T in %v", ErrUnexpectedMessage, msg, g.alg)
		}
		session, commander = m.GetSession(), m.GetCommander()
	case *SignedMessage:
		if g.alg != SignedMessages {
			return fmt.Errorf("%w: %T in %v", ErrUnexpectedMessage, msg, g.alg)
		}
		session, commander = m.GetSession(), m.GetCommander()
	default:
		return fmt.Errorf("%w: %T", ErrUnexpectedMessage, msg)
	}
	if session != g.cfg.Session {
		return fmt.Errorf("%w: %q, running %q", ErrWrongSession, session, g.cfg.Session)
	}
	c, ok := g.index[history.ProcessID(commander)]
	if !ok || g.insts[c] == nil {
		return fmt.Errorf("%w: commander %q", ErrUnknownInstance, commander)
	}
	inst := g.insts[c]
	if err := inst.accept(f, msg); err != nil {
		return err
	}
	inst.advance(g.now) // a round may now be complete
	return nil
}

// Tick advances the general's clock by one tick, closing the rounds that
// are due.
func (g *General) Tick() {
	g.now++
	for _, c := range g.order {
		g.insts[c].advance(g.now)
	}
}

// HasReady reports whether there are messages to send or events to report.
func (g *General) HasReady() bool { return len(g.out) > 0 || len(g.events) > 0 }

// Ready returns the messages to send and the events (Propose, Decide)
// produced since the last Advance. Events carry Process, Kind, Peer and
// Value; the driver fills in Index and Time.
func (g *General) Ready() step.Ready { return step.Ready{Messages: g.out, Events: g.events} }

// Advance drops what rd, the last Ready, held.
func (g *General) Advance(rd step.Ready) {
	g.out = g.out[:copy(g.out, g.out[len(rd.Messages):])]
	g.events = g.events[:copy(g.events, g.events[len(rd.Events):])]
}

// Done reports whether every instance has decided.
func (g *General) Done() bool {
	for _, c := range g.order {
		if _, ok := g.insts[c].decision(); !ok {
			return false
		}
	}
	return true
}

// Decision returns the value decided for the instance of commander, if
// any has been decided yet.
func (g *General) Decision(commander history.ProcessID) (string, bool) {
	c, ok := g.index[commander]
	if !ok || g.insts[c] == nil {
		return "", false
	}
	return g.insts[c].decision()
}

// Decisions returns the decided values by commander: for interactive
// consistency, the vector of the paper once Done.
func (g *General) Decisions() map[history.ProcessID]string {
	d := make(map[history.ProcessID]string, len(g.order))
	for _, c := range g.order {
		if v, ok := g.insts[c].decision(); ok {
			d[g.cfg.Generals[c]] = v
		}
	}
	return d
}

// Vector returns the decisions in the order of Config.Generals, "" where
// this general runs no instance or has not decided yet: the interactive
// consistency vector once Done.
func (g *General) Vector() []string {
	v := make([]string, len(g.cfg.Generals))
	for _, c := range g.order {
		v[c], _ = g.insts[c].decision()
	}
	return v
}

// Rounds is the number of rounds closed, the largest over the instances
// this general does not command (those it commands need no rounds).
func (g *General) Rounds() int {
	r := 0
	for _, c := range g.order {
		if c != g.self {
			r = max(r, g.insts[c].closed())
		}
	}
	return r
}

// Now is the number of ticks seen.
func (g *General) Now() int { return g.now }

// Stats returns a copy of the counters.
func (g *General) Stats() Stats {
	s := g.stats
	s.Rejected = maps.Clone(g.stats.Rejected)
	return s
}

// send queues msg for every general in to.
func (g *General) send(msg proto.Message, to []int) {
	for _, j := range to {
		g.out = append(g.out, step.Outbound{To: g.cfg.Generals[j], Msg: msg})
	}
	g.stats.Sent += len(to)
}

func (g *General) emit(kind history.Kind, commander int, value string) {
	ev := history.Event{Process: g.cfg.ID, Kind: kind, Value: value}
	if kind == history.Decide {
		ev.Peer = g.cfg.Generals[commander]
	}
	g.events = append(g.events, ev)
}

var sentinels = []error{
	ErrUnexpectedMessage, ErrWrongSession, ErrUnknownInstance, ErrNotMember,
	ErrBadPath, ErrSenderMismatch, ErrLate, ErrDuplicate, ErrBadValue,
	ErrBadChain, ErrDuplicateSigner, ErrUnknownSigner, ErrForged,
}

func sentinelOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// checkValue rejects values no loyal general could have sent.
func (g *General) checkValue(v string) error {
	if v == "" || len(v) > g.cfg.MaxValueLen {
		return fmt.Errorf("%w: %d bytes, want 1..%d", ErrBadValue, len(v), g.cfg.MaxValueLen)
	}
	return nil
}
