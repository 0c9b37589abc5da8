package layer

import "errors"

// Sentinel errors. Every error the package returns wraps one of them, so
// callers test with errors.Is. A rejected input leaves the Member unchanged.
var (
	// ErrConfig: the Config is invalid.
	ErrConfig = errors.New("ordering/layer: invalid config")
	// ErrWindowFull: the sender already has Config.Window multicasts that are
	// not yet stable; it must wait (Tick and Step) before multicasting again.
	ErrWindowFull = errors.New("ordering/layer: send window full")
	// ErrNilPayload: Multicast was called with a nil message.
	ErrNilPayload = errors.New("ordering/layer: nil payload")
	// ErrBadPayload: a payload could not be packed or unpacked.
	ErrBadPayload = errors.New("ordering/layer: bad payload")
	// ErrNotMember: a message came from, or names, a process outside the view.
	ErrNotMember = errors.New("ordering/layer: not a member")
	// ErrWrongGroup: a message belongs to another group.
	ErrWrongGroup = errors.New("ordering/layer: wrong group")
	// ErrWrongView: a message belongs to another view.
	ErrWrongView = errors.New("ordering/layer: wrong view")
	// ErrWrongClass: a data message was multicast in another class.
	ErrWrongClass = errors.New("ordering/layer: wrong class")
	// ErrBadSeq: a sequence number is zero or impossible for its sender.
	ErrBadSeq = errors.New("ordering/layer: bad sequence number")
	// ErrBeyondWindow: a message lies beyond the flow-control window; a
	// correct sender never sends it.
	ErrBeyondWindow = errors.New("ordering/layer: beyond window")
	// ErrBadTimestamp: a vector timestamp has the wrong length or disagrees
	// with the sequence number.
	ErrBadTimestamp = errors.New("ordering/layer: bad vector timestamp")
	// ErrBadReport: a status report is malformed.
	ErrBadReport = errors.New("ordering/layer: bad status report")
	// ErrNotSequencer: an order came from, or an order NAK went to, a member
	// that is not the sequencer, or the class has no sequencer.
	ErrNotSequencer = errors.New("ordering/layer: not the sequencer")
	// ErrBadOrder: an order batch is malformed or contradicts an order
	// already accepted.
	ErrBadOrder = errors.New("ordering/layer: bad order")
	// ErrUnknownMessage: the message type is not one this core handles.
	ErrUnknownMessage = errors.New("ordering/layer: unknown message type")
)
