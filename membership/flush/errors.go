package flush

import "errors"

// Sentinel errors. Every error the core returns wraps one of these, so a
// driver can count them with errors.Is.
var (
	// ErrConfig: a Config field is out of range.
	ErrConfig = errors.New("flush: invalid config")
	// ErrMalformed: a message is missing fields or names the wrong group.
	ErrMalformed = errors.New("flush: malformed message")
	// ErrUnknownType: a message type the core does not handle.
	ErrUnknownType = errors.New("flush: unknown message type")
	// ErrNotMember: the sender is not a member of the view the message names,
	// or this process is not a member of any view (joining, excluded, left).
	ErrNotMember = errors.New("flush: not a member")
	// ErrRefused: the sender was suspected and is being (or has been)
	// removed; as in Isis, its messages are refused until it joins again.
	ErrRefused = errors.New("flush: sender refused")
	// ErrStaleView: the message belongs to a view this process has left.
	ErrStaleView = errors.New("flush: stale view")
	// ErrFutureView: the message belongs to a view this process has not
	// installed yet; the sender's retransmissions will bring it again.
	ErrFutureView = errors.New("flush: future view")
	// ErrQueueFull: Multicast during a flush found Config.MaxQueued
	// multicasts already waiting for the next view.
	ErrQueueFull = errors.New("flush: multicast queue full")
)
