package ordering

import "sync/atomic"

// Stats counts what a member's mailbox did. Rejections are counted, never
// fatal: each is also logged at debug level.
type Stats struct {
	Multicasts    uint64 // own multicasts handed to a core
	Delivered     uint64 // payloads handed to the actor
	Rejected      uint64 // arrivals or multicasts a core refused with an error
	UnknownSender uint64 // ordering traffic from outside the group, dropped
	NoRoute       uint64 // outbound messages to a process without PID, dropped
	Backpressured uint64 // multicasts refused with ErrBackpressure
	WindowWaits   uint64 // multicasts queued because the layers' window was full
	Waiting       int64  // own multicasts accepted but not yet handed to a core
}

type counters struct {
	multicasts, delivered, rejected, unknownSender, noRoute, backpressured, windowWaits atomic.Uint64
}

func (c *counters) snapshot(d *driver) Stats {
	return Stats{
		Multicasts:    c.multicasts.Load(),
		Delivered:     c.delivered.Load(),
		Rejected:      c.rejected.Load(),
		UnknownSender: c.unknownSender.Load(),
		NoRoute:       c.noRoute.Load(),
		Backpressured: c.backpressured.Load(),
		WindowWaits:   c.windowWaits.Load(),
		Waiting:       d.backlog.Load(),
	}
}
