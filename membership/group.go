package membership

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership/flush"
	"google.golang.org/protobuf/proto"
)

// Group is the handle of one member: the actor Start spawned. Its methods
// post into the actor's mailbox and never block; they are safe for
// concurrent use, from inside the actor as from anywhere else.
type Group struct {
	d   *driver
	pid *actor.PID
}

// Start spawns on node the member actor of cfg.Group, called cfg.Name (or
// the group's name), built by producer. Its mailbox is the view manager:
// besides the actor's own messages, the actor receives *ViewChange,
// *Delivery, *Blocked and *Stopped, in the group's order (see the package
// documentation). A founding member (cfg.Members) installs view 1 at once;
// a joiner (cfg.Seeds) asks the seeds until a coordinator admits it.
//
// If the actor implements StateTransfer, a joiner's actor is restored from a
// snapshot of the group's state before its first ViewChange.
func Start(node *actors.Node, cfg Config, producer actor.Producer, opts ...Option) (*Group, error) {
	if node == nil || producer == nil {
		return nil, fmt.Errorf("%w: nil node or producer", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	name := cfg.actorName()
	self := node.ProcessID(name)
	if len(cfg.Members) > 0 {
		if err := cfg.coreConfig(self, nil).Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err) // e.g. Members without this process
		}
	}
	log := o.log
	if log == nil {
		log = node.Logger()
	}
	log = log.WithField("group", cfg.Group).WithField("member", self)
	d := newDriver(cfg, self, &o, log)
	props := append([]actor.PropsOption(nil), o.props...)
	if o.faults != nil {
		props = append(props, o.faults.PropsOptions()...)
	}
	props = append(props, actor.WithMailbox(func() actor.Mailbox {
		return &mailbox{inner: actor.Unbounded()(), d: d}
	}))
	pid, err := node.Spawn(name, producer, props...)
	if err != nil {
		return nil, err
	}
	if node.Address() != actors.LocalAddress {
		d.watchEndpoints(node)
	}
	return &Group{d: d, pid: pid}, nil
}

// ID is this member's process id, as views and histories name it.
func (g *Group) ID() history.ProcessID { return g.d.self }

// PID is the member actor's PID.
func (g *Group) PID() *actor.PID { return g.pid }

// Name is the group's name.
func (g *Group) Name() string { return g.d.cfg.Group }

// View returns the view this member last installed, or nil before its first.
// The actor itself learns of views from ViewChange events, in order; View
// is for observers outside it.
func (g *Group) View() *ViewChange { return g.d.view.Load() }

// Multicast asks the member to multicast payload to its current view. It
// never blocks: nil means the payload was accepted and will be multicast,
// after every payload accepted before it, in whatever view is current when
// the member gets to it (during a flush the core holds it for the next
// view). It fails with ErrBackpressure when Config.PendingLimit payloads
// already wait, with ErrStopped once the member is out of the group. An
// accepted payload is lost only if the member stops first (Stats.Dropped).
func (g *Group) Multicast(payload proto.Message) error {
	if payload == nil {
		return fmt.Errorf("%w: nil payload", flush.ErrMalformed)
	}
	if g.d.out.Load() {
		return fmt.Errorf("%w: %s", ErrStopped, g.d.self)
	}
	if g.d.backlog.Add(1) > int64(g.d.cfg.PendingLimit) {
		g.d.backlog.Add(-1)
		g.d.stats.backpressured.Add(1)
		return fmt.Errorf("%w: %d multicasts wait at %s", ErrBackpressure, g.d.cfg.PendingLimit, g.d.self)
	}
	g.d.box.PostUserMessage(&multicastReq{payload: payload})
	return nil
}

// MulticastFrom is Multicast for the member's own actor: ctx is the context
// its Receive was given. The payload then joins the driver's queue at once,
// with no request message through the mailbox and no allocation for one,
// and goes out when Receive returns. With any other context it is
// Multicast. Like Multicast it refuses with ErrBackpressure beyond
// Config.PendingLimit.
func (g *Group) MulticastFrom(ctx actor.Context, payload proto.Message) error {
	d := g.d
	if ctx == nil || ctx != d.ctx || d.core == nil || d.halted {
		return g.Multicast(payload)
	}
	if payload == nil {
		return fmt.Errorf("%w: nil payload", flush.ErrMalformed)
	}
	if d.out.Load() {
		return fmt.Errorf("%w: %s", ErrStopped, d.self)
	}
	if d.backlog.Add(1) > int64(d.cfg.PendingLimit) {
		d.backlog.Add(-1)
		d.stats.backpressured.Add(1)
		return fmt.Errorf("%w: %d multicasts wait at %s", ErrBackpressure, d.cfg.PendingLimit, d.self)
	}
	// On the actor's goroutine, inside its Receive: the driver retries its
	// queue once Receive returns (InvokeUserMessage, pump).
	d.pending = append(d.pending, payload)
	return nil
}

// Leave asks to leave the group. The member keeps taking part until the
// next view is decided, delivers the current view's last messages, and then
// its actor receives Stopped{Left: true} and Done closes.
func (g *Group) Leave() error {
	if g.d.out.Load() {
		return fmt.Errorf("%w: %s", ErrStopped, g.d.self)
	}
	g.d.box.PostUserMessage(&leaveReq{})
	return nil
}

// Done is closed once the member is out of the group: it left, it was
// removed, or its actor stopped.
func (g *Group) Done() <-chan struct{} { return g.d.done }

// Stats returns the member's counters.
func (g *Group) Stats() Stats { return g.d.stats.snapshot(g.d) }

// watchEndpoints posts protoactor's connection losses into the mailbox as
// hints (see driver.hint). The handler runs on the publisher's goroutine,
// so it only posts.
func (d *driver) watchEndpoints(node *actors.Node) {
	es := node.System().EventStream
	sub := es.Subscribe(func(evt any) {
		if e, ok := evt.(*remote.EndpointTerminatedEvent); ok && !d.out.Load() {
			d.box.PostSystemMessage(&urgent{&hintMsg{address: e.Address}})
		}
	})
	u := func() { es.Unsubscribe(sub) }
	d.unsubscribe.Store(&u)
	select {
	case <-d.stop: // the actor stopped meanwhile
		if u := d.unsubscribe.Swap(nil); u != nil {
			(*u)()
		}
	default:
	}
}
