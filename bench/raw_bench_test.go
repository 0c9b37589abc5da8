package bench_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
	"github.com/lockstep-actors/lockstep/bench/internal/rawfanout"
)

// TestLoopbackChild is the entry point of the child processes that the
// multi-process benchmarks start from this test binary; run directly, it
// skips (see package bench/internal/loopback).
func TestLoopbackChild(t *testing.T) { loopback.Serve(t) }

// BenchmarkRawFanout: raw protoactor-go fan-out, the limit Lockstep's
// ordered classes are measured against. One sender sends the same 100-byte
// wire.Probe to every receiver with ctx.Send: no ordering, reliability or
// membership, only a coarse credit window (one credit per 4096 messages)
// so memory stays bounded. Each iteration is one message sent to all
// receivers; "msgs/s/member" is delivered messages per second at each
// receiver, and allocs/op counts all of one message's deliveries.
//
//   - inproc/n=N: one sender and N receiving actors in one process;
//   - loopback/procs=3: the sender's process and 2 receiving processes (this
//     test binary re-executed) over protoactor remote on 127.0.0.1, with
//     process start-up outside the timing.
func BenchmarkRawFanout(b *testing.B) {
	for _, n := range []int{3, 5, 7} {
		b.Run(fmt.Sprintf("inproc/n=%d", n), func(b *testing.B) {
			benchRawGroup(b, rawfanout.StartInProcess, rawfanout.DefaultConfig(n, b.N))
		})
	}
	b.Run("loopback/procs=3", func(b *testing.B) {
		// allocs/op counts the sender's process only
		benchRawGroup(b, rawfanout.StartLoopback, rawfanout.DefaultConfig(2, b.N))
	})
}

func benchRawGroup(b *testing.B, start func(context.Context, rawfanout.Config) (*rawfanout.Group, error), cfg rawfanout.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*cfg.Timeout)
	defer cancel()
	g, err := start(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := g.Close(); err != nil {
			b.Error(err)
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	res, err := g.Run(ctx, b.N)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	metrics.ReportPerMember(b, res.PerMember())
}
