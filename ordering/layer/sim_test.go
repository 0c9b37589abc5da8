package layer

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
)

var (
	long     = flag.Bool("long", false, "run 100,000 schedules per class and scheduler instead of 2,000 and 500 (about 14 minutes on 2 cores: add -timeout 30m)")
	seedFlag = flag.Uint64("seed", 0, "replay only this schedule seed")
)

// paramsFor draws the shape of one schedule from its seed: 3 to 7 members,
// with loss, duplication, delay and reordering.
func paramsFor(seed uint64) netParams {
	r := rand.New(rand.NewPCG(seed, 1))
	return netParams{
		members:    3 + r.IntN(5),
		multicasts: 6 + r.IntN(19),
		loss:       []float64{0, 0.05, 0.2}[r.IntN(3)],
		dup:        []float64{0, 0.05, 0.2}[r.IntN(3)],
		maxDelay:   r.IntN(4),
		window:     []int{2, 4, 16}[r.IntN(3)],
	}
}

// playSchedule plays one seeded schedule and returns the network with its
// history.
func playSchedule(t testing.TB, class Class, seed uint64) *simNet {
	return playScheduleIn(t, class, seed, false)
}

// playScheduleIn is playSchedule, with the members in local mode
// (netParams.local) if local.
func playScheduleIn(t testing.TB, class Class, seed uint64, local bool) *simNet {
	p := paramsFor(seed)
	p.local = local
	s, err := newSimNet(seed, class, p)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if err := s.run(); err != nil {
		t.Fatalf("class %s params %+v: %v", class, p, err)
	}
	for i, m := range s.members {
		if h := m.Held(); h != 0 {
			t.Fatalf("class %s seed %d: %s still holds %d messages after quiescence", class, seed, s.ids[i], h)
		}
	}
	return s
}

// schedules is the number of schedules per class on the shared simulator.
func schedules() int {
	if *long {
		return 100_000
	}
	return 2_000
}

// ownSchedules is the number per class on this package's own network, a
// second scheduler (random choice among all due packets, multicasts refused
// by flow control are dropped rather than retried).
func ownSchedules() int {
	if *long {
		return 100_000
	}
	return 500
}

// TestSimulatedSchedules judges schedules of every class on this package's
// own network with the shared checkers, each schedule twice: with its
// multicasts as wire.Data ("data") and as an in-process driver carries
// them ("local": Config.LocalFanout).
func TestSimulatedSchedules(t *testing.T) {
	for _, class := range Classes {
		for _, local := range []bool{false, true} {
			mode := map[bool]string{false: "data", true: "local"}[local]
			t.Run(class.String()+"/"+mode, func(t *testing.T) {
				t.Parallel()
				simulateClass(t, class, mode, local)
			})
		}
	}
}

// simulateClass plays every schedule of class in one mode.
func simulateClass(t *testing.T, class Class, mode string, local bool) {
	first, last := uint64(1), uint64(ownSchedules())
	if *seedFlag != 0 {
		first, last = *seedFlag, *seedFlag
	}
	deliveries, steps, localSteps := 0, 0, 0
	var total Stats
	for seed := first; seed <= last; seed++ {
		s := playScheduleIn(t, class, seed, local)
		h := s.hist
		steps += s.steps
		localSteps += s.local
		for _, m := range s.members {
			st := m.Stats()
			total.Duplicates += st.Duplicates
			total.NaksSent += st.NaksSent
			total.Retransmitted += st.Retransmitted
			total.WindowFull += st.WindowFull
			total.OrdersSent += st.OrdersSent
			total.OrderNaksSent += st.OrderNaksSent
			total.StatusSent += st.StatusSent
		}
		if v := history.CheckAll(h, history.ChecksFor(class.String())...); len(v) > 0 {
			t.Fatalf("class %s (%s) seed %d (replay: go test ./ordering/layer -run 'TestSimulatedSchedules/%s/%s$' -seed=%d): %d violations, first: %s",
				class, mode, seed, class, mode, seed, len(v), v[0])
		}
		for _, e := range h {
			if e.Kind == history.Deliver {
				deliveries++
			}
		}
	}
	if local != (localSteps > 0) {
		t.Fatalf("class %s (%s): %d of %d packets went to StepLocal", class, mode, localSteps, steps)
	}
	t.Logf("class %s (%s): %d schedules, %d deliveries, %d packets stepped, no violation; faults repaired: %d duplicates dropped, %d NAKs, %d retransmissions, %d order NAKs; %d multicasts refused by flow control; %d Status, %d Order messages",
		class, mode, last-first+1, deliveries, steps, total.Duplicates, total.NaksSent, total.Retransmitted, total.OrderNaksSent, total.WindowFull, total.StatusSent, total.OrdersSent)
}

// firstViolation returns the first seed whose history of class fails check.
func firstViolation(t *testing.T, class Class, check history.Checker, seeds int) (uint64, history.Violation) {
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		if v := check(playSchedule(t, class, seed).hist); len(v) > 0 {
			return seed, v[0]
		}
	}
	return 0, history.Violation{}
}

// The checkers have teeth: a weaker class run through a stronger class's
// checker is caught in some seed.
func TestCheckersCatchWeakerClasses(t *testing.T) {
	for _, tc := range []struct {
		class Class
		name  string
		check history.Checker
	}{
		{FIFO, "causal", history.CheckCausal},
		{Causal, "total", history.CheckTotalOrder},
		{Causal, "prefix", history.CheckTotalOrderPrefix},
		{Reliable, "fifo", history.CheckFIFO},
		{Atomic, "fifo", history.CheckFIFO},
		{Atomic, "causal", history.CheckCausal},
	} {
		t.Run(fmt.Sprintf("%s-through-%s", tc.class, tc.name), func(t *testing.T) {
			seed, v := firstViolation(t, tc.class, tc.check, 500)
			if seed == 0 {
				t.Fatalf("no seed in 1..500 made class %s violate %s order", tc.class, tc.name)
			}
			t.Logf("seed %d: %s", seed, v)
		})
	}
}
