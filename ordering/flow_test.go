package ordering_test

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
)

// With a tiny window and local queue, a burst of outside multicasts is
// partly refused with ErrBackpressure at once; every accepted one is
// delivered by every member, and the queue drains back to empty.
func TestBackpressureBoundsTheBacklog(t *testing.T) {
	const burst, limit = 200, 8
	c := startCluster(t, 3, ordering.ClassFIFO, func(cfg *ordering.Config) {
		cfg.Layer.Window, cfg.PendingLimit = 2, limit
	})
	h := c.handles["p1"]
	accepted, refused := 0, 0
	for i := range burst {
		err := h.Multicast(&wire.Probe{From: "p1", N: uint64(i + 1)})
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, ordering.ErrBackpressure):
			refused++
		default:
			t.Fatalf("multicast %d: %v", i, err)
		}
		if w := h.Stats().Waiting; w > limit {
			t.Fatalf("%d multicasts waiting, limit %d", w, limit)
		}
	}
	if refused == 0 || accepted < limit {
		t.Fatalf("accepted %d, refused %d of %d: want some of each with PendingLimit %d", accepted, refused, burst, limit)
	}
	got := c.await(t, 3*accepted, awaitTimeout)
	last := map[string]uint64{}
	for _, d := range got {
		if d.meta.Seq != last[string(d.to)]+1 {
			t.Fatalf("%s delivered seq %d after %d", d.to, d.meta.Seq, last[string(d.to)])
		}
		last[string(d.to)] = d.meta.Seq
	}
	// Every accepted multicast was handed to the core before anyone could
	// deliver it, so nothing waits any more.
	if s := h.Stats(); s.Waiting != 0 || s.Backpressured != uint64(refused) || s.Multicasts != uint64(accepted) || s.WindowWaits == 0 {
		t.Fatalf("stats %+v: want none waiting, %d backpressured, %d multicasts and some window waits", s, refused, accepted)
	}
}
