package ordering

import (
	"errors"
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// TEMPORARY stand-in for the pure layers (package ordering/layer) until they
// are committed: it stamps and fans out each multicast and delivers every
// arrival at once, with no ordering, repair or flow control.

var errPassthroughMsg = errors.New("ordering: passthrough core: unexpected message")

type passthrough struct {
	self    history.ProcessID
	group   string
	members []history.ProcessID
	view    uint64
	class   Class
	seq     uint64
	rd      step.Ready
}

func newPassthrough(cc coreConfig) *passthrough {
	return &passthrough{self: cc.Self, group: cc.Group, members: cc.Members, view: cc.View, class: cc.Class}
}

func (p *passthrough) ID() history.ProcessID { return p.self }

func (p *passthrough) Multicast(payload proto.Message) (history.MsgID, error) {
	a, err := anypb.New(payload)
	if err != nil {
		return history.MsgID{}, fmt.Errorf("%w: %v", errPassthroughMsg, err)
	}
	p.seq++
	id := history.MsgID{Sender: p.self, View: p.view, Seq: p.seq}
	d := &wire.Data{Group: p.group, View: p.view, Sender: string(p.self), Seq: p.seq, Class: p.class.String(), Payload: a}
	p.rd.Events = append(p.rd.Events, history.Event{Process: p.self, Kind: history.Multicast, Msg: id, View: p.view, Class: p.class.String()})
	for _, m := range p.members {
		if m == p.self {
			continue
		}
		p.rd.Messages = append(p.rd.Messages, step.Outbound{To: m, Msg: d})
	}
	p.rd.Events = append(p.rd.Events, history.Event{Process: p.self, Kind: history.Deliver, Msg: id, View: p.view, Class: p.class.String(), Payload: payload})
	return id, nil
}

func (p *passthrough) Step(from history.ProcessID, msg proto.Message) error {
	d, ok := msg.(*wire.Data)
	if !ok {
		return fmt.Errorf("%w: %T", errPassthroughMsg, msg)
	}
	payload, err := d.Payload.UnmarshalNew()
	if err != nil {
		return fmt.Errorf("%w: %v", errPassthroughMsg, err)
	}
	id := history.MsgID{Sender: history.ProcessID(d.Sender), View: d.View, Seq: d.Seq}
	p.rd.Events = append(p.rd.Events, history.Event{Process: p.self, Kind: history.Deliver, Msg: id, View: d.View, Class: d.Class, Payload: payload})
	return nil
}

func (p *passthrough) Tick()             {}
func (p *passthrough) HasReady() bool    { return !p.rd.Empty() }
func (p *passthrough) Ready() step.Ready { return p.rd }
func (p *passthrough) Advance(_ step.Ready) {
	clear(p.rd.Events)
	p.rd.Messages = p.rd.Messages[:0]
	p.rd.Events = p.rd.Events[:0]
}
