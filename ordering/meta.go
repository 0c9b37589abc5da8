package ordering

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// Meta describes the multicast whose payload an ordered member is
// receiving.
type Meta struct {
	Group  string
	Sender history.ProcessID // the multicaster
	View   uint64            // view it was multicast in
	Seq    uint64            // sender's sequence number in View
	Class  string            // class it was multicast in
	// GlobalSeq is its position in the group's total order (atomic
	// classes; 0 otherwise).
	GlobalSeq uint64
}

// ID is the message's identity as histories record it.
func (m Meta) ID() history.MsgID { return history.MsgID{Sender: m.Sender, View: m.View, Seq: m.Seq} }

// MetaOf returns the metadata of the message ctx's actor is receiving, and
// false if that message is not an ordered delivery (or ctx's actor is not
// an ordered member). Call it from Receive. Delivery itself does not pay for
// the metadata: it is kept aside by the mailbox and only looked up here.
func MetaOf(ctx actor.Context) (Meta, bool) {
	d := lookupDriver(ctx.Self())
	if d == nil || !d.delivering {
		return Meta{}, false
	}
	return d.meta(), true
}
