package simtest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// ErrUnexpected is returned by Step for a message type the core does not
// handle.
var ErrUnexpected = errors.New("simtest: unexpected message")

// Echo is a core that sends every wire.Probe it receives straight back to
// its sender, the same message unchanged, until it has sent Budget replies.
// It allocates nothing per message, so a benchmark of it measures the
// simulator. It records no events.
type Echo struct {
	id     history.ProcessID
	budget int
	sent   int
	out    []step.Outbound
	pings  []history.ProcessID
	next   int
	probe  *wire.Probe
}

var _ step.Machine = (*Echo)(nil)

// NewEcho returns an Echo that sends at most budget replies.
func NewEcho(id history.ProcessID, budget int) *Echo {
	return &Echo{id: id, budget: budget}
}

// Send queues msg for process to, to start a conversation.
func (e *Echo) Send(to history.ProcessID, msg proto.Message) {
	e.out = append(e.out, step.Outbound{To: to, Msg: msg})
}

// ID implements step.Machine.
func (e *Echo) ID() history.ProcessID { return e.id }

// Step implements step.Machine.
func (e *Echo) Step(from history.ProcessID, msg proto.Message) error {
	if _, ok := msg.(*wire.Probe); !ok {
		return fmt.Errorf("%w: %T", ErrUnexpected, msg)
	}
	if e.sent < e.budget {
		e.sent++
		e.out = append(e.out, step.Outbound{To: from, Msg: msg})
	}
	return nil
}

// PingOnTick makes e start a new conversation at every tick, sending one
// probe to the next of peers in turn, so that a lossy run never dies out.
func (e *Echo) PingOnTick(peers []history.ProcessID) {
	e.pings = slices.Clone(peers)
	e.probe = &wire.Probe{From: string(e.id)}
}

// Tick implements step.Machine.
func (e *Echo) Tick() {
	if len(e.pings) == 0 {
		return
	}
	e.out = append(e.out, step.Outbound{To: e.pings[e.next], Msg: e.probe})
	e.next = (e.next + 1) % len(e.pings)
}

// HasReady implements step.Machine.
func (e *Echo) HasReady() bool { return len(e.out) > 0 }

// Ready implements step.Machine.
func (e *Echo) Ready() step.Ready { return step.Ready{Messages: e.out} }

// Advance implements step.Machine.
func (e *Echo) Advance(step.Ready) { e.out = e.out[:0] }
