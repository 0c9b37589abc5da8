package membership

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/internal/spawngate"
	"github.com/lockstep-actors/lockstep/membership/flush"
)

// mailbox decorates the member actor's protoactor mailbox with its view
// manager. Posting, the system lane and the run loop stay the inner
// mailbox's; what changes is the invoker the run loop calls, which feeds
// the view manager's messages to the core and hands the core's deliveries
// and view events to the actor in order.
//
// Messages posted before RegisterHandlers (a founding member's heartbeat
// to one still being spawned) wait at the gate (package spawngate).
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
	if isUrgent(msg) {
		m.inner.PostSystemMessage(&urgent{msg})
		return
	}
	m.inner.PostUserMessage(msg)
}

// urgent carries the core's failure-detection and flush traffic on the
// mailbox's system lane, which the run loop drains before the user lane: a
// heartbeat or a flush step does not wait behind a backlog of data, so a
// busy member is not suspected for its backlog alone and a view change is
// not slowed by the traffic it interrupts. Data, retransmissions and the
// ordering layer's own messages stay on the user lane, in order. The core
// needs no order between the two lanes (remote delivery gives none either).
type urgent struct{ msg any }

func isUrgent(msg any) bool {
	env, ok := msg.(*actor.MessageEnvelope)
	return ok && isUrgentType(env.Message)
}

// isUrgentType reports whether msg is failure-detection or flush traffic.
func isUrgentType(msg any) bool {
	switch msg.(type) {
	case *flush.Heartbeat, *flush.Flush, *flush.FlushOk, *flush.Accept, *flush.AcceptOk,
		*flush.Commit, *flush.Join, *flush.Leave, *flush.Welcome, *flush.Removed, *flush.Nak:
		return true
	}
	return false
}

func (m *mailbox) PostSystemMessage(msg any) {
	if !m.gate.Hold(msg, true) {
		m.inner.PostSystemMessage(msg)
	}
}

func (m *mailbox) UserMessageCount() int { return m.inner.UserMessageCount() }

func (m *mailbox) RegisterHandlers(inv actor.MessageInvoker, disp actor.Dispatcher) {
	m.d.bind(m.inner, inv)
	m.inner.RegisterHandlers(invoker{m.d}, disp)
	m.gate.Open(m.postHeld, m.inner.PostSystemMessage)
}

// postHeld posts a message the gate held, on its lane.
func (m *mailbox) postHeld(msg any) {
	if isUrgent(msg) {
		m.inner.PostSystemMessage(&urgent{msg})
		return
	}
	m.inner.PostUserMessage(msg)
}

func (m *mailbox) Start() {
	m.inner.Start()
	go m.d.ticker()
}

// ticker posts a tick every TickInterval: the core's only clock. At most one
// tick waits in the mailbox; it carries the wall clock's count of elapsed
// periods, and the driver catches up gradually (see maxCatchUp).
func (d *driver) ticker() {
	t := time.NewTicker(d.cfg.TickInterval)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-t.C:
			if d.systemStopped() {
				d.shutdown()
				return
			}
			d.tickDue.Store(int64(time.Since(start) / d.cfg.TickInterval))
			if d.tickQueued.CompareAndSwap(false, true) {
				d.box.PostSystemMessage(theTick) // urgent: time must not wait behind data
			}
		case <-d.stop:
			return
		}
	}
}

// invoker is what the inner mailbox's run loop calls.
type invoker struct{ d *driver }

func (w invoker) InvokeSystemMessage(msg any) {
	d := w.d
	switch m := msg.(type) {
	case *tickMsg:
		d.invokeUrgent(m)
		return
	case *urgent:
		d.invokeUrgent(m.msg)
		return
	}
	if _, ok := msg.(*actor.Stop); ok {
		d.halted = true
		d.shutdown()
	}
	d.inner.InvokeSystemMessage(msg)
	if _, ok := msg.(*actor.Started); ok && d.core != nil {
		// The actor has seen Started: now its first view (founders) or
		// its Join requests (joiners) go out.
		d.pump()
		d.flush()
	}
}

// invokeUrgent steps the core with a message of the system lane.
func (d *driver) invokeUrgent(msg any) {
	if d.core == nil || d.halted {
		return
	}
	if d.rd != nil {
		d.pump()
	}
	d.handle(msg)
	d.retry()
	d.pump()
	d.flush()
}

func (w invoker) EscalateFailure(reason, msg any) { w.d.inner.EscalateFailure(reason, msg) }

func (w invoker) InvokeUserMessage(msg any) {
	d := w.d
	if d.core == nil || d.halted {
		// Not running, or the actor is stopping: the core takes nothing
		// more and sends nothing more (a stopped member is a crashed one).
		d.inner.InvokeUserMessage(msg)
		return
	}
	if d.rd != nil {
		d.pump() // what a panicking Receive left of the last Ready
	}
	if d.handle(msg) {
		if deferrable(msg) && d.deferred < maxDeferred && d.box.UserMessageCount() > 0 {
			d.deferred++ // step the rest of the burst before taking Ready
			return
		}
	} else {
		d.inner.InvokeUserMessage(msg)
	}
	d.deferred = 0
	defer d.flush() // also when the actor's Receive panics: the core sent it
	d.retry()
	d.pump()
}

// deferrable reports whether msg may wait, with the rest of a burst, for
// one Ready: traffic from a peer, and multicast requests (a burst of them
// then goes out in one Ready, batched per destination, rather than one
// transport message per request).
func deferrable(msg any) bool {
	if _, ok := outbox.LocalOf(msg); ok {
		return true
	}
	switch m := msg.(type) {
	case *actor.MessageEnvelope:
		return m.Sender != nil
	case *multicastReq:
		return true
	}
	return false
}
