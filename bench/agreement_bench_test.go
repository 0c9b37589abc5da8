package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// agreementCases are the (n, m) pairs measured, n > 3m so both algorithms
// tolerate m traitors.
var agreementCases = []struct{ n, m int }{{4, 1}, {7, 1}, {7, 2}, {10, 1}, {10, 2}, {10, 3}}

// BenchmarkAgreement measures Byzantine agreement on real actors in one
// process: every general is a protoactor actor driving a byz core, all
// loyal. Each iteration is one session (the commander proposes, every
// lieutenant decides), so ns/op is the decision latency; "msgs/decision"
// is the messages all generals sent for it.
//
// OM closes a round as soon as all its messages are in, so its latency is
// the work of O(n^(m+1)) messages. SM cannot know when a round is
// complete and closes each by the clock: its latency is (m+1) rounds of
// RoundDuration, chosen just long enough for every message to arrive in
// time (the benchmark fails if any arrives late).
func BenchmarkAgreement(b *testing.B) {
	for _, alg := range []byz.Algorithm{agreement.OM, agreement.SM} {
		for _, tc := range agreementCases {
			b.Run(fmt.Sprintf("%v/n=%d/m=%d", alg, tc.n, tc.m), func(b *testing.B) {
				benchCouncil(b, alg, tc.n, tc.m)
			})
		}
	}
}

func benchCouncil(b *testing.B, alg byz.Algorithm, n, m int) {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer node.Close()
	ids := make([]history.ProcessID, n)
	for i := range ids {
		ids[i] = node.ProcessID(fmt.Sprintf("g%d", i))
	}
	cfg := agreement.DefaultConfig()
	cfg.Algorithm, cfg.Generals, cfg.M = alg, ids, m
	cfg.RoundDuration = time.Second // OM: only a lost message would wait for it
	if alg == agreement.SM {
		keys := byztest.NewKeys(ids)
		cfg.PublicKeys, cfg.PrivateKeys = keys.Public, keys.Private
		cfg.RoundDuration = time.Duration(2+n) * time.Millisecond
	}
	c, err := agreement.NewCouncil(node, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	messages := 0
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		out, err := c.Propose(ctx, byz.Attack)
		if err != nil {
			b.Fatal(err)
		}
		if v, ok := out.Value(ids[0]); !ok || v != byz.Attack {
			b.Fatalf("decided %q %v", v, ok)
		}
		messages += out.Messages
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if st := c.Stats(); st.RejectedTotal() != 0 {
		b.Fatalf("messages rejected (late?): %v", st.Rejected)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/decision")
	b.ReportMetric(float64(messages)/float64(b.N), "msgs/decision")
}
