package history

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
)

// ProcessID names one process of a group. The same string identifies the
// process in views, in wire messages and in recorded histories; the actors
// runtime maps it to a protoactor PID.
type ProcessID string

// MsgID identifies one multicast: its sender, the view it was sent in and the
// sender's sequence number in that view (1, 2, 3, ...). Protocols that run
// without views use view 0.
type MsgID struct {
	Sender ProcessID `json:"s"`
	View   uint64    `json:"v"`
	Seq    uint64    `json:"n"`
}

// Kind says what an Event records.
type Kind string

// The kinds of events a history holds. They are the events of the notes'
// history model (mc, dl, vi, cr) plus those of failure detection and
// Byzantine agreement.
const (
	// Multicast: Process multicast message Msg in View.
	Multicast Kind = "multicast"
	// Deliver: Process delivered Msg to its application, in View.
	Deliver Kind = "deliver"
	// ViewInstall: Process installed view View with Members; Prev is the
	// view it came from (0 for a first view) and Primary says whether the
	// view is a primary-component view.
	ViewInstall Kind = "view"
	// Crash: Process crashed (stopped for good).
	Crash Kind = "crash"
	// Suspect: Process began to suspect Peer.
	Suspect Kind = "suspect"
	// Blocked: Process found its side of the group without a primary
	// component and stopped multicasting and delivering; Value says why.
	// Checkers ignore it; it explains why a process installs nothing more.
	Blocked Kind = "blocked"
	// Faulty marks Process as not correct for reasons other than a crash
	// (a Byzantine traitor, an omission or value failure injected by a test).
	// Checkers treat it like a crash when deciding who is correct.
	Faulty Kind = "faulty"
	// Propose: Process, as commander, holds the true value Value for the
	// agreement instance led by Process.
	Propose Kind = "propose"
	// Decide: Process decided Value for the instance whose commander is Peer.
	Decide Kind = "decide"
)

// Event is one entry of a history. Which fields matter depends on Kind; the
// rest stay at their zero value and are omitted from JSON.
type Event struct {
	// Index is the position of the event in the history of its recorder.
	Index int64 `json:"i"`
	// Time is virtual ticks in the simulator and Unix nanoseconds on real actors.
	Time    int64     `json:"t"`
	Process ProcessID `json:"p"`
	Kind    Kind      `json:"k"`
	// Msg identifies the message of a Multicast or Deliver event.
	Msg MsgID `json:"m,omitzero"`
	// GlobalSeq is the position a total-order layer gave Msg, if any.
	GlobalSeq uint64 `json:"g,omitempty"`
	// Class names the ordering class the message was sent in.
	Class string `json:"c,omitempty"`
	// View is the view a message was sent or delivered in, or the view installed.
	View uint64 `json:"v,omitempty"`
	// Prev is the view a ViewInstall came from.
	Prev uint64 `json:"pv,omitempty"`
	// Members lists the members of an installed view, in rank order.
	Members []ProcessID `json:"ms,omitempty"`
	// Primary marks an installed view as a primary-component view.
	Primary bool `json:"pr,omitempty"`
	// Peer is the suspected process of a Suspect event, or the commander of
	// a Decide event.
	Peer ProcessID `json:"q,omitempty"`
	// Value is the value proposed or decided, or a digest of a payload.
	Value string `json:"val,omitempty"`
	// Payload is the application message of a Deliver event. It is never
	// written to JSON; checkers do not look at it.
	Payload proto.Message `json:"-"`
}

// History is a list of events in the order they were recorded. Events of one
// process appear in the order that process performed them; events of
// different processes may interleave in any order consistent with that.
type History []Event

// String renders a message id compactly as sender/view/seq, e.g. "p1/v2/#3".
func (id MsgID) String() string {
	return string(id.Sender) + "/v" + strconv.FormatUint(id.View, 10) + "/#" + strconv.FormatUint(id.Seq, 10)
}

// String renders an event on one line for violation reports and test logs.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString("#")
	b.WriteString(strconv.FormatInt(e.Index, 10))
	b.WriteString(" ")
	b.WriteString(string(e.Process))
	b.WriteString(" ")
	b.WriteString(string(e.Kind))
	switch e.Kind {
	case Multicast, Deliver:
		b.WriteString(" ")
		b.WriteString(e.Msg.String())
		b.WriteString(" in v")
		b.WriteString(strconv.FormatUint(e.View, 10))
		if e.GlobalSeq != 0 {
			b.WriteString(" g=")
			b.WriteString(strconv.FormatUint(e.GlobalSeq, 10))
		}
	case ViewInstall:
		fmt.Fprintf(&b, " v%d (from v%d) %v", e.View, e.Prev, e.Members)
		if e.Primary {
			b.WriteString(" primary")
		}
	case Suspect:
		b.WriteString(" ")
		b.WriteString(string(e.Peer))
	case Propose:
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Value))
	case Decide:
		fmt.Fprintf(&b, " %q for commander %s", e.Value, e.Peer)
	}
	return b.String()
}
