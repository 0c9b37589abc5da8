package ordering

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/internal/spawngate"
)

// mailbox decorates an inner protoactor mailbox with a member's ordering
// cores. Posting, the system lane and the run loop stay the inner
// mailbox's; what changes is the invoker it calls (HoldInInvoker) or, in
// HoldAtPost mode, what reaches its queue.
//
// Messages posted before RegisterHandlers (a peer's data reaching a member
// still being spawned) wait at the gate (package spawngate): protoactor
// registers the PID first, and the inner mailbox would otherwise schedule
// a nil dispatcher.
type mailbox struct {
	inner actor.Mailbox
	d     *driver
	gate  spawngate.Gate
}

var (
	_ actor.Mailbox        = (*mailbox)(nil)
	_ actor.MessageInvoker = invoker{}
)

func (m *mailbox) PostUserMessage(msg any) {
	if m.gate.Hold(msg, false) {
		return
	}
	m.post(msg)
}

func (m *mailbox) post(msg any) {
	if m.d.cfg.Mode == HoldAtPost {
		m.d.postLocked(m.inner, msg)
		return
	}
	m.inner.PostUserMessage(msg)
}

func (m *mailbox) PostSystemMessage(msg any) {
	if !m.gate.Hold(msg, true) {
		m.inner.PostSystemMessage(msg)
	}
}

func (m *mailbox) RegisterHandlers(inv actor.MessageInvoker, disp actor.Dispatcher) {
	m.d.bind(m.inner, inv)
	m.inner.RegisterHandlers(invoker{m.d}, disp)
	m.gate.Open(m.post, m.inner.PostSystemMessage)
}

func (m *mailbox) Start() {
	m.inner.Start()
	m.d.startTicker()
}

func (m *mailbox) UserMessageCount() int { return m.inner.UserMessageCount() }

// bind records the actor's context once protoactor hands it over.
func (d *driver) bind(box actor.Mailbox, inv actor.MessageInvoker) {
	if d.cfg.Mode == HoldAtPost {
		d.mu.Lock()
		defer d.mu.Unlock()
	}
	d.box, d.inner = box, inv
	if ctx, ok := inv.(actor.Context); ok {
		d.ctx = ctx
		d.sendNow = func(to *actor.PID, msg any) { ctx.Send(to, msg) }
		d.system = ctx.ActorSystem()
		d.root = d.system.Root
		if self := ctx.Self(); self != nil {
			if d.self == nil || self.Address != d.self.Address || self.Id != d.self.Id {
				d.log.WithField("spawned", self.String()).WithField("configured", d.self.String()).
					Error("ordering: member spawned under a PID other than Config.PIDs[Self]; peers will not recognise it")
			}
			register(self, d)
			d.registered = self
		}
	}
	d.bound.Store(true)
}

func (d *driver) startTicker() {
	if d.cfg.TickInterval <= 0 {
		return
	}
	go func() {
		t := time.NewTicker(d.cfg.TickInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if d.systemStopped() {
					d.shutdown()
					return
				}
				d.postTick()
			case <-d.stop:
				return
			}
		}
	}()
}

// systemStopped reports whether the actor system was shut down. protoactor
// does not stop actors on Shutdown, so a member whose owner shut the system
// down without stopping it ends its ticker and leaves the registry here,
// rather than keeping the driver and the system alive for good.
func (d *driver) systemStopped() bool { return d.system != nil && d.system.IsStopped() }

// postTick hands one tick to the cores. At most one tick waits in the
// mailbox: a member too busy to take ticks does not pile them up.
func (d *driver) postTick() {
	if d.cfg.Mode == HoldAtPost {
		d.postLocked(d.box, theTick)
		return
	}
	if d.tickQueued.CompareAndSwap(false, true) {
		d.box.PostUserMessage(theTick)
	}
}

// invoker is what the inner mailbox calls: the hold-back.
type invoker struct{ d *driver }

func (w invoker) InvokeSystemMessage(msg any) {
	if _, ok := msg.(*actor.Stop); ok {
		w.d.shutdown()
	}
	w.d.inner.InvokeSystemMessage(msg)
}

func (w invoker) EscalateFailure(reason, msg any) { w.d.inner.EscalateFailure(reason, msg) }

func (w invoker) InvokeUserMessage(msg any) {
	d := w.d
	if d.cfg.Mode == HoldAtPost {
		d.invokePosted(msg)
		return
	}
	d.busy, d.delivering = true, false
	defer d.endInvocation()
	d.deliverAll() // what a panicking Receive left undelivered
	if d.handle(msg) {
		if deferrable(msg) && d.deferred < maxDeferred && d.box.UserMessageCount() > 0 {
			// More is queued: step it too before taking Ready, so one Ready
			// (one sequencer Order, one Status) answers the whole burst.
			d.deferred++
			return
		}
	} else {
		d.inner.InvokeUserMessage(msg)
	}
	d.deferred = 0
	if d.anyReady() {
		d.pump()
	}
	d.deliverAll()
}

// endInvocation sends what the invocation gathered (also when the
// actor's Receive panicked: those messages were already accepted by the
// cores) and marks the driver idle.
func (d *driver) endInvocation() {
	d.busy, d.delivering = false, false
	if d.ob.Pending() && d.deferred == 0 {
		d.ob.Flush(d.sendNow)
	}
}

// deferrable reports whether msg may wait, with the rest of a burst, for
// one Ready: traffic from a peer, and requests from outside the actor (a
// burst of them then goes out in one Ready, batched per destination).
func deferrable(msg any) bool {
	switch msg.(type) {
	case *actor.MessageEnvelope, *localData, *outbox.Local, *request:
		return true
	}
	return false
}

// maxDeferred caps how many arrivals are stepped before Ready is taken,
// which bounds the delay batching adds to a delivery.
const maxDeferred = 256

// deliverAll hands every queued delivery to the actor, unwrapped, with its
// metadata current. What the actor multicasts meanwhile is pumped once the
// queue is empty, and its own deliveries then join the queue. Pumping once
// per queue rather than once per delivery loses nothing (the sends wait
// for the end of the invocation anyway, in the outbox) and lets the
// sequencer order everything its actor multicast in one Order.
func (d *driver) deliverAll() {
	n := uint64(0)
	for {
		if d.outHead >= len(d.out) {
			d.resetOut()
			if !d.anyReady() {
				break
			}
			d.pump()
			continue
		}
		// Handed over in place: only this goroutine touches d.out in this
		// mode, and a pump during the invocation only appends to it.
		dl := &d.out[d.outHead]
		d.outHead++
		d.cur, d.delivering = dl, true
		n++
		d.inner.InvokeUserMessage(dl.payload)
		d.delivering = false
	}
	d.cur = nil
	if n > 0 {
		d.stats.delivered.Add(n)
	}
}
