package ordering

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"
)

// MulticastOption adjusts one multicast.
type MulticastOption func(*multicastOptions)

type multicastOptions struct {
	class    Class
	hasClass bool
}

// WithClass sends the message in class k instead of the group's default.
// k must be Config.Class or listed in Config.Classes. Messages of different
// classes are ordered independently (see doc.go, "Mixing classes").
func WithClass(k Class) MulticastOption {
	return func(o *multicastOptions) { o.class, o.hasClass = k, true }
}

func (d *driver) slotFor(opts []MulticastOption) (int, error) {
	if len(opts) == 0 {
		return 0, nil
	}
	var o multicastOptions
	for _, opt := range opts {
		opt(&o)
	}
	if !o.hasClass {
		return 0, nil
	}
	return d.slotOf(o.class)
}

// Multicast sends payload to every member of group, from inside the member
// actor whose context ctx is. Call it only from that actor's Receive (it
// runs on the actor's goroutine and takes no lock in the default mode).
// Members in this process receive payload itself, not a copy: neither the
// caller nor any receiver may modify it afterwards.
//
// It never blocks. When flow control holds the member's window shut, the
// payload waits in a local queue (bounded by Config.PendingLimit) and goes
// out, in order, as acknowledgements free the window; nil is returned. When
// that queue is full too, it returns an error wrapping ErrBackpressure and
// queues nothing. The member's own delivery of payload, like everyone
// else's, comes through its mailbox after Receive returns.
func Multicast(ctx actor.Context, group string, payload proto.Message, opts ...MulticastOption) error {
	d := lookupDriver(ctx.Self())
	if d == nil {
		return fmt.Errorf("%w: %v", ErrNotMember, ctx.Self())
	}
	if group != d.cfg.Group {
		return fmt.Errorf("%w: %q (member of %q)", ErrUnknownGroup, group, d.cfg.Group)
	}
	i, err := d.slotFor(opts)
	if err != nil {
		return err
	}
	if d.cfg.Mode == HoldAtPost {
		d.mu.Lock()
		before := len(d.out) - d.outHead
		err = d.multicast(i, payload, false)
		d.pump()
		d.unlockAndFlush(d.box, len(d.out)-d.outHead-before)
		return err
	}
	err = d.multicast(i, payload, false)
	if !d.busy && !d.kickQueued && d.anyReady() {
		// Called outside a user message (e.g. from Started): let the next
		// invocation carry the Ready out rather than re-enter Receive.
		d.kickQueued = true
		d.box.PostUserMessage(theKick)
	}
	return err
}

// Group is a handle for multicasting into a group from outside its actors
// (the root context, other goroutines), through a member actor of this
// process. It is safe for concurrent use.
type Group struct {
	d   *driver
	pid *actor.PID
}

// Handle returns the handle of the group that the local member actor pid
// belongs to. pid must be an actor spawned in this process with an
// ordering mailbox.
func Handle(pid *actor.PID) (*Group, error) {
	d := lookupDriver(pid)
	if d == nil {
		return nil, fmt.Errorf("%w: %v", ErrNotMember, pid)
	}
	return &Group{d: d, pid: pid}, nil
}

// Name is the group's name.
func (g *Group) Name() string { return g.d.cfg.Group }

// Multicast asks the member to multicast payload to the group. It never
// blocks: nil means the payload is accepted and will be multicast after
// every payload accepted before it through the same member (in its class);
// an error wrapping ErrBackpressure means the member already holds
// Config.PendingLimit accepted-but-unsent multicasts, and nothing was
// accepted. ErrClassNotEnabled reports a class the group does not carry.
// As with Multicast, payload is shared with the members in this process
// and must not be modified afterwards.
func (g *Group) Multicast(payload proto.Message, opts ...MulticastOption) error {
	i, err := g.d.slotFor(opts)
	if err != nil {
		return err
	}
	if g.d.backlog.Add(1) > int64(g.d.cfg.PendingLimit) {
		g.d.backlog.Add(-1)
		g.d.stats.backpressured.Add(1)
		return fmt.Errorf("%w: %d multicasts wait at %s", ErrBackpressure, g.d.cfg.PendingLimit, g.d.cfg.Self)
	}
	req := &request{slot: i, payload: payload}
	if g.d.cfg.Mode == HoldAtPost {
		g.d.postLocked(g.d.box, req)
	} else {
		g.d.box.PostUserMessage(req)
	}
	return nil
}

// Tick hands the member one tick now, in addition to its timer's.
func (g *Group) Tick() { g.d.postTick() }

// Stats returns the member's counters.
func (g *Group) Stats() Stats { return g.d.stats.snapshot(g.d) }
