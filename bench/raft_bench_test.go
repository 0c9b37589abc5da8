package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/bench/peers/raftpeer"
)

// raftPayloadBytes is the payload of every proposal, the same size as the
// ordered-multicast benchmarks' messages.
const raftPayloadBytes = 100

// BenchmarkRaft: etcd raft (go.etcd.io/raft/v3), 3 nodes in one process on
// MemoryStorage with an in-memory transport; each iteration is one
// 100-byte entry proposed, committed and applied on all 3 nodes, with many
// proposals in flight. "entries/s" is entries applied on every node per
// second. Raft does consensus (a majority-acknowledged log that a real
// deployment persists), which is different work from Lockstep's
// crash-tolerant group multicast: compare with that in mind.
//
// "per-entry" proposes each entry on its own (as an application calling
// Propose per request does); "batch-64" proposes 64 entries at a time.
func BenchmarkRaft(b *testing.B) {
	for _, batch := range []int{1, 64} {
		name := "per-entry"
		if batch > 1 {
			name = fmt.Sprintf("batch-%d", batch)
		}
		b.Run(fmt.Sprintf("nodes=3/%s", name), func(b *testing.B) {
			cfg := raftpeer.DefaultConfig()
			cfg.ProposalBatch = batch
			c, err := raftpeer.Start(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Stop()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			payload := make([]byte, raftPayloadBytes)
			b.ReportAllocs()
			b.ResetTimer()
			res, err := c.Replicate(ctx, b.N, payload)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.EntriesPerSecond(), "entries/s")
		})
	}
}
