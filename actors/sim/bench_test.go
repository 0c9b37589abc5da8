package sim_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// BenchmarkSim measures simulated message deliveries per second: n Echo
// cores bounce probes to one another over a delaying FIFO network with ticks
// on, until b.N deliveries have happened.
func BenchmarkSim(b *testing.B) {
	for _, n := range []int{3, 16} {
		for _, lossy := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/lossy=%v", n, lossy), func(b *testing.B) {
				benchEcho(b, n, lossy)
			})
		}
	}
}

func benchEcho(b *testing.B, n int, lossy bool) {
	cfg := sim.DefaultConfig()
	cfg.MaxSteps = 1 << 62
	cfg.MaxTime = 1 << 62
	if lossy {
		cfg.Net = sim.NetConfig{Loss: 0.01, Duplicate: 0.01, MinDelay: 1, MaxDelay: 10, Reorder: true}
	}
	s, err := sim.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ids := names(n)
	cores := make([]*simtest.Echo, n)
	for i, id := range ids {
		cores[i] = simtest.NewEcho(id, 1<<62)
		if err := s.Add(cores[i]); err != nil {
			b.Fatal(err)
		}
	}
	// Every process keeps 8 probes in flight to every other process; with
	// loss conversations die out, so each process also starts one per tick.
	if lossy {
		for i, c := range cores {
			c.PingOnTick(append(slices.Clone(ids[:i]), ids[i+1:]...))
		}
	}
	probe := &wire.Probe{N: 1}
	s.Do(0, func(*sim.Sim) error {
		for i, c := range cores {
			for j, id := range ids {
				if i != j {
					for range 8 {
						c.Send(id, probe)
					}
				}
			}
		}
		return nil
	})
	// Warm the queue up so its slice has grown before timing.
	if err := s.RunUntil(func(s *sim.Sim) bool { return s.Delivered() >= 10_000 }); err != nil {
		b.Fatal(err)
	}
	start := s.Delivered()
	target := start + int64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	if err := s.RunUntil(func(s *sim.Sim) bool { return s.Delivered() >= target }); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if got := s.Delivered() - start; got != int64(b.N) {
		b.Fatalf("delivered %d, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
