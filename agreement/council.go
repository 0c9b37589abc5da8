package agreement

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/sirupsen/logrus"
)

// stopTimeout bounds how long Close waits for the generals' actors.
const stopTimeout = 5 * time.Second

// Council is the part of a set of generals that one node hosts: the
// generals of Config.Generals whose address is the node's. Councils on
// several nodes with the same Config form one set of generals, talking over
// protoactor remote; a single node may also host all of them. A Council is
// safe for concurrent use.
type Council struct {
	cfg       Config
	node      *actors.Node
	log       *logrus.Entry
	rec       history.Recorder
	members   map[history.ProcessID]bool
	pids      map[history.ProcessID]*actor.PID
	local     []history.ProcessID
	actors    map[history.ProcessID]*actor.PID
	stats     map[history.ProcessID]*generalStats
	coalition map[history.ProcessID]ed25519.PrivateKey
	// unguard removes SenderCheck from the node (TLS only), else nil.
	unguard func()

	mu     sync.Mutex
	next   uint64
	closed bool
}

// Stats counts what a council's local generals did with messages, summed
// over them. It is the core's counter set (an alias of byz.Stats), read at
// the actor boundary: Sent counts the messages the actors sent (a traitor's
// after its strategy), Accepted those their cores accepted, and Rejected
// the refused ones by the sentinel error they wrapped: this package's
// (forged sender, unknown or stale session, ...) or package byz's
// (malformed path, forged signature, late, ...).
type Stats = byz.Stats

// NewCouncil spawns on node one actor per general of cfg.Generals hosted
// there (those whose process id starts with node.Address()), named after
// the id's name part.
func NewCouncil(node *actors.Node, cfg Config, opts ...Option) (*Council, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg.Generals = slices.Clone(cfg.Generals)
	c := &Council{
		cfg:     cfg,
		node:    node,
		log:     o.logger,
		rec:     o.recorder,
		members: make(map[history.ProcessID]bool, len(cfg.Generals)),
		pids:    make(map[history.ProcessID]*actor.PID, len(cfg.Generals)),
		actors:  map[history.ProcessID]*actor.PID{},
		stats:   map[history.ProcessID]*generalStats{},
	}
	if c.log == nil {
		c.log = node.Logger()
	}
	c.log = c.log.WithField("council", cfg.Name)
	for _, id := range cfg.Generals {
		pid, _ := actors.PIDOf(id) // Validate parsed every id
		c.members[id], c.pids[id] = true, pid
		if pid.Address == node.Address() {
			c.local = append(c.local, id)
		}
	}
	if len(c.local) == 0 {
		return nil, fmt.Errorf("%w: no general is hosted at %s", ErrConfig, node.Address())
	}
	if err := c.checkOptions(o); err != nil {
		return nil, err
	}
	c.coalition = coalitionOf(cfg, o.traitors)
	c.guardTransport()
	for _, id := range c.local {
		if err := c.spawn(id, o); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

func (c *Council) checkOptions(o options) error {
	isLocal := func(id history.ProcessID) bool { return slices.Contains(c.local, id) }
	for id := range o.traitors {
		if !isLocal(id) {
			return fmt.Errorf("%w: traitor %q is not a local general", ErrConfig, id)
		}
	}
	for id := range o.faults {
		if !isLocal(id) {
			return fmt.Errorf("%w: faulty %q is not a local general", ErrConfig, id)
		}
	}
	if c.cfg.Algorithm != SM {
		return nil
	}
	for _, id := range c.local {
		key := c.cfg.PrivateKeys[id]
		if len(key) != ed25519.PrivateKeySize || !key.Public().(ed25519.PublicKey).Equal(c.cfg.PublicKeys[id]) {
			return fmt.Errorf("%w: no private key matching the public key of %q", ErrConfig, id)
		}
	}
	return nil
}

func (c *Council) spawn(id history.ProcessID, o options) error {
	st := newGeneralStats()
	g := &general{c: c, id: id, stats: st, sessions: map[uint64]*session{}}
	if t, ok := o.traitors[id]; ok {
		g.traitor = &t
	}
	producer := func() actor.Actor { return g }
	_, name, _ := strings.Cut(string(id), "/")
	var pid *actor.PID
	var err error
	if f := o.faults[id]; f != nil {
		pid, err = c.node.SpawnProps(name, actor.PropsFromProducer(producer, f.PropsOptions()...))
	} else {
		pid, err = c.node.Spawn(name, producer)
	}
	if err != nil {
		return fmt.Errorf("%w: general %q: %w", ErrConfig, id, err)
	}
	c.mu.Lock()
	c.actors[id], c.stats[id] = pid, st
	c.mu.Unlock()
	return nil
}

// guardTransport binds the envelope sender of agreement messages to the
// peer's certificate when the node runs mutual TLS (A2 in doc.go), and
// says so when a council with generals elsewhere has to trust the network.
func (c *Council) guardTransport() {
	if c.node.TLS() {
		c.unguard = c.node.AddBatchCheck(SenderCheck)
		return
	}
	if c.cfg.Algorithm == OM && len(c.local) < len(c.cfg.Generals) && c.node.Address() != actors.LocalAddress {
		c.log.Warn("OM with generals in other processes over plaintext remote: a peer can forge the envelope " +
			"sender; run the node with actors.WithTLS to have the transport authenticate it")
	}
}

// Authenticated reports whether the transport binds the sender of every
// agreement message from another process to that process's certificate:
// the node runs mutual TLS and the council installed SenderCheck on it.
func (c *Council) Authenticated() bool { return c.unguard != nil }

// Config returns the council's configuration.
func (c *Council) Config() Config { return c.cfg }

// Local lists the generals this council hosts, in Generals order.
func (c *Council) Local() []history.ProcessID { return slices.Clone(c.local) }

// Commander is the commander of the single instance.
func (c *Council) Commander() history.ProcessID { return c.cfg.commander() }

// Start begins the next session on every local general, each with its own
// value from values (RETREAT if absent): the commander's value in a single
// instance (lieutenants' values are not used), every general's in
// interactive consistency. The councils of all processes must start their
// sessions in the same order: session numbers count Start calls. Messages
// that arrive for a session a general has not begun yet are kept (up to
// MaxEarly) until it does.
func (c *Council) Start(values map[history.ProcessID]string) (*Run, error) {
	for id, v := range values {
		if !slices.Contains(c.local, id) {
			return nil, fmt.Errorf("%w: value for %q, which is not a local general", ErrConfig, id)
		}
		if v == "" || len(v) > c.cfg.MaxValueLen {
			return nil, fmt.Errorf("%w: %d bytes for %q, want 1..%d", ErrBadValue, len(v), id, c.cfg.MaxValueLen)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.next++
	run := newRun(c.next, len(c.local))
	// Posted under the lock, so every general sees sessions in order.
	for _, id := range c.local {
		v, ok := values[id]
		if !ok {
			v = byz.Retreat
		}
		c.node.Root().Send(c.actors[id], &begin{session: c.next, value: v, run: run})
	}
	return run, nil
}

// Propose runs one session in which every local general proposes value
// (only the commander's counts in a single instance) and waits for its
// outcome, at most until ctx ends.
func (c *Council) Propose(ctx context.Context, value string) (Outcome, error) {
	values := make(map[history.ProcessID]string, len(c.local))
	for _, id := range c.local {
		values[id] = value
	}
	run, err := c.Start(values)
	if err != nil {
		return Outcome{}, err
	}
	return run.Wait(ctx)
}

// Stats sums the counters of the local generals.
func (c *Council) Stats() Stats {
	c.mu.Lock()
	all := slices.Collect(maps.Values(c.stats))
	c.mu.Unlock()
	s := Stats{Rejected: map[error]int{}}
	for _, gs := range all {
		gs.mu.Lock()
		s.Sent += gs.s.Sent
		s.Accepted += gs.s.Accepted
		for e, n := range gs.s.Rejected {
			s.Rejected[e] += n
		}
		gs.mu.Unlock()
	}
	return s
}

// Close stops the council's actors; sessions in progress end undecided
// (their Wait returns when its context ends). Close is idempotent.
func (c *Council) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	pids := slices.Collect(maps.Values(c.actors))
	c.mu.Unlock()
	if c.unguard != nil {
		// The check is stateless; another council on the node, if any,
		// keeps its own.
		c.unguard()
	}
	deadline := time.After(stopTimeout)
	for _, pid := range pids {
		f := c.node.Root().StopFuture(pid)
		select {
		case <-waitFuture(f):
		case <-deadline:
			c.log.Warn("close: generals did not stop in time")
			return
		}
	}
}

func waitFuture(f *actor.Future) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		_ = f.Wait()
		close(done)
	}()
	return done
}
