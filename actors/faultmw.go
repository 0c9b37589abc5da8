package actors

import (
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/proto"
)

// Faults injects one failure model (a faults.Spec) into real actors, as
// protoactor middleware: a sender middleware filters what an actor sends
// (crash, send omission, timing, value, state transition, arbitrary) and a
// receiver middleware what it receives (crash, receive omission).
//
// Every actor gets its own faults.Injector, created on its first message and
// keyed by its PID: a middleware chain is built once per Props and shared by
// all actors spawned from it. Each injector's seed mixes Spec.Seed with the
// actor's name (not its address, which depends on the port the kernel
// picked), so a run with the same seed and names makes the same choices.
//
// Use PropsOptions (or the two middleware) and list them after any other
// middleware: faults act at the boundary between the actor and the network,
// and a message a timing failure holds back is later handed to the rest of
// the sender chain from a timer goroutine, which is only safe for protoactor's
// own final sender. Late messages keep their order among themselves; on-time
// messages (Rate < 1) overtake them.
//
// A Faults is safe for concurrent use.
type Faults struct {
	spec  faults.Spec
	clock Clock
	tick  time.Duration
	start time.Time
	log   *logrus.Entry
	rec   Recorder

	mu     sync.Mutex
	actors map[history.ProcessID]*faultyActor
	// late holds the messages timing failures hold back, in the order they
	// are due (the delay is constant, so that is the order they were held).
	// One timer at a time serves the queue, so late messages keep their
	// order: a slow process is late, not disordered.
	late   []lateSend
	timer  Timer
	closed bool
	// sending is held while a batch of late messages is sent, and taken
	// before mu is released, so batches go out in the order they were taken
	// even when the next timer fires during a send.
	sending sync.Mutex
}

// lateSend is one held-back message.
type lateSend struct {
	due  time.Time
	send func()
}

// faultyActor is the fault state of one actor. Its middleware runs on the
// actor's goroutine, but Stats reads it from others, hence the mutex.
type faultyActor struct {
	mu        sync.Mutex
	id        history.ProcessID
	in        *faults.Injector
	sent      int
	received  int
	announced bool
	crashed   bool
}

// FaultStats sums what a Faults did over all its actors.
type FaultStats struct {
	// Actors is the number of actors that have sent or received through it.
	Actors int
	// Sent counts the messages the actors tried to send (before faults);
	// each protobuf item of an *outbox.Local counts as one.
	Sent int
	// Received counts the messages the actors were handed (after faults),
	// counted the same way.
	Received int
	// Crashed counts the actors the crash model has stopped.
	Crashed int
	// Stats holds the injectors' own counters: Dropped, Delayed, Corrupted,
	// Replayed and Forged messages.
	faults.Stats
}

func (s FaultStats) String() string {
	return fmt.Sprintf("actors=%d sent=%d received=%d crashed=%d dropped=%d delayed=%d corrupted=%d replayed=%d forged=%d",
		s.Actors, s.Sent, s.Received, s.Crashed, s.Dropped, s.Delayed, s.Corrupted, s.Replayed, s.Forged)
}

// NewFaults prepares fault injection of spec for actors of this node. The
// node's clock, FaultTick, logger and recorder apply, and Close cancels the
// messages it still holds back.
func (n *Node) NewFaults(spec faults.Spec) (*Faults, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	f := &Faults{
		spec:   spec,
		clock:  n.clock,
		tick:   n.cfg.FaultTick,
		start:  n.clock.Now(),
		log:    n.log.WithField("faults", spec.Model.String()),
		rec:    n.recorder,
		actors: make(map[history.ProcessID]*faultyActor),
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, ErrClosed
	}
	n.faultSets = append(n.faultSets, f)
	return f, nil
}

// Spec returns the failure model f injects.
func (f *Faults) Spec() faults.Spec { return f.spec }

// PropsOptions returns the props options that install f's middleware.
func (f *Faults) PropsOptions() []actor.PropsOption {
	return []actor.PropsOption{
		actor.WithSenderMiddleware(f.SenderMiddleware()),
		actor.WithReceiverMiddleware(f.ReceiverMiddleware()),
	}
}

// Stats sums the counters of every actor f has seen.
func (f *Faults) Stats() FaultStats {
	f.mu.Lock()
	all := make([]*faultyActor, 0, len(f.actors))
	for _, a := range f.actors {
		all = append(all, a)
	}
	f.mu.Unlock()
	var s FaultStats
	for _, a := range all {
		a.mu.Lock()
		st := a.in.Stats()
		s.Actors++
		s.Sent += a.sent
		s.Received += a.received
		if a.crashed {
			s.Crashed++
		}
		s.Dropped += st.Dropped
		s.Delayed += st.Delayed
		s.Corrupted += st.Corrupted
		s.Replayed += st.Replayed
		s.Forged += st.Forged
		a.mu.Unlock()
	}
	return s
}

// Crashed reports whether the crash model has stopped the actor with this
// process id.
func (f *Faults) Crashed(id history.ProcessID) bool {
	f.mu.Lock()
	a := f.actors[id]
	f.mu.Unlock()
	if a == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.crashed
}

// now is the failure models' clock: FaultTicks since f was created.
func (f *Faults) now() int64 { return int64(f.clock.Now().Sub(f.start) / f.tick) }

// actorFor returns the state of the actor self, creating it on first use.
// The root context (self nil) counts as one process named "root".
func (f *Faults) actorFor(self *actor.PID) *faultyActor {
	id, name := history.ProcessID("root"), "root"
	if self != nil {
		id, name = ProcessIDOf(self), self.Id
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.actors[id]
	if a == nil {
		spec := f.spec
		spec.Seed ^= nameHash(name)
		in, err := faults.NewInjector(spec)
		if err != nil {
			// Unreachable: the spec was validated in NewFaults and the
			// seed does not take part in validation.
			panic(fmt.Sprintf("actors: fault spec became invalid: %v", err))
		}
		a = &faultyActor{id: id, in: in}
		f.actors[id] = a
	}
	return a
}

// nameHash is FNV-1a of name: it derives per-actor seeds from one Spec.Seed.
func nameHash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// isAppMessage reports whether msg is addressed to the application, as
// opposed to protoactor's lifecycle and system messages, which the failure
// models leave alone (a crashed actor still needs them to stop).
func isAppMessage(msg any) bool {
	switch msg.(type) {
	case actor.SystemMessage, actor.AutoReceiveMessage, actor.InfrastructureMessage:
		return false
	}
	return true
}

// SenderMiddleware returns the middleware applying the send side of the
// failure model.
func (f *Faults) SenderMiddleware() actor.SenderMiddleware {
	return func(next actor.SenderFunc) actor.SenderFunc {
		return func(c actor.SenderContext, target *actor.PID, env *actor.MessageEnvelope) {
			a := f.actorFor(c.Self())
			a.mu.Lock()
			if a.crashed {
				a.mu.Unlock()
				return
			}
			if l, ok := env.Message.(*outbox.Local); ok {
				f.sendLocal(a, c, target, env, l, next)
				return
			}
			// Application messages that are not protobuf can never leave
			// the process; they pass uncounted, unless the actor crashed.
			// A batch to another process (*outbox.Encoded) is a protobuf message and is
			// judged whole, like any message a transport carries: a lost
			// batch is the loss of each message in it.
			pm, isProto := env.Message.(proto.Message)
			if !isProto || !isAppMessage(env.Message) {
				a.mu.Unlock()
				next(c, target, env)
				return
			}
			actions := a.in.Outgoing(f.now(), ProcessIDOf(target), pm)
			a.sent++
			crashNow := f.noteActivation(a)
			a.mu.Unlock()

			for i, act := range actions {
				out := env
				if i > 0 || act.Msg != pm {
					// A fresh envelope per copy: the original may be shared
					// with the receiver already.
					out = &actor.MessageEnvelope{Header: env.Header, Message: act.Msg, Sender: env.Sender}
				}
				if act.Delay > 0 {
					f.later(time.Duration(act.Delay)*f.tick, func() { next(c, target, out) })
					continue
				}
				next(c, target, out)
			}
			if crashNow {
				f.stop(c.ActorSystem(), c.Self())
			}
		}
	}
}

// ReceiverMiddleware returns the middleware applying the receive side of the
// failure model.
func (f *Faults) ReceiverMiddleware() actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
			if !isAppMessage(env.Message) {
				next(c, env)
				return
			}
			a := f.actorFor(c.Self())
			a.mu.Lock()
			if a.crashed {
				a.mu.Unlock()
				return
			}
			if l, ok := env.Message.(*outbox.Local); ok {
				f.receiveLocal(a, c, env, l, next)
				return
			}
			pm, isProto := env.Message.(proto.Message)
			if !isProto {
				a.mu.Unlock()
				next(c, env)
				return
			}
			ok := a.in.Incoming(f.now(), ProcessIDOf(env.Sender), pm)
			if ok {
				a.received++
			}
			crashNow := f.noteActivation(a)
			a.mu.Unlock()
			if ok {
				next(c, env)
			}
			if crashNow {
				f.stop(c.ActorSystem(), c.Self())
			}
		}
	}
}

// An *outbox.Local carries, in one in-process post, the messages a driver
// would otherwise have posted one by one. The failure models judge each of
// them as if it had been posted alone, in order, so batching changes neither
// what a model does nor its counters: without this, in-process batched
// traffic would pass every model untouched.

// judged returns the protobuf message the failure model judges in item, an
// item of a Local: the item itself, or what the envelope env carries. ok is
// false for an item the models leave alone (not protobuf: it cannot leave
// the process).
func judged(item any) (pm proto.Message, env *actor.MessageEnvelope, ok bool) {
	switch m := item.(type) {
	case *actor.MessageEnvelope:
		pm, ok = m.Message.(proto.Message)
		return pm, m, ok && isAppMessage(m.Message)
	case proto.Message:
		return m, nil, isAppMessage(m)
	}
	return nil, nil, false
}

// carrying returns item with msg in its place: item itself when it is
// unchanged and the first copy, else a fresh envelope (the original may be
// shared with receivers already) or msg bare, as item was.
func carrying(item any, env *actor.MessageEnvelope, pm, msg proto.Message, first bool) any {
	switch {
	case first && msg == pm:
		return item
	case env != nil:
		return &actor.MessageEnvelope{Header: env.Header, Message: msg, Sender: env.Sender}
	}
	return msg
}

// alone is the envelope item travels in when it is posted by itself, as
// protoactor would wrap it.
func alone(item any, batch *actor.MessageEnvelope) *actor.MessageEnvelope {
	if env, ok := item.(*actor.MessageEnvelope); ok {
		return env
	}
	return &actor.MessageEnvelope{Header: batch.Header, Message: item, Sender: batch.Sender}
}

// lateItem is an item of a Local a timing failure holds back.
type lateItem struct {
	item  any
	delay int64
}

// sendLocal applies the send side of the model to every item of l, which
// env carries to target. The survivors, copies and corrupted clones go now,
// in order, as one new Local (or env itself when nothing changed); items
// held back are sent later one by one. Once the crash model fires, the
// rest of l is not sent, as an actor that crashed sends nothing more.
// The caller holds a.mu; sendLocal releases it.
func (f *Faults) sendLocal(a *faultyActor, c actor.SenderContext, target *actor.PID, env *actor.MessageEnvelope, l *outbox.Local, next actor.SenderFunc) {
	to, now := ProcessIDOf(target), f.now()
	var (
		kept    []any // nil until an item changes
		changed bool
		late    []lateItem
	)
	for i, it := range l.Items {
		pm, ienv, ok := judged(it)
		if !ok {
			if changed {
				kept = append(kept, it)
			}
			continue
		}
		actions := a.in.Outgoing(now, to, pm)
		a.sent++
		if !changed && (len(actions) != 1 || actions[0].Msg != pm || actions[0].Delay > 0) {
			changed = true
			kept = append(make([]any, 0, len(l.Items)), l.Items[:i]...)
		}
		if changed {
			for j, act := range actions {
				out := carrying(it, ienv, pm, act.Msg, j == 0)
				if act.Delay > 0 {
					late = append(late, lateItem{out, act.Delay})
					continue
				}
				kept = append(kept, out)
			}
		}
		if a.in.Crashed() {
			changed = changed || i+1 < len(l.Items)
			break
		}
	}
	crashNow := f.noteActivation(a)
	a.mu.Unlock()

	switch {
	case !changed:
		next(c, target, env)
	case len(kept) > 0:
		next(c, target, &actor.MessageEnvelope{Header: env.Header, Message: &outbox.Local{Items: kept}, Sender: env.Sender})
	}
	for _, li := range late {
		out := alone(li.item, env)
		f.later(time.Duration(li.delay)*f.tick, func() { next(c, target, out) })
	}
	if crashNow {
		f.stop(c.ActorSystem(), c.Self())
	}
}

// receiveLocal applies the receive side of the model to every item of l,
// which env brought, and hands the actor the items it receives, in order:
// env itself when it receives all, a new Local when some, nothing when
// none. The caller holds a.mu; receiveLocal releases it.
func (f *Faults) receiveLocal(a *faultyActor, c actor.ReceiverContext, env *actor.MessageEnvelope, l *outbox.Local, next actor.ReceiverFunc) {
	now := f.now()
	var (
		kept    []any
		changed bool
	)
	for i, it := range l.Items {
		pm, ienv, ok := judged(it)
		received := true
		if ok {
			from := env.Sender
			if ienv != nil {
				from = ienv.Sender
			}
			if received = a.in.Incoming(now, ProcessIDOf(from), pm); received {
				a.received++
			}
		}
		if !received && !changed {
			changed = true
			kept = append(make([]any, 0, len(l.Items)), l.Items[:i]...)
		}
		if received && changed {
			kept = append(kept, it)
		}
		if a.in.Crashed() {
			changed = changed || i+1 < len(l.Items)
			break
		}
	}
	crashNow := f.noteActivation(a)
	a.mu.Unlock()

	switch {
	case !changed:
		next(c, env)
	case len(kept) > 0:
		next(c, &actor.MessageEnvelope{Header: env.Header, Message: &outbox.Local{Items: kept}, Sender: env.Sender})
	}
	if crashNow {
		f.stop(c.ActorSystem(), c.Self())
	}
}

// noteActivation records, once, that a's failure model has switched on, and
// reports whether a has just crashed. The caller holds a.mu.
func (f *Faults) noteActivation(a *faultyActor) (crashNow bool) {
	if !a.in.Active() || a.announced {
		return false
	}
	a.announced = true
	kind := history.Faulty
	if a.in.Crashed() {
		kind = history.Crash
		a.crashed = true
		crashNow = true
	}
	now := f.clock.Now()
	f.log.WithField("process", a.id).Info("failure model switched on")
	if history.Enabled(f.rec) {
		f.rec.Record(history.Event{Time: now.UnixNano(), Process: a.id, Kind: kind, Value: f.spec.Model.String()})
	}
	return crashNow
}

// stop stops a crashed actor. Root.Stop only posts a system message, so it
// is safe from inside the actor's own middleware.
func (f *Faults) stop(sys *actor.ActorSystem, self *actor.PID) {
	if self != nil {
		sys.Root.Stop(self)
	}
}

// later runs send once d has passed on f's clock, after every message held
// back before it, unless f is closed first.
func (f *Faults) later(d time.Duration, send func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.late = append(f.late, lateSend{due: f.clock.Now().Add(d), send: send})
	if f.timer == nil {
		f.timer = f.clock.AfterFunc(d, f.releaseDue)
	}
}

// releaseDue sends, in order, every held message now due, and re-arms the
// timer for the next one.
func (f *Faults) releaseDue() {
	f.mu.Lock()
	f.timer = nil
	if f.closed {
		f.mu.Unlock()
		return
	}
	now := f.clock.Now()
	k := 0
	for k < len(f.late) && !f.late[k].due.After(now) {
		k++
	}
	due := f.late[:k:k]
	f.late = f.late[k:]
	if len(f.late) > 0 {
		f.timer = f.clock.AfterFunc(f.late[0].due.Sub(now), f.releaseDue)
	}
	f.sending.Lock()
	f.mu.Unlock()
	defer f.sending.Unlock()
	for _, l := range due {
		l.send()
	}
}

// close cancels every message still held back and refuses new delays.
func (f *Faults) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}
	f.late = nil
}
