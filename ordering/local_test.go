package ordering_test

import (
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
)

// In one process every member receives the very payload the sender
// multicast (no packing, no copy); with PackLocal each receiver gets its
// own unpacked copy, as from a remote member. Both paths deliver to all.
func TestInProcessPayloadByPointer(t *testing.T) {
	for _, pack := range []bool{false, true} {
		name := map[bool]string{false: "by-pointer", true: "pack-local"}[pack]
		t.Run(name, func(t *testing.T) {
			c := startCluster(t, 3, ordering.ClassCausal, func(cfg *ordering.Config) { cfg.PackLocal = pack })
			p := &wire.Probe{From: "p1", N: 1}
			if err := c.handles["p1"].Multicast(p); err != nil {
				t.Fatal(err)
			}
			for _, d := range c.await(t, 3, awaitTimeout) {
				if d.payload.From != "p1" || d.payload.N != 1 {
					t.Fatalf("%s received %v, want p1's probe 1", d.to, d.payload)
				}
				shared := d.payload == p
				if want := !pack || d.to == "p1"; shared != want {
					t.Errorf("%s: payload is the sender's pointer: %v, want %v", d.to, shared, want)
				}
			}
		})
	}
}
