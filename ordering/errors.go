package ordering

import "errors"

// Sentinel errors of the actor-facing ordering package. Errors returned by
// this package wrap one of them (test with errors.Is); errors of the pure
// layers are passed through wrapped, so their own sentinels still match.
var (
	// ErrConfig reports an invalid Config.
	ErrConfig = errors.New("ordering: invalid config")
	// ErrNotMember reports a multicast through an actor or PID that is not
	// a member driven by an ordering mailbox in this process.
	ErrNotMember = errors.New("ordering: not an ordered group member")
	// ErrUnknownGroup reports a multicast to a group the member does not belong to.
	ErrUnknownGroup = errors.New("ordering: unknown group")
	// ErrClassNotEnabled reports a per-message class the member was not
	// configured to carry (see Config.Classes).
	ErrClassNotEnabled = errors.New("ordering: class not enabled for this group")
	// ErrBackpressure reports that a multicast was refused because the
	// member's local queue of multicasts waiting for window space is full.
	// Nothing was queued; the caller may retry later.
	ErrBackpressure = errors.New("ordering: multicast queue full")
	// ErrUnknownSender reports an arrival whose transport sender is not a
	// member of the group. It is counted and dropped.
	ErrUnknownSender = errors.New("ordering: message from unknown sender")
	// ErrNoRoute reports an outbound message to a process that has no PID
	// in Config.PIDs. It is counted and dropped.
	ErrNoRoute = errors.New("ordering: no PID for process")
)
