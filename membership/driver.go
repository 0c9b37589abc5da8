package membership

import (
	"errors"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/membership/flush"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/proto"
)

// driver is the view manager of one member: it runs the member's
// flush.Member inside the actor's mailbox, on the actor's own goroutine (so
// the core needs no lock), and hands the core's deliveries and view events
// to the actor in the order the core produced them.
type driver struct {
	cfg     Config
	self    history.ProcessID
	selfPID *actor.PID
	log     *logrus.Entry
	rec     history.Recorder // nil when recording is off
	state   StateTransfer    // WithStateTransfer; nil: the actor's own, if any
	core    *flush.Member
	pids    pidCache

	box   actor.Mailbox        // the inner mailbox
	inner actor.MessageInvoker // the actor context's own invoker
	ctx   actor.Context        // sends go through it, so sender middleware applies

	// rd is the core's Ready being carried out and evAt the next of its
	// events to hand over. Kept across a panicking Receive, so the rest of
	// the Ready is handed over (and Advance called) on the next invocation,
	// and nothing is handed over twice.
	rd       *step.Ready
	evAt     int
	loop     []proto.Message // messages the core addressed to this process
	lastMsg  proto.Message   // envelope reuse: a fan-out repeats one message
	lastEnv  *actor.MessageEnvelope
	deferred int  // arrivals stepped since Ready was last taken
	halted   bool // the actor got Stop: the core is not driven any more

	// ob gathers the core's data-lane sends until the invocation ends
	// (package outbox); sendNow is d.ctx.Send as a value, made once.
	ob      *outbox.Outbox
	sendNow outbox.SendFunc
	dec     outbox.Decoder // unpacks batches from other processes

	pending []proto.Message // own multicasts not yet accepted by the core
	head    int

	view       atomic.Pointer[ViewChange]
	backlog    atomic.Int64 // own multicasts accepted by Group.Multicast, not yet given to the core
	tickQueued atomic.Bool
	tickDue    atomic.Int64 // ticks the wall clock says have passed since Start
	ticked     int64        // ticks given to the core (actor goroutine only)
	out        atomic.Bool  // the member is out of the group (left, removed, actor stopped)
	stopOnce   sync.Once
	stop       chan struct{} // closed when the actor stops: ends the ticker
	// deliveries is where Deliveries are cut from (newDelivery).
	deliveries  slab.Slab[Delivery]
	system      *actor.ActorSystem
	doneOnce    sync.Once
	done        chan struct{}          // closed when the member is out of the group
	unsubscribe atomic.Pointer[func()] // ends the endpoint-event subscription, if any
	stats       counters
}

// The driver's own mailbox messages; they never leave the process.
type (
	tickMsg      struct{}
	multicastReq struct{ payload proto.Message }
	leaveReq     struct{}
	hintMsg      struct{ address string }
)

var theTick = &tickMsg{}

// maxDeferred caps how many arrivals are stepped before the core's Ready
// is carried out: one Ready then answers a burst (one fan-out of
// heartbeats, one batch of deliveries), and the cap bounds the delay.
const maxDeferred = 64

func newDriver(cfg Config, self history.ProcessID, o *options, log *logrus.Entry) *driver {
	d := &driver{
		cfg:   cfg,
		self:  self,
		log:   log,
		state: o.state,
		pids:  make(pidCache),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		ob:    outbox.New(cfg.outbox()),

		deliveries: slab.Slab[Delivery]{Size: deliverySlabSize},
	}
	d.dec.Allow = isTrafficType
	if history.Enabled(o.rec) {
		d.rec = o.rec
	}
	return d
}

// bind is called once protoactor hands the mailbox its invoker (the actor
// context): the actor exists now, so the core can be built with the
// actor's state-transfer hook.
func (d *driver) bind(box actor.Mailbox, inv actor.MessageInvoker) {
	d.box, d.inner = box, inv
	ctx, ok := inv.(actor.Context)
	if !ok {
		d.log.Error("membership: the mailbox's invoker is not an actor context; the member cannot run")
		d.finish()
		return
	}
	d.ctx, d.selfPID, d.system = ctx, ctx.Self(), ctx.ActorSystem()
	d.sendNow = func(to *actor.PID, msg any) { ctx.Send(to, msg) }
	var st StateTransfer
	if d.state != nil {
		st = d.state
	} else if _, ok := ctx.Actor().(StateTransfer); ok {
		st = actorState{ctx}
	}
	core, err := flush.New(d.cfg.coreConfig(d.self, st))
	if err != nil { // Start validated the same config
		d.log.WithError(err).Error("membership: building the core")
		d.finish()
		return
	}
	d.core = core
}

// actorState forwards the core's state-transfer calls to the actor the
// context currently holds (a restarted actor is a new instance).
type actorState struct{ ctx actor.Context }

func (a actorState) Snapshot() []byte {
	if st, ok := a.ctx.Actor().(StateTransfer); ok {
		return st.Snapshot()
	}
	return nil
}

func (a actorState) Restore(s []byte) error {
	if st, ok := a.ctx.Actor().(StateTransfer); ok {
		return st.Restore(s)
	}
	return nil
}

// handle feeds one mailbox message to the core if it is the view manager's
// and reports whether it was; anything else belongs to the application.
func (d *driver) handle(msg any) bool {
	if l, ok := outbox.LocalOf(msg); ok {
		d.stats.rejected.Add(uint64(l.Each(d.handle)))
		return true
	}
	switch m := msg.(type) {
	case *tickMsg:
		d.tickQueued.Store(false)
		d.tick()
	case *multicastReq:
		d.pending = append(d.pending, m.payload)
	case *leaveReq:
		d.core.Leave()
	case *hintMsg:
		d.hint(m.address)
	case *actor.MessageEnvelope:
		if b, ok := outbox.BatchOf(m.Message); ok {
			d.stepBatch(m.Sender, b)
			return true
		}
		pm, ok := m.Message.(proto.Message)
		if !ok || !isTraffic(pm) {
			return false
		}
		if m.Sender == nil {
			d.stats.unknownSender.Add(1)
			return true
		}
		d.step(actors.ProcessIDOf(m.Sender), pm)
	default:
		if isTraffic(msg) { // the core's traffic must name its sender
			d.stats.unknownSender.Add(1)
			if d.debug() {
				d.log.WithField("type", typeName(msg)).Debug(ErrUnknownSender.Error())
			}
			return true
		}
		return false
	}
	return true
}

func (d *driver) step(from history.ProcessID, msg proto.Message) {
	if err := d.core.Step(from, msg); err != nil {
		d.stats.rejected.Add(1)
		if d.debug() {
			d.log.WithError(err).WithField("from", from).Debug("membership: arrival rejected")
		}
	}
}

// stepBatch steps every message of a batch from another process, in order.
func (d *driver) stepBatch(sender *actor.PID, b *wire.Batch) {
	if sender == nil {
		d.stats.unknownSender.Add(1)
		return
	}
	from := actors.ProcessIDOf(sender)
	if err := d.dec.Decode(b, func(pm proto.Message) { d.step(from, pm) }); err != nil {
		d.stats.rejected.Add(1)
		if d.debug() {
			d.log.WithError(err).WithField("from", from).Debug("membership: batch partly rejected")
		}
	}
}

// hint: protoactor lost the connection to a node. With ConnectionHints,
// the core suspects the members of the current view on that node at once
// (flush.Member.Suspect); heartbeats remain the detector for everything a
// connection cannot see.
func (d *driver) hint(address string) {
	v := d.view.Load()
	if v == nil {
		return
	}
	for _, p := range v.Members {
		if pid, err := d.pids.pid(p); err == nil && pid.Address == address && p != d.self {
			d.stats.hints.Add(1)
			d.log.WithField("peer", p).Debug("membership: connection to a member lost")
			if d.cfg.ConnectionHints {
				d.core.Suspect(p)
			}
		}
	}
}

// maxCatchUp is how many ticks one tick message may give the core. The
// ticker coalesces tick messages and the Go runtime may run it late, so the
// core's clock would fall behind the wall clock on a busy machine, and
// detection would slow down with it. Each tick message therefore catches
// up, but by at most this many ticks: after a long pause (GC, SIGSTOP) the
// clock does not jump, which would suspect every member whose heartbeats
// are still queued behind the tick, but runs at most this much faster than
// real time until it has caught up.
const maxCatchUp = 3

// tick gives the core the ticks that are due, at least one.
func (d *driver) tick() {
	due := d.tickDue.Load()
	n := 1
	if lag := due - d.ticked; lag > 1 {
		n = int(min(lag, maxCatchUp))
	}
	for range n {
		d.core.Tick()
	}
	d.ticked += int64(n)
}

// retry hands waiting multicasts to the core while it takes them.
func (d *driver) retry() {
	for d.head < len(d.pending) {
		if d.core.Status() == flush.Joining {
			return // not in a view yet: they go out in the first one
		}
		_, err := d.core.Multicast(d.pending[d.head])
		if err != nil && (errors.Is(err, layer.ErrWindowFull) || errors.Is(err, flush.ErrQueueFull)) {
			return
		}
		if err != nil && errors.Is(err, flush.ErrNotMember) {
			d.dropPending()
			return
		}
		d.pending[d.head] = nil
		d.head++
		d.backlog.Add(-1)
		if err != nil {
			d.stats.rejected.Add(1)
			d.log.WithError(err).Debug("membership: multicast refused by the core")
		} else {
			d.stats.multicasts.Add(1)
		}
	}
	d.pending, d.head = d.pending[:0], 0
}

func (d *driver) dropPending() {
	n := len(d.pending) - d.head
	d.stats.dropped.Add(uint64(n))
	d.backlog.Add(-int64(n))
	clear(d.pending)
	d.pending, d.head = d.pending[:0], 0
}

// pump carries out the core's Ready until it has nothing left: its events
// are recorded first (a process killed right after sending a multicast has
// its Multicast event on record), then messages go out, then each event that
// is the application's is handed to the actor; only then is Advance called, so a snapshot the core
// takes there reflects every delivery handed over before it.
func (d *driver) pump() {
	for {
		if d.rd == nil {
			if d.core == nil || !d.core.HasReady() {
				return
			}
			rd := d.core.Ready()
			d.record(rd.Events)
			d.send(rd.Messages)
			d.rd, d.evAt = &rd, 0
		}
		for d.evAt < len(d.rd.Events) {
			ev := &d.rd.Events[d.evAt] // by pointer: an Event is 200 bytes
			d.evAt++                   // before handing over: a panicking Receive does not get it again
			d.event(ev)
		}
		rd := *d.rd
		d.rd = nil
		d.core.Advance(rd)
		d.lastMsg, d.lastEnv = nil, nil
		if len(d.loop) > 0 {
			loop := d.loop
			d.loop = nil
			for _, m := range loop {
				d.step(d.self, m)
			}
		}
		d.retry()
	}
}

func (d *driver) send(msgs []step.Outbound) {
	for _, ob := range msgs {
		if ob.To == d.self {
			d.loop = append(d.loop, ob.Msg)
			continue
		}
		pid, err := d.pids.pid(ob.To)
		if err != nil {
			d.stats.noRoute.Add(1)
			if d.debug() {
				d.log.WithError(err).Debug("membership: dropping message")
			}
			continue
		}
		if ob.Msg != d.lastMsg {
			d.lastMsg, d.lastEnv = ob.Msg, nil
		}
		local := pid.Address == d.selfPID.Address
		if !local && !isUrgentType(ob.Msg) {
			d.ob.Add(pid, d.selfPID, false, ob.Msg, d.sendNow)
			continue
		}
		if d.lastEnv == nil {
			d.lastEnv = &actor.MessageEnvelope{Message: ob.Msg, Sender: d.selfPID}
		}
		if isUrgentType(ob.Msg) {
			// Heartbeats and flush steps go at once and alone: the
			// receiver puts them on its urgent lane (mailbox.go).
			d.ctx.Send(pid, d.lastEnv)
			continue
		}
		d.ob.Add(pid, nil, true, d.lastEnv, d.sendNow)
	}
}

// flush sends what the invocation gathered.
func (d *driver) flush() {
	if d.ob.Pending() && d.ctx != nil {
		d.ob.Flush(d.sendNow)
	}
}

// record writes the events of one Ready to the recorder, if any.
func (d *driver) record(evs []history.Event) {
	if d.rec == nil {
		return
	}
	now := time.Now().UnixNano()
	for _, ev := range evs {
		if ev.Process == "" {
			ev.Process = d.self
		}
		ev.Time = now
		d.rec.Record(ev)
	}
}

// event hands one core event to the actor if it is the application's.
func (d *driver) event(ev *history.Event) {
	switch ev.Kind {
	case history.Deliver:
		if ev.Payload == nil {
			return
		}
		d.stats.delivered.Add(1)
		dl := d.newDelivery()
		*dl = Delivery{Sender: ev.Msg.Sender, View: ev.Msg.View, Seq: ev.Msg.Seq,
			Class: ev.Class, GlobalSeq: ev.GlobalSeq, Payload: ev.Payload}
		d.inner.InvokeUserMessage(dl)
	case history.ViewInstall:
		vc := &ViewChange{ID: ev.View, Prev: ev.Prev, Members: append([]history.ProcessID(nil), ev.Members...), Primary: ev.Primary}
		d.view.Store(vc)
		d.stats.views.Add(1)
		d.log.WithField("view", vc.ID).WithField("members", len(vc.Members)).Debug("membership: view installed")
		d.inner.InvokeUserMessage(vc)
	case history.Suspect:
		d.log.WithField("peer", ev.Peer).WithField("view", ev.View).Info("membership: suspecting a member")
	case flush.KindBlocked:
		d.inner.InvokeUserMessage(&Blocked{View: ev.View, Reason: ev.Value})
	case history.Crash:
		if ev.Process != "" && ev.Process != d.self { // empty: the core's own
			return
		}
		d.log.WithField("why", ev.Value).Info("membership: member is out of the group")
		d.finish()
		d.inner.InvokeUserMessage(&Stopped{Left: d.core.Status() == flush.Left, Reason: ev.Value})
	}
}

// deliverySlabSize is how many Deliveries one allocation holds.
const deliverySlabSize = 64

// newDelivery cuts a Delivery from the driver's slab: one allocation per
// deliverySlabSize deliveries. Deliveries are never reused, so the actor
// may keep one; a slab lives while any of its Deliveries does.
func (d *driver) newDelivery() *Delivery {
	return d.deliveries.New()
}

// finish marks the member out of the group: Done closes and later
// multicasts fail. The actor itself keeps running until its owner stops it.
func (d *driver) finish() {
	d.doneOnce.Do(func() {
		d.out.Store(true)
		close(d.done)
	})
}

// systemStopped reports whether the actor system was shut down. protoactor
// does not stop actors on Shutdown; the ticker then ends the member itself,
// or it would keep the driver, and through it the system, alive for good.
func (d *driver) systemStopped() bool { return d.system != nil && d.system.IsStopped() }

// shutdown runs when the actor stops: ticker and subscription end.
func (d *driver) shutdown() {
	d.stopOnce.Do(func() {
		close(d.stop)
		if u := d.unsubscribe.Swap(nil); u != nil {
			(*u)()
		}
	})
	d.finish()
}

func (d *driver) debug() bool { return d.log.Logger.IsLevelEnabled(logrus.DebugLevel) }

func typeName(msg any) string {
	if pm, ok := msg.(proto.Message); ok {
		return string(pm.ProtoReflect().Descriptor().FullName())
	}
	return "?"
}
