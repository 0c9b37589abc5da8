package ordering

import (
	"fmt"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/proto"
)

// driver runs the pure cores of one member inside its mailbox. In
// HoldInInvoker mode every method runs on the actor's goroutine; in
// HoldAtPost mode the core state is guarded by mu.
type driver struct {
	cfg    Config
	log    *logrus.Entry
	rec    history.Recorder // nil when recording is off
	slots  []slot
	routes routes
	self   *actor.PID // cfg.PIDs[cfg.Self]
	// selfRank is cfg.Self's rank in cfg.Members.
	selfRank int
	// registered is the PID bind registered the driver under (registry.go).
	registered *actor.PID

	mu     sync.Mutex           // HoldAtPost only
	box    actor.Mailbox        // the inner mailbox
	inner  actor.MessageInvoker // the actor context's own invoker
	ctx    actor.Context        // sends go through it, so sender middleware applies
	root   *actor.RootContext   // HoldAtPost sends, from senders' goroutines
	system *actor.ActorSystem   // the member's, once bound
	bound  atomic.Bool          // RegisterHandlers has run

	// out holds deliveries not yet handed to the application, in order;
	// outHead is the next one. Kept across a panic in the actor, so the
	// rest of a batch is delivered on the next invocation.
	out     []delivery
	outHead int
	loop    []proto.Message // messages a core addressed to its own process

	cur        *delivery // the delivery being handed to the actor (MetaOf)
	held       delivery  // cur's copy when popped under d.mu (HoldAtPost)
	delivering bool
	busy       bool // inside InvokeUserMessage: a pump follows the actor's Receive
	deferred   int  // arrivals stepped since Ready was last taken
	arrivals   int  // arrivals stepped since the last tick

	sendq []pendingSend // HoldAtPost: sends to make once d.mu is released

	// ob gathers HoldInInvoker sends until the invocation ends (outbox
	// package); sendNow is d.ctx.Send as a value, made once.
	ob      *outbox.Outbox
	sendNow outbox.SendFunc
	dec     outbox.Decoder // unpacks batches from other processes

	lastMsg   proto.Message // envelope reuse: one envelope per fanned-out message
	lastEnv   *actor.MessageEnvelope
	lastLocal *localData               // the same for in-process data (local.go)
	locals    slab.Slab[localData]     // localData are cut from it
	payloads  slab.Slab[proto.Message] // the multicasts they carry
	vts       slab.Slab[[]uint64]      // and their timestamps (causal classes)
	local     []bool                   // local[rank]: the member shares this process

	backlog    atomic.Int64 // own multicasts accepted but not yet given to a core
	tickQueued atomic.Bool
	kickQueued bool
	stopOnce   sync.Once
	stop       chan struct{}
	stats      counters
}

// slot is one class's core with its local queue of multicasts waiting for window space.
type slot struct {
	class   Class
	core    Core
	port    *actor.PID
	origin  *origin     // what the slot's in-process data carries (local.go)
	compact compactCore // the core, if it hands over compact deliveries
	local   localCore   // the core, if it takes in-process data (local.go)
	name    string      // class.String(), kept for the deliveries' Meta
	pending []proto.Message
	head    int
}

func (s *slot) queued() int { return len(s.pending) - s.head }

// tick, kick and request are the driver's own mailbox messages; they never
// leave the process.
type tickMsg struct{}
type kickMsg struct{}

type request struct {
	slot    int
	payload proto.Message
}

var (
	theTick = &tickMsg{}
	theKick = &kickMsg{}
)

func newDriver(cfg Config) (*driver, error) {
	d := &driver{cfg: cfg, log: cfg.logger(), self: cfg.PIDs[cfg.Self], stop: make(chan struct{}),
		ob:     outbox.New(cfg.outbox()),
		locals: slab.Slab[localData]{Size: localSlabSize}, payloads: slab.Slab[proto.Message]{Size: fanSlabSize},
		vts: slab.Slab[[]uint64]{Size: fanSlabSize}}
	d.dec.Allow = isLockstepType
	if history.Enabled(cfg.Recorder) {
		d.rec = cfg.Recorder
	}
	classes := cfg.classes()
	for _, k := range classes {
		build := newCore
		if cfg.NewCore != nil {
			build = cfg.NewCore
		}
		c, err := build(cfg.coreConfig(k))
		if err != nil {
			return nil, fmt.Errorf("ordering: building %s core for %s: %w", k, cfg.Self, err)
		}
		port := portPID(d.self, k)
		sl := slot{class: k, name: k.String(), core: c, port: port, origin: &origin{port: port, from: cfg.Self, class: k}}
		sl.compact, _ = c.(compactCore)
		sl.local, _ = c.(localCore)
		d.slots = append(d.slots, sl)
	}
	d.routes = newRoutes(cfg, classes)
	d.selfRank = slices.Index(cfg.Members, cfg.Self)
	for _, p := range d.routes.byRank {
		d.local = append(d.local, d.self != nil && p != nil && p.Address == d.self.Address)
	}
	return d, nil
}

// slotOf returns the slot of class k.
func (d *driver) slotOf(k Class) (int, error) {
	for i := range d.slots {
		if d.slots[i].class == k {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %s in group %q", ErrClassNotEnabled, k, d.cfg.Group)
}

// handle feeds one mailbox message to the cores if it is ordering traffic
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
		return true
	case *kickMsg:
		d.kickQueued = false
		return true
	case *request:
		// Already counted in the backlog when Group.Multicast accepted it,
		// so it is queued, never refused, if the window is full.
		if err := d.multicast(m.slot, m.payload, true); err != nil {
			d.stats.rejected.Add(1)
			if d.debug() {
				d.log.WithError(err).Debug("ordering: outside multicast failed")
			}
		}
		return true
	case *localData:
		d.stepLocal(m)
		return true
	case *actor.MessageEnvelope:
		if l, ok := m.Message.(*localData); ok { // wrapped by sender middleware
			d.stepLocal(l)
			return true
		}
		if m.Sender == nil {
			return false
		}
		rt, ok := d.routes.lookup(m.Sender)
		if !ok {
			if isLockstepTraffic(m.Message) {
				d.stats.unknownSender.Add(1)
				if d.debug() {
					d.log.WithField("sender", m.Sender.String()).Debug(ErrUnknownSender.Error())
				}
				return true
			}
			return false
		}
		if b, ok := outbox.BatchOf(m.Message); ok {
			d.stepBatch(rt, b)
			return true
		}
		pm, ok := m.Message.(proto.Message)
		if !ok {
			return false
		}
		d.step(rt.slot, rt.from, pm)
		d.arrived()
		return true
	default:
		if isLockstepTraffic(msg) { // ordering traffic must carry its port
			d.stats.unknownSender.Add(1)
			return true
		}
		return false
	}
}

// stepBatch steps every message of a batch from another process, in order.
func (d *driver) stepBatch(rt route, b *wire.Batch) {
	err := d.dec.Decode(b, func(pm proto.Message) {
		d.step(rt.slot, rt.from, pm)
		d.arrived()
	})
	if err != nil {
		d.stats.rejected.Add(1)
		if d.debug() {
			d.log.WithError(err).WithField("from", rt.from).Debug("ordering: batch partly rejected")
		}
	}
}

// arrived counts an arrival and ticks every TickEvery of them.
func (d *driver) arrived() {
	if d.arrivals++; d.cfg.TickEvery > 0 && d.arrivals >= d.cfg.TickEvery {
		d.tick()
	}
}

// tick advances every core's clock by one tick.
func (d *driver) tick() {
	d.arrivals = 0
	for i := range d.slots {
		d.slots[i].core.Tick()
		d.retry(i)
	}
}

func (d *driver) step(i int, from history.ProcessID, msg proto.Message) {
	if err := d.slots[i].core.Step(from, msg); err != nil {
		d.stats.rejected.Add(1)
		if d.debug() {
			d.log.WithError(err).WithField("from", from).Debug("ordering: arrival rejected")
		}
	}
	d.retry(i)
}

// multicast hands payload to slot i's core, or queues it when the core's
// window is full (or earlier multicasts already wait, to keep their order).
// accounted says the payload already counts in the backlog (an accepted
// outside request): it is then queued without a limit check.
func (d *driver) multicast(i int, payload proto.Message, accounted bool) error {
	s := &d.slots[i]
	if s.queued() == 0 {
		_, err := s.core.Multicast(payload)
		if err == nil || !isWindowFull(err) {
			if accounted {
				d.backlog.Add(-1)
			}
			if err != nil {
				return fmt.Errorf("ordering: multicast in %s: %w", s.class, err)
			}
			d.stats.multicasts.Add(1)
			return nil
		}
		d.stats.windowWaits.Add(1)
	}
	if !accounted && d.backlog.Add(1) > int64(d.cfg.PendingLimit) {
		d.backlog.Add(-1)
		d.stats.backpressured.Add(1)
		return fmt.Errorf("%w: %d multicasts wait in group %q", ErrBackpressure, d.cfg.PendingLimit, d.cfg.Group)
	}
	s.pending = append(s.pending, payload)
	return nil
}

// retry gives queued multicasts of slot i to its core while its window has room.
func (d *driver) retry(i int) {
	s := &d.slots[i]
	for s.queued() > 0 {
		_, err := s.core.Multicast(s.pending[s.head])
		if err != nil && isWindowFull(err) {
			return
		}
		s.pending[s.head] = nil
		s.head++
		d.backlog.Add(-1)
		if err != nil {
			d.stats.rejected.Add(1)
			if d.debug() {
				d.log.WithError(err).Debug("ordering: queued multicast failed")
			}
		} else {
			d.stats.multicasts.Add(1)
		}
	}
	s.pending, s.head = s.pending[:0], 0
}

func (d *driver) anyReady() bool {
	for i := range d.slots {
		if d.slots[i].core.HasReady() {
			return true
		}
	}
	return false
}

// pump carries out every core's Ready until none has anything left: it
// sends outbound messages, feeds messages a core addressed to its own
// process straight back, and queues deliveries in out.
func (d *driver) pump() {
	for {
		progressed := false
		for i := range d.slots {
			s := &d.slots[i]
			if !s.core.HasReady() {
				continue
			}
			progressed = true
			rd := s.core.Ready()
			if s.local != nil {
				d.fanout(s, s.local.Fanouts())
			}
			d.send(s, rd.Messages)
			d.events(rd.Events)
			if s.compact != nil {
				d.compactDeliveries(s, s.compact.Deliveries())
			}
			s.core.Advance(rd)
			d.lastMsg, d.lastEnv, d.lastLocal = nil, nil, nil
			if len(d.loop) > 0 {
				for j, m := range d.loop {
					d.step(i, d.cfg.Self, m)
					d.loop[j] = nil
				}
				d.loop = d.loop[:0]
			}
		}
		if !progressed {
			return
		}
	}
}

func (d *driver) send(s *slot, msgs []step.Outbound) {
	for _, ob := range msgs {
		if ob.To == d.cfg.Self {
			d.loop = append(d.loop, ob.Msg)
			continue
		}
		rank, pid := d.routes.rankOf(ob.To)
		if pid == nil {
			d.stats.noRoute.Add(1)
			if d.debug() {
				d.log.WithField("to", ob.To).Debug(ErrNoRoute.Error())
			}
			continue
		}
		if ob.Msg != d.lastMsg { // a fan-out repeats one message: share what carries it
			d.lastMsg, d.lastEnv, d.lastLocal = ob.Msg, nil, nil
		}
		local := rank >= 0 && d.local[rank]
		if d.cfg.Mode == HoldInInvoker && d.ctx != nil && !local {
			d.ob.Add(pid, s.port, false, ob.Msg, d.sendNow)
			continue
		}
		var msg any
		if local {
			if d.lastLocal == nil {
				d.lastLocal = d.localFor(s, ob.Msg)
			}
			if d.lastLocal != nil {
				msg = d.lastLocal
			}
		}
		if msg == nil {
			if d.lastEnv == nil {
				d.lastEnv = &actor.MessageEnvelope{Message: ob.Msg, Sender: s.port}
			}
			msg = d.lastEnv
		}
		d.post(pid, msg)
	}
}

// post sends msg, a carrier of in-process data or an envelope, to pid.
func (d *driver) post(pid *actor.PID, msg any) {
	switch {
	case d.cfg.Mode == HoldAtPost || d.ctx == nil:
		// Sent after the lock is released (postlock.go): sending under
		// it could deadlock two members posting to each other.
		d.sendq = append(d.sendq, pendingSend{pid, msg})
	default:
		d.ob.Add(pid, nil, true, msg, d.sendNow)
	}
}

func (d *driver) events(evs []history.Event) {
	for i := range evs {
		ev := &evs[i]
		if d.rec != nil {
			rec := *ev
			if rec.Process == "" {
				rec.Process = d.cfg.Self
			}
			rec.Time = time.Now().UnixNano()
			d.rec.Record(rec)
		}
		if ev.Kind == history.Deliver && ev.Payload != nil {
			d.out = append(d.out, delivery{payload: ev.Payload, msg: ev.Msg, class: ev.Class, globalSeq: ev.GlobalSeq})
		}
	}
}

// compactDeliveries queues a Ready's compact deliveries (core.go).
func (d *driver) compactDeliveries(s *slot, dls []layer.Delivery) {
	class := s.name
	for i := range dls {
		dl := &dls[i]
		if dl.Payload != nil {
			d.out = append(d.out, delivery{payload: dl.Payload, msg: history.MsgID{Sender: dl.Sender, View: d.cfg.View, Seq: dl.Seq}, class: class, globalSeq: dl.GlobalSeq})
		}
	}
}

// delivery is a payload waiting to be handed to the actor: the part of a
// Deliver event the actor can see, kept small because every delivery is
// copied through it.
type delivery struct {
	payload   proto.Message
	msg       history.MsgID
	class     string
	globalSeq uint64
}

// next pops the next delivery, if any (HoldAtPost, under d.mu).
func (d *driver) next() (delivery, bool) {
	if d.outHead >= len(d.out) {
		d.resetOut()
		return delivery{}, false
	}
	dl := d.out[d.outHead]
	d.out[d.outHead] = delivery{} // drop references to delivered payloads
	d.outHead++
	return dl, true
}

// resetOut empties the delivered queue, dropping its references to
// delivered payloads in one sweep.
func (d *driver) resetOut() {
	if len(d.out) > 0 {
		clear(d.out)
		d.out, d.outHead = d.out[:0], 0
	}
}

// hold makes dl, popped by next, the current delivery.
func (d *driver) hold(dl *delivery) {
	d.held = *dl
	d.cur, d.delivering = &d.held, true
}

// meta is the metadata of the current delivery, built only when asked for.
func (d *driver) meta() Meta {
	c := d.cur
	return Meta{Group: d.cfg.Group, Sender: c.msg.Sender, View: c.msg.View, Seq: c.msg.Seq, Class: c.class, GlobalSeq: c.globalSeq}
}

// debug reports whether debug logging is on, so that a flood of rejected
// input costs a counter increment, not a log entry each.
func (d *driver) debug() bool { return d.log.Logger.IsLevelEnabled(logrus.DebugLevel) }

// shutdown stops the tick timer and forgets the member; idempotent.
func (d *driver) shutdown() {
	d.stopOnce.Do(func() {
		close(d.stop)
		// Unregister the very PID bind registered (the actor's own Self,
		// not the configured one): a stale entry would keep the driver,
		// and through its context the whole actor system, alive.
		if d.registered != nil {
			unregister(d.registered, d)
		}
	})
}
