package replica

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/examples/kvstore/kvpb"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
	"github.com/lockstep-actors/lockstep/membership"
)

// Replica is one replica of the store: the member actor of a group. Its
// methods are safe for concurrent use; the state itself is touched only on
// the actor's goroutine.
type Replica struct {
	cfg   Config
	self  history.ProcessID
	root  *actor.RootContext
	group *membership.Group
	pid   *actor.PID

	// Actor state (the actor's goroutine only).
	st      *store.Store
	prog    *progress
	nextReq uint64
	pending map[uint64]*call // multicast, not yet delivered here
	waiting []*call          // delivered here, waiting to be durable, in delivery order
	lastAck uint64
	ackTick int
	stop    chan struct{}
	stopped sync.Once

	// Published for observers.
	applied atomic.Uint64
	viewID  atomic.Uint64
	out     atomic.Bool
}

// call is one client operation in flight at its origin.
type call struct {
	op     store.Op
	reply  chan Reply
	pos    uint64 // its position among the view's deliveries, once delivered
	result store.Result
}

// Reply is the answer to a client call.
type Reply struct {
	Result store.Result
	Err    error
}

// The actor's own messages; they never leave the process.
type (
	request   struct{ c *call }
	ackTickM  struct{}
	statusReq struct{ reply chan Status }
)

// Status is a replica's state as observers see it.
type Status struct {
	ID       history.ProcessID
	View     uint64
	Members  []history.ProcessID
	Applied  uint64
	Keys     int
	Checksum uint64
	Out      bool // removed from or left the group
}

// Start spawns a replica on node as the member mcfg describes (founding
// or joining the group) and returns it. Extra membership options (recorder,
// faults) pass through.
func Start(node *actors.Node, cfg Config, mcfg membership.Config, opts ...membership.Option) (*Replica, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mcfg.Core.Class = cfg.Class
	name := mcfg.Name
	if name == "" {
		name = mcfg.Group
	}
	// self is set before the actor starts: a founder installs its first
	// view, and may deliver, before membership.Start returns.
	r := &Replica{cfg: cfg, root: node.Root(), self: node.ProcessID(name), st: store.New(),
		pending: make(map[uint64]*call), stop: make(chan struct{})}
	g, err := membership.Start(node, mcfg, func() actor.Actor { return r }, opts...)
	if err != nil {
		return nil, err
	}
	if g.ID() != r.self {
		return nil, fmt.Errorf("%w: member id %s, expected %s", ErrConfig, g.ID(), r.self)
	}
	// Requests reach the actor only through Do, after Start returns.
	r.group, r.pid = g, g.PID()
	return r, nil
}

// ID is the replica's process id.
func (r *Replica) ID() history.ProcessID { return r.group.ID() }

// Group is the replica's membership handle.
func (r *Replica) Group() *membership.Group { return r.group }

// PID is the replica actor's PID.
func (r *Replica) PID() *actor.PID { return r.pid }

// Applied is the number of commands this replica has applied.
func (r *Replica) Applied() uint64 { return r.applied.Load() }

// Out reports whether the replica is out of the group: removed, left, or
// its actor stopped (crashed).
func (r *Replica) Out() bool {
	select {
	case <-r.group.Done():
		return true
	default:
		return r.out.Load()
	}
}

// Do runs op through the group and returns its result once it is durable.
// ErrRefused means it was not executed; ErrUnknown (including ctx's end)
// that it may or may not have been.
func (r *Replica) Do(ctx context.Context, op store.Op) (store.Result, error) {
	if err := op.Validate(); err != nil {
		return store.Result{}, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	c := &call{op: op, reply: make(chan Reply, 1)}
	r.root.Send(r.pid, &request{c: c})
	select {
	case rep := <-c.reply:
		return rep.Result, rep.Err
	case <-ctx.Done():
		return store.Result{}, fmt.Errorf("%w: %w", ErrUnknown, ctx.Err())
	}
}

// Status asks the replica for its state; it fails if the actor does not
// answer within timeout (it crashed or stopped).
func (r *Replica) Status(timeout time.Duration) (Status, error) {
	ch := make(chan Status, 1)
	r.root.Send(r.pid, &statusReq{reply: ch})
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(timeout):
		return Status{}, fmt.Errorf("replica %s: no status within %v", r.self, timeout)
	}
}

// Snapshot and Restore are the state-transfer hook (membership.StateTransfer).
func (r *Replica) Snapshot() []byte { return r.st.Snapshot() }

// Restore installs a snapshot at a joining replica.
func (r *Replica) Restore(b []byte) error {
	if err := r.st.Restore(b); err != nil {
		return err
	}
	r.applied.Store(r.st.Applied())
	return nil
}

// Receive is the actor.
func (r *Replica) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		go r.ticker(ctx.ActorSystem().Root, ctx.Self())
	case *actor.Stopping:
		r.stopped.Do(func() { close(r.stop) })
		r.failAll(fmt.Errorf("%w: replica stopped", ErrUnknown))
	case *membership.ViewChange:
		r.installView(m)
	case *membership.Delivery:
		r.deliver(m)
	case *kvpb.Applied:
		if r.prog != nil && m.GetView() == r.prog.view {
			r.prog.hear(history.ProcessID(m.GetFrom()), notice{m.GetCount(), m.GetChain()})
			r.answerDurable()
		}
	case *request:
		r.submit(ctx, m.c)
	case *ackTickM:
		r.sendAcks(ctx)
	case *statusReq:
		s := Status{ID: r.self, Applied: r.st.Applied(), Keys: r.st.Len(), Checksum: r.st.Checksum(), Out: r.out.Load()}
		if r.prog != nil {
			s.View, s.Members = r.prog.view, r.prog.members
		}
		m.reply <- s
	case *membership.Stopped:
		r.out.Store(true)
		r.failAll(fmt.Errorf("%w: replica out of the group (%s)", ErrUnknown, m.Reason))
	}
}

func (r *Replica) ticker(root *actor.RootContext, self *actor.PID) {
	t := time.NewTicker(r.cfg.AckEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			root.Send(self, &ackTickM{})
		case <-r.stop:
			return
		}
	}
}

func (r *Replica) submit(ctx actor.Context, c *call) {
	if r.cfg.LocalReads && c.op.Kind == store.Get {
		v, found := r.st.Get(c.op.Key)
		c.reply <- Reply{Result: store.Result{Value: v, Found: found, OK: true}}
		return
	}
	r.nextReq++
	cmd := &kvpb.Command{Origin: string(r.self), Request: r.nextReq, Op: c.op.Marshal()}
	if err := r.group.MulticastFrom(ctx, cmd); err != nil {
		c.reply <- Reply{Err: fmt.Errorf("%w: %w", ErrRefused, err)}
		return
	}
	r.pending[r.nextReq] = c
}

// installView starts the new view's bookkeeping. Every command this replica
// delivered in the previous view is durable now: the replica installs the
// next view only as a survivor of the flush, and every survivor delivers
// the same set of the old view's messages (virtual synchrony).
func (r *Replica) installView(v *membership.ViewChange) {
	for _, c := range r.waiting {
		c.reply <- Reply{Result: c.result}
	}
	r.waiting = r.waiting[:0]
	r.prog = newProgress(v.ID, v.Members)
	r.lastAck, r.ackTick = 0, 0
	r.viewID.Store(v.ID)
}

func (r *Replica) deliver(d *membership.Delivery) {
	cmd, ok := d.Payload.(*kvpb.Command)
	if !ok || r.prog == nil {
		return
	}
	r.prog.deliver(d.ID())
	op, err := store.UnmarshalOp(cmd.GetOp())
	var res store.Result
	if err == nil {
		res, err = r.st.Apply(op)
	}
	r.applied.Store(r.st.Applied())
	if history.ProcessID(cmd.GetOrigin()) != r.self {
		r.answerDurable()
		return
	}
	c := r.pending[cmd.GetRequest()]
	if c == nil {
		r.answerDurable()
		return
	}
	delete(r.pending, cmd.GetRequest())
	if err != nil { // every replica refused it alike: it changed nothing
		c.reply <- Reply{Err: fmt.Errorf("%w: %w", ErrRefused, err)}
		r.answerDurable()
		return
	}
	c.pos, c.result = r.prog.count(), res
	r.waiting = append(r.waiting, c)
	r.answerDurable()
}

// answerDurable answers, in delivery order, the commands a majority of the
// view has applied.
func (r *Replica) answerDurable() {
	k := 0
	for k < len(r.waiting) && r.prog.durable(r.self, r.waiting[k].pos) {
		r.waiting[k].reply <- Reply{Result: r.waiting[k].result}
		r.waiting[k] = nil
		k++
	}
	if k > 0 {
		r.waiting = append(r.waiting[:0], r.waiting[k:]...)
	}
}

// sendAcks tells the view's other members how far this replica has
// applied, when that changed, and every tenth period regardless.
func (r *Replica) sendAcks(ctx actor.Context) {
	if r.prog == nil || r.out.Load() {
		return
	}
	r.ackTick++
	c := r.prog.count()
	if c == r.lastAck && r.ackTick%10 != 0 {
		return
	}
	r.lastAck = c
	msg := &kvpb.Applied{From: string(r.self), View: r.prog.view, Count: c, Chain: r.prog.head()}
	for _, m := range r.prog.members {
		if m == r.self {
			continue
		}
		if pid, err := actors.PIDOf(m); err == nil {
			ctx.Send(pid, msg)
		}
	}
}

func (r *Replica) failAll(err error) {
	for id, c := range r.pending {
		c.reply <- Reply{Err: err}
		delete(r.pending, id)
	}
	for _, c := range r.waiting {
		c.reply <- Reply{Err: err}
	}
	r.waiting = nil
}
