package flush

import (
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Config configures one Member. Durations are in ticks: the core has no clock.
type Config struct {
	// Self is this process.
	Self history.ProcessID
	// Group names the process group; messages naming another group are refused.
	Group string
	// Members, when not empty, founds the group: the first view (id 1) has
	// exactly these members in rank order (rank 0 coordinates), and every
	// founding member must be given the same list. Self must be in it.
	// When empty, the process joins an existing group through Seeds.
	Members []history.ProcessID
	// Seeds are members of the group a joining process asks to be added.
	Seeds []history.ProcessID
	// Class is the ordering class of the group's multicasts: each view runs
	// a layer.Member of this class, and the flush delivers each view's cut
	// in an order the class allows.
	Class layer.Class
	// Ordering tunes the ordering layer (window, heartbeat, NAK periods);
	// its Self, Group, Members, View and Class are filled in per view, and
	// OrderBatchMin is ignored: the sequencer sends one Order per burst of
	// steps, when the driver takes Ready.
	Ordering layer.Config
	// StableDelivery holds each delivery of the ordering layer back until the
	// message is stable: held by every member of the view. Survivors then
	// deliver everything a crashed member delivered (uniform agreement), at
	// the cost of one heartbeat round of latency. Without it a message is
	// delivered as soon as its class allows, and the flush still makes every
	// survivor of the view deliver the same set. Not for the atomic classes:
	// their uniformity would need the order, not only the message, stable.
	StableDelivery bool
	// HeartbeatEvery is the heartbeat period in ticks (>= 1).
	HeartbeatEvery int64
	// SuspectTimeout is how many ticks may pass without hearing from a
	// member before it is suspected (> HeartbeatEvery). A member that is
	// merely slow is suspected just the same and is removed from the view.
	SuspectTimeout int64
	// JoinGrace bounds, in ticks, how long a member new to the view (a
	// joiner) may stay silent after the install before it is suspected. A
	// joiner's first message comes late: its Welcome travels first, often
	// over a fresh connection, and it restores the state before it installs.
	// So its silence is counted from its first contact in the view, and it is
	// suspected SuspectTimeout ticks after that like any member; one that never
	// speaks at all (it died while joining) is suspected JoinGrace ticks after
	// the install, and removed. A joiner judges the other members the same way
	// until it first hears from them: the founders of view 1 are judged by
	// SuspectTimeout from the start. 0 means DefaultJoinGraceFactor times
	// SuspectTimeout; otherwise it must be at least SuspectTimeout.
	JoinGrace int64
	// RetransmitEvery is how often, in ticks, unanswered flush messages,
	// Joins and Leaves are sent again (>= 1).
	RetransmitEvery int64
	// BackoffTicks is how long a coordinator whose ballot was rejected waits
	// before trying again with a higher one (>= 1).
	BackoffTicks int64
	// MaxNak bounds how many messages one Nak asks for (>= 1).
	MaxNak int
	// MaxQueued bounds the multicasts a member queues while a flush is under
	// way; they are sent in the next view (>= 0).
	MaxQueued int
	// Policy decides whether a proposed view may be installed as primary.
	// Nil means Majority{}.
	Policy Policy
	// State is the application's state-transfer hook. Nil means the group
	// has no state to transfer: joiners start empty.
	State StateTransfer

	// Deliberate defects, for tests that show the checkers catch a broken
	// flush. Unexported: only this package's tests can switch them on.
	brokenNoWaitForReports bool // cut from a majority of reports, not all
	brokenNoGapFill        bool // deliver the cut without fetching what is missing
}

// DefaultJoinGraceFactor is the JoinGrace of a Config that leaves it 0, as a
// multiple of SuspectTimeout.
const DefaultJoinGraceFactor = 5

// joinGrace is the grace given to a member new to the view: JoinGrace, or
// its default.
func (c Config) joinGrace() int64 {
	if c.JoinGrace == 0 {
		return DefaultJoinGraceFactor * c.SuspectTimeout
	}
	return c.JoinGrace
}

// DefaultConfig returns a configuration for process self in group with the
// given founding members (nil to join through seeds): heartbeats every 2
// ticks, suspicion after 20 silent ticks (a joiner's first message may take
// 100), majority policy, the FIFO class.
func DefaultConfig(self history.ProcessID, group string, members []history.ProcessID) Config {
	return Config{
		Self:            self,
		Group:           group,
		Members:         slices.Clone(members),
		Class:           layer.FIFO,
		Ordering:        layer.DefaultConfig(),
		HeartbeatEvery:  2,
		SuspectTimeout:  20,
		RetransmitEvery: 4,
		BackoffTicks:    10,
		MaxNak:          64,
		MaxQueued:       4096,
	}
}

// Validate reports the first field that is out of range, wrapping ErrConfig.
func (c Config) Validate() error {
	switch {
	case c.Self == "":
		return fmt.Errorf("%w: Self is empty", ErrConfig)
	case c.Group == "":
		return fmt.Errorf("%w: Group is empty", ErrConfig)
	case len(c.Members) == 0 && len(c.Seeds) == 0:
		return fmt.Errorf("%w: neither Members nor Seeds given", ErrConfig)
	case len(c.Members) > 0 && !slices.Contains(c.Members, c.Self):
		return fmt.Errorf("%w: Members %v do not include Self %q", ErrConfig, c.Members, c.Self)
	case c.HeartbeatEvery < 1:
		return fmt.Errorf("%w: HeartbeatEvery %d < 1", ErrConfig, c.HeartbeatEvery)
	case c.SuspectTimeout <= c.HeartbeatEvery:
		return fmt.Errorf("%w: SuspectTimeout %d must exceed HeartbeatEvery %d", ErrConfig, c.SuspectTimeout, c.HeartbeatEvery)
	case c.JoinGrace != 0 && c.JoinGrace < c.SuspectTimeout:
		return fmt.Errorf("%w: JoinGrace %d is neither 0 (the default) nor at least SuspectTimeout %d", ErrConfig, c.JoinGrace, c.SuspectTimeout)
	case c.RetransmitEvery < 1:
		return fmt.Errorf("%w: RetransmitEvery %d < 1", ErrConfig, c.RetransmitEvery)
	case c.BackoffTicks < 1:
		return fmt.Errorf("%w: BackoffTicks %d < 1", ErrConfig, c.BackoffTicks)
	case c.MaxNak < 1:
		return fmt.Errorf("%w: MaxNak %d < 1", ErrConfig, c.MaxNak)
	case c.MaxQueued < 0:
		return fmt.Errorf("%w: MaxQueued %d < 0", ErrConfig, c.MaxQueued)
	case !c.Class.Valid():
		return fmt.Errorf("%w: Class %v", ErrConfig, c.Class)
	case c.StableDelivery && c.Class.Total():
		return fmt.Errorf("%w: StableDelivery is not offered for the atomic class %v", ErrConfig, c.Class)
	}
	lc := c.Ordering
	lc.Self, lc.Group, lc.Members, lc.View, lc.Class = c.Self, c.Group, []history.ProcessID{c.Self}, 1, c.Class
	if err := lc.Validate(); err != nil {
		return fmt.Errorf("%w: Ordering: %w", ErrConfig, err)
	}
	seen := make(map[history.ProcessID]bool, len(c.Members))
	for _, p := range c.Members {
		if p == "" || seen[p] {
			return fmt.Errorf("%w: Members %v has an empty or repeated id", ErrConfig, c.Members)
		}
		seen[p] = true
	}
	return nil
}

// StateTransfer is the hook through which a joiner receives the group's
// application state. The coordinator calls Snapshot once the driver has
// carried out the Ready that installs the new view (Advance), so the
// snapshot reflects exactly the deliveries of the old view's cut and none of
// the new view; the joiner calls Restore before it installs its first view.
// Both run on the driver's goroutine, inside the core's calls.
type StateTransfer interface {
	Snapshot() []byte
	Restore(snapshot []byte) error
}

// Policy decides which views may be installed. Lockstep installs primary
// views only: a side of a partition the policy rejects blocks (Status
// reports Blocked) instead of running on and diverging.
type Policy interface {
	// Primary reports whether a view with members next may succeed the
	// primary view prev. next holds only members carried over from prev
	// (joiners are not counted).
	Primary(prev []history.ProcessID, next []history.ProcessID) bool
}

// Majority is the default policy (Ricciardi & Birman 1991): the next view
// must keep a strict majority of the previous primary view. Any two such
// views of one predecessor intersect, which is what makes the flush's ballots
// safe and the primary views one sequence.
type Majority struct{}

// Primary implements Policy.
func (Majority) Primary(prev, next []history.ProcessID) bool {
	kept := 0
	for _, p := range next {
		if slices.Contains(prev, p) {
			kept++
		}
	}
	return 2*kept > len(prev)
}
