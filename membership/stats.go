package membership

import "sync/atomic"

// Stats counts what a member's view manager did. Rejections are counted,
// never fatal; each is also logged at debug level.
type Stats struct {
	Multicasts    uint64 // own multicasts handed to the core
	Delivered     uint64 // Deliveries handed to the actor
	Views         uint64 // ViewChanges handed to the actor
	Rejected      uint64 // arrivals the core refused (stale, refused, malformed)
	Dropped       uint64 // own multicasts dropped because the member stopped
	Backpressured uint64 // multicasts refused with ErrBackpressure
	NoRoute       uint64 // outbound messages to a process id without PID
	UnknownSender uint64 // membership traffic without a sender PID
	// Hints counts connection losses protoactor reported for a member's
	// node (EndpointTerminatedEvent); with Config.ConnectionHints each made
	// the core suspect that member at once.
	Hints   uint64
	Waiting int64 // own multicasts accepted but not yet handed to the core
}

type counters struct {
	multicasts, delivered, views, rejected, dropped, backpressured, noRoute, unknownSender, hints atomic.Uint64
}

func (c *counters) snapshot(d *driver) Stats {
	return Stats{
		Multicasts:    c.multicasts.Load(),
		Delivered:     c.delivered.Load(),
		Views:         c.views.Load(),
		Rejected:      c.rejected.Load(),
		Dropped:       c.dropped.Load(),
		Backpressured: c.backpressured.Load(),
		NoRoute:       c.noRoute.Load(),
		UnknownSender: c.unknownSender.Load(),
		Hints:         c.hints.Load(),
		Waiting:       d.backlog.Load(),
	}
}
