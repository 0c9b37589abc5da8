// Package step fixes the shape every Lockstep protocol core shares, so that
// one simulator and one actor driver can run any of them.
//
// A core is a deterministic state machine in the style of etcd-io/raft's
// RawNode: it is fed messages with Step and the passing of time with Tick,
// and it never sends, sleeps or spawns anything itself. What it wants done is
// collected in a Ready, which the driver takes, carries out (sends every
// Outbound, hands every event to the application and the history), and then
// acknowledges with Advance.
//
// # Driver loop
//
//	for input := range inputs {
//		switch in := input.(type) {
//		case tick:
//			m.Tick()
//		case arrival:
//			if err := m.Step(in.from, in.msg); err != nil { count and log; continue }
//		}
//		if m.HasReady() {
//			rd := m.Ready()
//			send(rd.Messages); deliver(rd.Events)
//			m.Advance(rd)
//		}
//	}
//
// Cores are not safe for concurrent use: a driver calls them from one
// goroutine (an actor's own, or the simulator's).
package step

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// Outbound is one message a core wants sent to one process.
// Msg must not be modified after it is handed out: in-process transports
// share the pointer between receivers.
type Outbound struct {
	To  history.ProcessID
	Msg proto.Message
}

// Ready holds what a core has produced since the last Advance.
type Ready struct {
	// Messages to send, each to one process, in order. A driver sends the
	// messages to one destination in the order they appear here.
	Messages []Outbound
	// Events the process performed, in order: deliveries (with Payload set),
	// view installs, suspicions, decisions. The driver hands deliveries to the
	// application and may record every event in a history.
	Events []history.Event
}

// Empty reports whether rd holds nothing to do.
func (rd Ready) Empty() bool { return len(rd.Messages) == 0 && len(rd.Events) == 0 }

// Machine is the contract of a protocol core.
type Machine interface {
	// ID is the process this core runs as.
	ID() history.ProcessID
	// Step feeds one message that arrived from process from. A message the
	// core cannot accept (malformed, from a non-member, from an old view)
	// returns an error wrapping one of the core's sentinel errors and leaves
	// the state unchanged; the driver counts it and carries on.
	Step(from history.ProcessID, msg proto.Message) error
	// Tick advances the core's logical clock by one tick.
	Tick()
	// HasReady reports whether Ready would return anything.
	HasReady() bool
	// Ready returns what the core has produced. The slices stay valid until
	// the matching Advance.
	Ready() Ready
	// Advance tells the core that rd, the last value Ready returned, has been
	// carried out, so its buffers may be reused.
	Advance(rd Ready)
}
