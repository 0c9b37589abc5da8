package membership

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// The member actor receives these in its mailbox, in the order the core
// produced them, through the same invoker as its other messages: every
// Delivery of view V arrives before the ViewChange that installs V+1, and
// no Delivery of V+1 arrives before it.

// ViewChange installs a view: from now on the actor's multicasts go to
// Members, and the deliveries that follow belong to view ID.
type ViewChange struct {
	// ID is the view's identifier; ids increase along the group's history.
	ID uint64
	// Prev is the view this member came from (0 for its first view).
	Prev uint64
	// Members lists the view's members in rank order; rank 0 coordinates
	// the next view change.
	Members []history.ProcessID
	// Primary marks a primary-component view (always true: a minority side
	// blocks instead of installing a view, see Blocked).
	Primary bool
}

// Has reports whether p is a member of the view.
func (v *ViewChange) Has(p history.ProcessID) bool { return v != nil && slices.Contains(v.Members, p) }

// Delivery is one multicast delivered in the current view.
type Delivery struct {
	Sender history.ProcessID // the multicaster
	View   uint64            // the view it was multicast and is delivered in
	Seq    uint64            // the sender's sequence number in View
	Class  string            // the ordering class
	// GlobalSeq is its position in the group's total order (atomic
	// classes; 0 otherwise).
	GlobalSeq uint64
	Payload   proto.Message
}

// ID is the message's identity as histories record it.
func (d *Delivery) ID() history.MsgID {
	return history.MsgID{Sender: d.Sender, View: d.View, Seq: d.Seq}
}

// Blocked says this member's side of the group has no primary component
// (fewer than the policy requires are trusted): it neither multicasts nor
// delivers until the partition heals or it learns it was removed.
type Blocked struct {
	View   uint64
	Reason string
}

// Stopped says this member is no longer in the group: it left (Left true)
// or it was removed after being suspected (a crashed or merely slow member;
// as in Isis it must join again as a new process). It is the last event
// the member actor receives from the view manager.
type Stopped struct {
	Left   bool
	Reason string
}
