package layer

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
)

var long = flag.Bool("long", false, "run 100,000 schedules per class instead of 2,000")

// paramsFor draws the shape of one schedule from its seed: 3 to 7 members,
// with loss, duplication, delay and reordering.
func paramsFor(seed uint64) netParams {
	r := rand.New(rand.NewPCG(seed, 1))
	return netParams{
		members:    3 + r.IntN(5),
		multicasts: 8 + r.IntN(25),
		loss:       []float64{0, 0.05, 0.2}[r.IntN(3)],
		dup:        []float64{0, 0.05, 0.2}[r.IntN(3)],
		maxDelay:   r.IntN(4),
		window:     []int{2, 4, 16}[r.IntN(3)],
	}
}

// runSchedule plays one seeded schedule and returns its history.
func runSchedule(t testing.TB, class Class, seed uint64) (history.History, []history.ProcessID) {
	s := playSchedule(t, class, seed)
	return s.hist, s.ids
}

func playSchedule(t testing.TB, class Class, seed uint64) *simNet {
	p := paramsFor(seed)
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

func schedules() int {
	if *long {
		return 100_000
	}
	return 2_000
}

func TestSimulatedSchedules(t *testing.T) {
	for _, class := range Classes {
		t.Run(class.String(), func(t *testing.T) {
			t.Parallel()
			n := schedules()
			deliveries, steps := 0, 0
			var total Stats
			for seed := uint64(1); seed <= uint64(n); seed++ {
				s := playSchedule(t, class, seed)
				h, procs := s.hist, s.ids
				steps += s.steps
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
				for _, c := range checksFor(class) {
					if v := c(h, procs); len(v) > 0 {
						t.Fatalf("class %s seed %d (replay: runSchedule(t, %s, %d)): %d violations, first: %s",
							class, seed, class, seed, len(v), v[0])
					}
				}
				for _, e := range h {
					if e.Kind == history.Deliver {
						deliveries++
					}
				}
			}
			t.Logf("class %s: %d schedules, %d deliveries, %d packets stepped, no violation; %+v", class, n, deliveries, steps, total)
		})
	}
}

// firstViolation returns the first seed whose history of class fails check.
func firstViolation(t *testing.T, class Class, c check, seeds int) (uint64, string) {
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		h, procs := runSchedule(t, class, seed)
		if v := c(h, procs); len(v) > 0 {
			return seed, v[0]
		}
	}
	return 0, ""
}

// The checkers have teeth: a weaker class run through a stronger class's
// checker is caught in some seed.
func TestCheckersCatchWeakerClasses(t *testing.T) {
	for _, tc := range []struct {
		class Class
		name  string
		check check
	}{
		{FIFO, "causal", checkCausal},
		{Causal, "total", checkTotal},
		{Reliable, "fifo", checkFIFO},
		{Atomic, "fifo", checkFIFO},
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
