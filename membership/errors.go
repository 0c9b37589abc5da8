package membership

import "errors"

// Sentinel errors of the view manager. Every error this package returns
// wraps one of them (test with errors.Is); errors of the pure core
// (package flush) are passed through wrapped, so flush's sentinels match too.
var (
	// ErrConfig reports an invalid Config or option.
	ErrConfig = errors.New("membership: invalid config")
	// ErrStopped reports a call on a member that has left the group, was
	// removed from it, or whose actor has stopped.
	ErrStopped = errors.New("membership: member stopped")
	// ErrBackpressure reports a multicast refused because Config.PendingLimit
	// of this member's multicasts are already accepted but not yet sent.
	// Nothing was queued; the caller may retry later.
	ErrBackpressure = errors.New("membership: multicast queue full")
	// ErrNoRoute reports a process id that names no protoactor PID; the
	// message to it is counted and dropped.
	ErrNoRoute = errors.New("membership: no PID for process")
	// ErrUnknownSender reports membership traffic without a sender PID,
	// which no core could attribute; it is counted and dropped.
	ErrUnknownSender = errors.New("membership: traffic without sender")
)
