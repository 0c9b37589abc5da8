package matrix

import (
	"slices"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
)

// Result is what one run measured.
type Result struct {
	Config Config
	// Window is the measured span; Fault is the fault moment within it.
	Window, Fault time.Duration
	// PerMember is delivered messages per second per member of the final
	// view, over the window.
	PerMember float64
	// Latency holds every multicast-to-delivery time in the window, at the
	// final view's members.
	Latency metrics.Histogram
	// AllocsPerMulticast is the process's heap allocations in the window
	// over the multicasts delivered per member.
	AllocsPerMulticast float64
	// ViewChange is the time from the fault to the last survivor
	// installing the view without the faulty member (scenarios that
	// remove one), else 0.
	ViewChange time.Duration
	// Views is the most views any final-view member installed, the first
	// included: more than one in a scenario that removes nobody means a
	// live member was suspected.
	Views int
	// RemovedEarly says the faulty member was suspected and removed
	// before its fault (a false suspicion under load): ViewChange is then
	// 0 and the cell measured no view change of its own.
	RemovedEarly bool
	// Removed counts members expected to stay that were removed from the
	// group or blocked (suspected while alive, e.g. starved of CPU).
	Removed int
	// Senders is how many members multicast at all (Config.Senders, or
	// every member).
	Senders int
	// Samples is the throughput series.
	Samples []Sample
}

// Rate is the delivered messages per second per member between from and
// to (offsets in the window), from the nearest samples.
func (r *Result) Rate(from, to time.Duration) float64 {
	i, j := r.sampleAt(from), r.sampleAt(to)
	if j <= i {
		return 0
	}
	a, b := r.Samples[i], r.Samples[j]
	return (b.Delivered - a.Delivered) / (b.At - a.At).Seconds()
}

// sampleAt is the index of the first sample at or after t (the last one
// if none is).
func (r *Result) sampleAt(t time.Duration) int {
	i, _ := slices.BinarySearchFunc(r.Samples, t, func(s Sample, t time.Duration) int {
		switch {
		case s.At < t:
			return -1
		case s.At > t:
			return 1
		}
		return 0
	})
	return min(i, len(r.Samples)-1)
}

// PreFault is the rate over the second (at most) before the fault.
func (r *Result) PreFault() float64 {
	return r.Rate(max(0, r.Fault-time.Second), r.Fault)
}

// Recovery is how long after the fault throughput was back: the first
// moment, from the view change on (from the fault when no view changes),
// at which the rate over the next span is at least frac of the pre-fault
// rate. ok is false when that never happened within the window; the
// duration is then the rest of the window. Averaging over a span, and
// starting at the view change, keep a loaded machine's short dips and
// the moments before the stall even begins from deciding the figure.
func (r *Result) Recovery(frac float64, span time.Duration) (d time.Duration, ok bool) {
	pre := r.PreFault()
	for t := r.Fault + r.ViewChange; t+span <= r.Window; t += r.Config.SampleEvery {
		if r.Rate(t, t+span) >= frac*pre {
			return t - r.Fault, true
		}
	}
	return r.Window - r.Fault, false
}
