package agreement

import (
	"crypto/ed25519"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/protobuf/proto"
)

// begin starts session on one general with the general's own value; it is
// posted by Council.Start from the local process only (it is not a
// protobuf message, so remote cannot carry it).
type begin struct {
	session uint64
	value   string
	run     *Run
}

// tick is the general's clock: its session timer posts one per
// RoundDuration into the general's own mailbox.
type tick struct{ session uint64 }

// early is a message that arrived for a session this general has not begun
// yet; its sender has already been checked.
type early struct {
	session uint64
	from    history.ProcessID
	msg     proto.Message
}

// session is one agreement run on one general.
type session struct {
	n       uint64
	machine step.Machine // the core, or a TraitorGeneral around it
	core    *byz.General
	traitor bool
	run     *Run
	ticks   int
	// maxTicks ends the session even if the core has not decided.
	maxTicks int
	timer    *time.Timer
}

// general is the actor driving the byz cores of one general: arrivals go
// to Step, ticks to Tick, and after each of them the core's Ready is
// carried out (messages sent to the other generals' PIDs, events
// recorded) and Advanced. Everything runs on the actor's goroutine, so
// the cores need no locks.
type general struct {
	c        *Council
	id       history.ProcessID
	traitor  *traitorSpec
	stats    *generalStats
	sessions map[uint64]*session
	begun    uint64 // the last session begun; sessions begin in order
	early    []early
}

func (g *general) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *begin:
		g.begin(ctx, m)
	case *tick:
		g.tick(ctx, m)
	case *actor.Stopping:
		for _, s := range g.sessions {
			s.timer.Stop()
		}
	case *actor.Started, *actor.Stopped, *actor.Restarting:
	case *actor.Touch:
		// Connect's probe: the runtime answers it after Receive.
	default:
		g.arrive(ctx, m)
	}
}

func (g *general) begin(ctx actor.Context, b *begin) {
	cfg := g.c.cfg
	bc := byz.DefaultConfig()
	bc.ID, bc.Generals, bc.M, bc.RoundTicks = g.id, cfg.Generals, cfg.M, 1
	bc.Value, bc.Session, bc.MaxValueLen = b.value, sessionName(cfg.Name, b.session), cfg.MaxValueLen
	if cfg.Algorithm == SM {
		bc.Key, bc.PublicKeys = cfg.PrivateKeys[g.id], cfg.PublicKeys
	}
	var core *byz.General
	var err error
	switch {
	case cfg.Interactive && cfg.Algorithm == OM:
		core, err = byz.NewInteractiveOM(bc)
	case cfg.Interactive:
		core, err = byz.NewInteractiveSM(bc)
	case cfg.Algorithm == OM:
		bc.Commander = cfg.commander()
		core, err = byz.NewOM(bc)
	default:
		bc.Commander = cfg.commander()
		core, err = byz.NewSM(bc)
	}
	g.begun = b.session
	if err != nil {
		// NewCouncil and Start validated everything the cores check.
		g.c.log.WithError(err).WithField("general", g.id).Error("cannot begin session")
		b.run.report(report{id: g.id})
		return
	}
	s := &session{n: b.session, machine: core, core: core, run: b.run, maxTicks: bc.DecisionTicks() + 1}
	if g.traitor != nil {
		rng := rand.New(rand.NewPCG(g.traitor.seed, b.session))
		s.machine = byz.NewTraitorGeneral(core, g.traitor.strategy, rng, g.c.coalition)
		s.traitor = true
	}
	g.sessions[s.n] = s
	g.schedule(ctx, s)

	// Replay what arrived before the session began, keep the rest.
	kept := g.early[:0]
	for _, e := range g.early {
		if e.session == s.n {
			g.step(s, e.from, e.msg)
		} else {
			kept = append(kept, e)
		}
	}
	clear(g.early[len(kept):])
	g.early = kept
	g.flush(ctx, s)
}

// schedule arms the session's timer for its next tick.
func (g *general) schedule(ctx actor.Context, s *session) {
	self, root, n := ctx.Self(), ctx.ActorSystem().Root, s.n
	s.timer = time.AfterFunc(g.c.cfg.RoundDuration, func() { root.Send(self, &tick{session: n}) })
}

func (g *general) tick(ctx actor.Context, t *tick) {
	s := g.sessions[t.session]
	if s == nil {
		return // finished: a tick already in the mailbox
	}
	s.ticks++
	s.machine.Tick()
	if g.flush(ctx, s) {
		return
	}
	// The cores decide by DecisionTicks whatever happens; the bound only
	// guards against a broken core keeping a session alive for ever.
	if s.ticks > s.maxTicks {
		g.finish(s)
		return
	}
	g.schedule(ctx, s)
}

func (g *general) arrive(ctx actor.Context, msg any) {
	pm, name, err := sessionOf(msg)
	var from history.ProcessID
	if err == nil {
		from, err = senderOf(g.c.members, ctx.Sender())
	}
	if err != nil {
		g.reject(err)
		return
	}
	n, ok := parseSession(g.c.cfg.Name, name)
	switch s := g.sessions[n]; {
	case !ok:
		g.reject(unknownSession(name))
	case s != nil:
		g.step(s, from, pm)
		g.flush(ctx, s)
	case n <= g.begun:
		g.reject(staleSession(n))
	case len(g.early) >= g.c.cfg.MaxEarly:
		g.reject(earlyOverflow(n))
	default:
		g.early = append(g.early, early{session: n, from: from, msg: pm})
	}
}

func (g *general) step(s *session, from history.ProcessID, msg proto.Message) {
	if err := s.machine.Step(from, msg); err != nil {
		g.reject(err)
		return
	}
	g.stats.add(func(st *Stats) { st.Accepted++ })
}

func (g *general) reject(err error) {
	g.stats.add(func(st *Stats) { st.Rejected[sentinelOf(err)]++ })
	g.c.log.WithError(err).WithField("general", g.id).Debug("rejected a message")
}

// flush carries out the core's Ready: messages first, then events, as the
// simulator does. It reports whether the session is over.
func (g *general) flush(ctx actor.Context, s *session) bool {
	for s.machine.HasReady() {
		rd := s.machine.Ready()
		for _, ob := range rd.Messages {
			// Request, not Send: the envelope then names this actor as
			// the sender, which receivers compare with the payload.
			ctx.Request(g.c.pids[ob.To], ob.Msg)
		}
		if len(rd.Messages) > 0 {
			g.stats.add(func(st *Stats) { st.Sent += len(rd.Messages) })
			s.run.sent(len(rd.Messages))
		}
		if history.Enabled(g.c.rec) {
			now := time.Now().UnixNano()
			for _, ev := range rd.Events {
				ev.Time, ev.View = now, s.n
				g.c.rec.Record(ev)
			}
		}
		s.machine.Advance(rd)
	}
	if !s.core.Done() {
		return false
	}
	g.finish(s)
	return true
}

// finish ends the session on this general and reports to its run. A
// decided core has sent everything it ever will.
func (g *general) finish(s *session) {
	s.timer.Stop()
	delete(g.sessions, s.n)
	s.run.report(report{
		id:        g.id,
		traitor:   s.traitor,
		decided:   s.core.Done(),
		decisions: s.core.Decisions(),
		rounds:    s.core.Rounds(),
	})
}

// generalStats are one general's counters; its actor writes them, Stats
// reads them from other goroutines.
type generalStats struct {
	mu sync.Mutex
	s  Stats
}

func newGeneralStats() *generalStats {
	return &generalStats{s: Stats{Rejected: map[error]int{}}}
}

func (gs *generalStats) add(f func(*Stats)) {
	gs.mu.Lock()
	f(&gs.s)
	gs.mu.Unlock()
}

// coalitionOf returns the private keys of the local traitors (SM).
func coalitionOf(cfg Config, traitors map[history.ProcessID]traitorSpec) map[history.ProcessID]ed25519.PrivateKey {
	keys := map[history.ProcessID]ed25519.PrivateKey{}
	for id := range traitors {
		if k, ok := cfg.PrivateKeys[id]; ok {
			keys[id] = k
		}
	}
	return keys
}
