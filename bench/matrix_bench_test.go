package bench_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
	"github.com/lockstep-actors/lockstep/bench/internal/matrix"
	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// BenchmarkMatrix is the failure matrix: every ordering class x group size
// (3, 5, 7) x failure scenario, all members in one process, every member
// multicasting 100-byte payloads closed-loop (256 in flight each), on
// package membership (see bench/internal/matrix for why every scenario
// runs on the view manager, and what each scenario injects). One
// iteration is one run: a fresh group measured for 750 ms before the
// fault moment and one second after it (300 ms each under -short), so run
// it with -benchtime=1x and use -count for benchstat's samples. A cell
// whose view change does not happen within 5 s after its window fails
// with the views each member installed; the other cells still run.
//
// Metrics: msgs/s/member (delivered per member of the final view over the
// window), p50-ns and p99-ns (multicast to delivery), allocs/msg (heap
// allocations of the whole process per multicast, its deliveries
// included), and for the scenarios that remove a member view-change-ms
// (fault to the last survivor installing the new view) and recovered-ms
// (the first moment after the fault, from the view change on, at which
// throughput over the next 250 ms is at least 90% of the pre-fault rate;
// the rest of the window if never, and then recovered-runs, the fraction
// of runs that did recover within the window, is below 1). views counts the views installed (1 = no
// view change; more in a scenario that removes nobody means a live member
// was suspected under load) and live-removed the members that should have
// stayed but were removed or blocked. ns/op is zeroed: an iteration is a
// whole run.
//
// -short runs the CI smoke subset: three members, the FIFO and atomic
// classes, every scenario, in well under two minutes.
func BenchmarkMatrix(b *testing.B) {
	sizes, classes := []int{3, 5, 7}, layer.Classes
	if testing.Short() {
		sizes, classes = []int{3}, []layer.Class{layer.FIFO, layer.Atomic}
	}
	for _, class := range classes {
		for _, n := range sizes {
			for _, s := range matrix.Scenarios {
				b.Run(fmt.Sprintf("class=%s/n=%d/scenario=%s", class, n, s), func(b *testing.B) {
					cfg := matrix.DefaultConfig(class, n, s)
					cfg.Before, cfg.After = 750*time.Millisecond, time.Second
					if testing.Short() {
						cfg.Before, cfg.After = 300*time.Millisecond, 300*time.Millisecond
					}
					benchMatrixCell(b, cfg)
				})
			}
		}
	}
}

func benchMatrixCell(b *testing.B, cfg matrix.Config) {
	var lat metrics.Histogram
	var rate, allocs float64
	var views, removed int
	var changes, recoveries []float64
	recovered, early := 0, 0
	for range b.N {
		res, err := matrix.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		rate += res.PerMember
		allocs += res.AllocsPerMulticast
		lat.Merge(&res.Latency)
		views = max(views, res.Views)
		removed = max(removed, res.Removed)
		if res.RemovedEarly {
			early++
		}
		if cfg.Scenario.RemovesMember() && !res.RemovedEarly {
			changes = append(changes, float64(res.ViewChange)/1e6)
			rec, ok := res.Recovery(0.9, 250*time.Millisecond)
			if ok {
				recovered++
			}
			recoveries = append(recoveries, float64(rec)/1e6)
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(rate/float64(b.N), metrics.UnitPerMember)
	metrics.ReportLatency(b, &lat)
	b.ReportMetric(allocs/float64(b.N), "allocs/msg")
	b.ReportMetric(float64(views), "views")
	b.ReportMetric(float64(removed), "live-removed")
	if cfg.Scenario.RemovesMember() {
		b.ReportMetric(float64(early), "removed-before-fault")
	}
	if len(changes) > 0 {
		b.ReportMetric(middle(changes), "view-change-ms")
		b.ReportMetric(middle(recoveries), "recovered-ms")
		b.ReportMetric(float64(recovered)/float64(b.N), "recovered-runs")
	}
}

// middle is the median of xs.
func middle(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func init() { loopback.Register(matrix.LoopbackRole, matrix.LoopbackMember) }

// BenchmarkMatrixLoopback: the failure-free column of the matrix across 3
// OS processes on 127.0.0.1 (this test binary re-executed, one member per
// process, protoactor remote), for the FIFO and atomic classes, the ones
// compared with JGroups' NAKACK and SEQUENCER. msgs/s/member is the
// slowest member's delivered rate (as the JGroups figure is), p50-ns the
// median of the members' medians and p99-ns the largest of their 99th
// percentiles. The failure scenarios across processes are covered by
// BenchmarkMembershipCrashToViewLoopback (crash) only.
func BenchmarkMatrixLoopback(b *testing.B) {
	classes := []layer.Class{layer.FIFO, layer.Atomic}
	for _, class := range classes {
		b.Run(fmt.Sprintf("class=%s/procs=3", class), func(b *testing.B) {
			cfg := matrix.DefaultLoopbackConfig(class)
			if testing.Short() {
				cfg.Duration = 500 * time.Millisecond
			}
			var rate, mean float64
			var p50, p99 time.Duration
			views := 0
			for range b.N {
				res, err := matrix.RunLoopback(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				rate, mean = rate+res.MinRate, mean+res.MeanRate
				p50, p99 = max(p50, res.P50), max(p99, res.P99)
				views = max(views, res.Views)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(rate/float64(b.N), metrics.UnitPerMember)
			b.ReportMetric(mean/float64(b.N), "mean-msgs/s/member")
			b.ReportMetric(float64(p50), metrics.UnitP50)
			b.ReportMetric(float64(p99), metrics.UnitP99)
			b.ReportMetric(float64(views), "view-changes")
		})
	}
}
