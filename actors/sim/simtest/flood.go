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

// ErrNotMember is returned by Flood.Step for a message whose sender is not
// in the group.
var ErrNotMember = errors.New("simtest: sender not in group")

// Flood is reliable broadcast by diffusion over a fixed group: the sender
// delivers its message at once and sends it to every other member; a member
// that receives a message for the first time relays it to every other member
// and then delivers it. With reliable links this gives agreement even when
// senders crash mid-send (every delivering process has relayed first); with
// lossy links it gives nothing, which is what a simulator test wants to see.
// It has no timers and does not retransmit.
type Flood struct {
	id    history.ProcessID
	group []history.ProcessID
	seq   uint64
	seen  map[history.MsgID]bool
	rd    step.Ready
}

var _ step.Machine = (*Flood)(nil)

// NewFlood returns the Flood core of process id in group (which includes id).
func NewFlood(id history.ProcessID, group []history.ProcessID) *Flood {
	return &Flood{id: id, group: slices.Clone(group), seen: make(map[history.MsgID]bool)}
}

// Multicast sends body to the group, records the Multicast and the sender's
// own Deliver, and returns the message's identity.
func (f *Flood) Multicast(body []byte) history.MsgID {
	f.seq++
	msg := &wire.Data{Sender: string(f.id), Seq: f.seq, Class: "flood"}
	if len(body) > 0 {
		msg.Vt = []uint64{uint64(len(body))} // a populated field a value failure may change
	}
	id := history.MsgID{Sender: f.id, Seq: f.seq}
	f.seen[id] = true
	f.rd.Events = append(f.rd.Events, history.Event{Process: f.id, Kind: history.Multicast, Msg: id, Class: "flood"})
	f.relay(msg, "")
	f.rd.Events = append(f.rd.Events, history.Event{Process: f.id, Kind: history.Deliver, Msg: id, Class: "flood", Payload: msg})
	return id
}

// relay sends msg to every member but f and except.
func (f *Flood) relay(msg *wire.Data, except history.ProcessID) {
	for _, p := range f.group {
		if p != f.id && p != except {
			f.rd.Messages = append(f.rd.Messages, step.Outbound{To: p, Msg: msg})
		}
	}
}

// ID implements step.Machine.
func (f *Flood) ID() history.ProcessID { return f.id }

// Step implements step.Machine. A message from a sender outside the group,
// or of another type, is rejected with an error.
func (f *Flood) Step(from history.ProcessID, msg proto.Message) error {
	d, ok := msg.(*wire.Data)
	if !ok {
		return fmt.Errorf("%w: %T", ErrUnexpected, msg)
	}
	sender := history.ProcessID(d.GetSender())
	if !slices.Contains(f.group, sender) {
		return fmt.Errorf("%w: %q", ErrNotMember, sender)
	}
	id := history.MsgID{Sender: sender, View: d.GetView(), Seq: d.GetSeq()}
	if f.seen[id] {
		return nil
	}
	f.seen[id] = true
	f.relay(d, from)
	f.rd.Events = append(f.rd.Events, history.Event{Process: f.id, Kind: history.Deliver, Msg: id, Class: "flood", Payload: d})
	return nil
}

// Tick implements step.Machine; Flood has no timers.
func (f *Flood) Tick() {}

// HasReady implements step.Machine.
func (f *Flood) HasReady() bool { return !f.rd.Empty() }

// Ready implements step.Machine.
func (f *Flood) Ready() step.Ready { return f.rd }

// Advance implements step.Machine.
func (f *Flood) Advance(step.Ready) {
	clear(f.rd.Events) // drop payload references
	f.rd.Messages = f.rd.Messages[:0]
	f.rd.Events = f.rd.Events[:0]
}
