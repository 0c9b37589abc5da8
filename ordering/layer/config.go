package layer

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// Config configures one Member: one process in one view of one group,
// multicasting in one class. Times are in ticks (calls of Member.Tick).
type Config struct {
	// Self is the process this member runs as; it must be in Members.
	Self history.ProcessID
	// Group names the process group; messages of other groups are rejected.
	Group string
	// Members lists the view in rank order. Rank 0 is the sequencer of the
	// atomic classes. Every member must be given the same list.
	Members []history.ProcessID
	// View is the id of the view (0 when there are no views). A Member lives
	// for one view; a new view means a new Member.
	View uint64
	// Class is the multicast class; it selects the stack of layers.
	Class Class

	// Window is the flow-control window: a sender may have at most Window of
	// its own multicasts outstanding that are not yet stable (delivered by
	// every member); beyond it Multicast returns ErrWindowFull. It also sizes
	// every per-sender buffer, so a member holds at most
	// Window x len(Members) messages (see doc.go, "Memory bound"). A
	// smaller window trades throughput across processes for latency under
	// load (doc.go gives the figures for 1024 against the default 4096).
	Window int
	// HeartbeatTicks is the period, in ticks, of the Status heartbeat a
	// member sends while it has something unsettled.
	HeartbeatTicks int
	// StatusEvery makes a member send a Status between heartbeats too, as
	// soon as it has delivered this many messages since its last one (at
	// most Window/2), so that under heavy traffic senders learn what is
	// stable, and free their windows, without waiting for the next
	// heartbeat: a lone sender's rate is otherwise bounded by Window per
	// heartbeat period. 0 leaves reports to the heartbeat alone.
	StatusEvery int
	// NakTicks is the period, in ticks, of the gap scan. A gap is NAKed only
	// once it has survived one whole period, so reordering within a period
	// costs no retransmission.
	NakTicks int
	// NakMax caps the sequence numbers one Nak asks for.
	NakMax int
	// OrderBatchMax caps the assignments one Order message carries.
	OrderBatchMax int
	// OrderBatchMin: the sequencer emits its pending assignments when Ready
	// is taken once at least this many are pending; fewer wait for the next
	// Tick. 1 emits at every Ready: lowest latency, and a driver that steps
	// all queued arrivals before taking Ready still gets one Order for them.
	OrderBatchMin int
	// LazyPayload leaves Data.Payload empty in the member's own multicasts:
	// the payload is not packed into an Any. A driver sets it when every
	// member of the view shares its process; it then hands receivers the
	// payload itself (PayloadOf at the sender, StepLocal at the receiver)
	// and packs nothing, since nothing crosses a process boundary. Data
	// without a payload is useless to anyone who only has the Data, so
	// leave it off when Data leaves the process or is stored (the default).
	LazyPayload bool
	// LocalFanout keeps the member's own multicasts out of Ready.Messages:
	// they are listed in Fanouts instead, and the driver hands them to
	// every other member's StepLocal in process. Nothing becomes a
	// wire.Data unless it is retransmitted (a NAKed message goes out in
	// Messages, as ever). It requires LazyPayload: set both only when every
	// member shares the driver's process. It spares each multicast the
	// Data, its strings and the receivers' checks of them.
	LocalFanout bool
	// CompactDeliveries is for a driver that records no history: Ready's
	// Events then hold no Multicast and no Deliver events, and deliveries
	// go, as small Delivery records, to Deliveries. Copying a history
	// event per delivery (and its write barriers while the collector runs)
	// is a measurable share of in-process multicast. Leave it off wherever
	// a history is recorded: the simulator, the checkers' tests.
	CompactDeliveries bool
}

// DefaultConfig returns the tuning defaults. The caller fills in Self,
// Group, Members, View and Class.
func DefaultConfig() Config {
	return Config{
		Window:         4096,
		HeartbeatTicks: 1,
		StatusEvery:    512,
		NakTicks:       2,
		NakMax:         128,
		OrderBatchMax:  1024,
		OrderBatchMin:  1,
	}
}

// Validate reports the first problem with c, wrapping ErrConfig.
func (c Config) Validate() error {
	if c.Group == "" {
		return fmt.Errorf("%w: empty Group", ErrConfig)
	}
	if len(c.Members) == 0 {
		return fmt.Errorf("%w: no Members", ErrConfig)
	}
	seen := make(map[history.ProcessID]bool, len(c.Members))
	for _, p := range c.Members {
		if p == "" {
			return fmt.Errorf("%w: empty member id", ErrConfig)
		}
		if seen[p] {
			return fmt.Errorf("%w: member %q listed twice", ErrConfig, p)
		}
		seen[p] = true
	}
	if !seen[c.Self] {
		return fmt.Errorf("%w: Self %q is not in Members", ErrConfig, c.Self)
	}
	if !c.Class.Valid() {
		return fmt.Errorf("%w: Class %v", ErrConfig, c.Class)
	}
	for _, k := range []struct {
		name string
		v    int
	}{{"Window", c.Window}, {"HeartbeatTicks", c.HeartbeatTicks}, {"NakTicks", c.NakTicks},
		{"NakMax", c.NakMax}, {"OrderBatchMax", c.OrderBatchMax}, {"OrderBatchMin", c.OrderBatchMin}} {
		if k.v < 1 {
			return fmt.Errorf("%w: %s must be at least 1, got %d", ErrConfig, k.name, k.v)
		}
	}
	if c.StatusEvery < 0 {
		return fmt.Errorf("%w: StatusEvery %d is negative", ErrConfig, c.StatusEvery)
	}
	if c.LocalFanout && !c.LazyPayload {
		return fmt.Errorf("%w: LocalFanout without LazyPayload", ErrConfig)
	}
	if c.OrderBatchMin > c.OrderBatchMax {
		return fmt.Errorf("%w: OrderBatchMin %d exceeds OrderBatchMax %d", ErrConfig, c.OrderBatchMin, c.OrderBatchMax)
	}
	return nil
}
