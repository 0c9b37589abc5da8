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

// Recovery is how long after the fault the throughput, averaged over
// sliding spans of length span, was last below frac of the pre-fault
// rate; 0 if it never dropped, and the whole rest of the window if it
// never came back.
func (r *Result) Recovery(frac float64, span time.Duration) time.Duration {
	pre := r.PreFault()
	step := r.Config.SampleEvery
	var last time.Duration
	for t := r.Fault + span; t <= r.Window; t += step {
		if r.Rate(t-span, t) < frac*pre {
			last = t - r.Fault
		}
	}
	return last
}
