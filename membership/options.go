package membership

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership/flush"
	"github.com/sirupsen/logrus"
)

// StateTransfer is the application's state-transfer hook (flush.StateTransfer):
// Snapshot is called at a member that admits a joiner, once the old view's
// last deliveries and the new ViewChange have been handed to its actor, and
// Restore at the joiner, before its first ViewChange. Both run on the member
// actor's goroutine, between its Receive calls, so they may read and write
// the actor's state without locks. If the actor itself implements
// StateTransfer it is used, unless WithStateTransfer says otherwise.
type StateTransfer = flush.StateTransfer

// Option adjusts Start at the actor boundary.
type Option func(*options)

type options struct {
	log    *logrus.Entry
	rec    history.Recorder
	faults *actors.Faults
	state  StateTransfer
	props  []actor.PropsOption
}

// WithLogger makes the member log through l (rejected input at debug
// level, lifecycle at info). Without it the node's logger is used.
func WithLogger(l *logrus.Entry) Option { return func(o *options) { o.log = l } }

// WithRecorder records every event of the member (multicasts, deliveries,
// view installs, suspicions, its own crash or departure) into r, stamped
// with the wall clock in Unix nanoseconds, on the actor's goroutine. r must
// not block and must be safe for concurrent use if shared.
func WithRecorder(r history.Recorder) Option { return func(o *options) { o.rec = r } }

// WithFaults injects the failure models of f (from Node.NewFaults) into the
// member actor, as protoactor middleware on what it sends: the core's own
// traffic goes out through the actor's context, so a crash, omission or
// timing model applies to heartbeats and flush messages alike.
func WithFaults(f *actors.Faults) Option { return func(o *options) { o.faults = f } }

// WithStateTransfer sets the state-transfer hook explicitly, overriding an
// actor that implements StateTransfer itself.
func WithStateTransfer(st StateTransfer) Option { return func(o *options) { o.state = st } }

// WithProps adds protoactor props options to the member actor (receiver
// middleware, supervisor, dispatcher). A mailbox option is ignored: the
// member's mailbox is the view manager.
func WithProps(opts ...actor.PropsOption) Option {
	return func(o *options) { o.props = append(o.props, opts...) }
}
