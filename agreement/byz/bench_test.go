package byz_test

import (
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// BenchmarkDecision measures one full agreement (a single commander, all
// generals loyal, in one goroutine): ns/op is the decision latency in CPU
// time, msgs/decision the messages it took, ticks/decision the rounds of
// waiting (OM closes rounds early when complete, SM cannot).
func BenchmarkDecision(b *testing.B) {
	sizes := []struct{ n, m int }{{4, 1}, {7, 1}, {7, 2}, {10, 1}, {10, 2}, {10, 3}}
	for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
		for _, sz := range sizes {
			b.Run(fmt.Sprintf("%v/n=%d/m=%d", alg, sz.n, sz.m), func(b *testing.B) {
				s := byztest.Setup{Algorithm: alg, N: sz.n, M: sz.m, Keys: byztest.NewKeys(byztest.IDs(sz.n))}
				var res byztest.Result
				for b.Loop() {
					var err error
					if res, err = byztest.Run(s); err != nil {
						b.Fatal(err)
					}
				}
				if v := icViolations(res.History); len(v) > 0 {
					b.Fatal(v)
				}
				b.ReportMetric(float64(res.Sent), "msgs/decision")
				b.ReportMetric(float64(res.Ticks), "ticks/decision")
			})
		}
	}
}

// BenchmarkInteractive measures interactive consistency: n decisions per
// run (one per commander).
func BenchmarkInteractive(b *testing.B) {
	for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
		for _, sz := range []struct{ n, m int }{{4, 1}, {7, 2}} {
			b.Run(fmt.Sprintf("%v/n=%d/m=%d", alg, sz.n, sz.m), func(b *testing.B) {
				s := byztest.Setup{Algorithm: alg, N: sz.n, M: sz.m, Interactive: true, Keys: byztest.NewKeys(byztest.IDs(sz.n))}
				var res byztest.Result
				for b.Loop() {
					var err error
					if res, err = byztest.Run(s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Sent)/float64(sz.n), "msgs/decision")
			})
		}
	}
}
