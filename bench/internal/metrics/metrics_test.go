package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverDurationsInOrder(t *testing.T) {
	prev := -1
	for ns := uint64(0); ns < 1<<20; ns += 1 + ns/64 {
		b := bucketOf(ns)
		if b < prev {
			t.Fatalf("bucket of %d ns is %d, below the previous %d", ns, b, prev)
		}
		if lo := lowerBound(b); lo > ns || (ns-lo)*16 > ns {
			t.Fatalf("%d ns in bucket %d with lower bound %d: error above 1/16", ns, b, lo)
		}
		prev = b
	}
	if b := bucketOf(1<<63 + 5); b >= buckets {
		t.Fatalf("largest duration maps to bucket %d of %d", b, buckets)
	}
}

func TestQuantilesAgainstSortedSamples(t *testing.T) {
	const seed = 7
	r := rand.New(rand.NewPCG(seed, 0))
	var h, a, b Histogram
	samples := make([]time.Duration, 100_000)
	for i := range samples {
		samples[i] = time.Duration(r.ExpFloat64() * float64(50*time.Microsecond))
		h.Record(samples[i])
		if i%2 == 0 {
			a.Record(samples[i])
		} else {
			b.Record(samples[i])
		}
	}
	a.Merge(&b)
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99} {
		want := samples[int(q*float64(len(samples)))]
		got := h.Quantile(q)
		if got > want || float64(want-got) > float64(want)/16+1 {
			t.Errorf("seed %d: q%.2f = %v, exact %v: outside 1/16", seed, q, got, want)
		}
		if a.Quantile(q) != got {
			t.Errorf("seed %d: merged q%.2f = %v, single %v", seed, q, a.Quantile(q), got)
		}
	}
	if h.Quantile(1) != samples[len(samples)-1] || h.Count() != uint64(len(samples)) {
		t.Errorf("max %v count %d, want %v and %d", h.Quantile(1), h.Count(), samples[len(samples)-1], len(samples))
	}
	var empty Histogram
	if empty.Quantile(0.5) != 0 {
		t.Errorf("empty histogram quantile %v, want 0", empty.Quantile(0.5))
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(1000, func() { h.Record(123 * time.Microsecond) }); n != 0 {
		t.Fatalf("Record allocates %v times", n)
	}
}

type recorded map[string]float64

func (r recorded) ReportMetric(n float64, unit string) { r[unit] = n }

func TestReporting(t *testing.T) {
	r := recorded{}
	ReportPerMember(r, PerSecond(500, time.Second/2))
	if r[UnitPerMember] != 1000 || r["ns/op"] != 0 {
		t.Fatalf("reported %v", r)
	}
	var h Histogram
	ReportLatency(r, &h) // nothing recorded: nothing reported
	if _, ok := r[UnitP50]; ok {
		t.Fatalf("latency reported for an empty histogram: %v", r)
	}
	h.Record(time.Millisecond)
	ReportLatency(r, &h)
	if r[UnitP50] <= 0 || r[UnitP99] < r[UnitP50] {
		t.Fatalf("latency %v", r)
	}
	if PerSecond(1, 0) != 0 {
		t.Fatal("PerSecond with no time should be 0")
	}
}
