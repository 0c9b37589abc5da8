package flush

import (
	"flag"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

var (
	seedFlag  = flag.Uint64("seed", 0, "replay one schedule of the randomized sweeps (with -class)")
	classFlag = flag.String("class", "fifo", "the class of the schedule replayed with -seed")
)

func schedules(n int) int {
	if *long {
		return 20 * n
	}
	return n
}

// TestRandomSchedules runs random schedules for each of the six classes and
// judges every history with the virtual synchrony checkers plus the class's
// own (ChecksFor): 6 x 300 schedules, and 300 more with stable delivery
// below, make the 2,100 of a default run.
func TestRandomSchedules(t *testing.T) {
	if *seedFlag != 0 {
		class, err := layer.ParseClass(*classFlag)
		if err != nil {
			t.Fatal(err)
		}
		h, blocked, err := runSchedule(*seedFlag, class, nil, &scheduleStats{})
		if err == nil {
			err = check(h, class, blocked)
		}
		if err != nil {
			t.Fatalf("seed %d class %s: %v", *seedFlag, class, err)
		}
		return
	}
	for _, class := range layer.Classes {
		t.Run(class.String(), func(t *testing.T) {
			st := sweep(t, schedules(300), class, nil)
			t.Logf("%d schedules (%d ended blocked without a majority, judged on safety only): %d crashes (%d coordinator, %d during a flush), %d joins, %d leaves, %d partitions, %d view installs, %d deliveries",
				st.runs.Load(), st.stuck.Load(), st.crashes.Load(), st.coordCrashes.Load(), st.flushCrashes.Load(), st.joins.Load(), st.leaves.Load(), st.partitions.Load(), st.views.Load(), st.delivers.Load())
		})
	}
}

// TestRandomSchedulesStable runs the same schedules with stable-only
// delivery, which must also give uniform agreement: nothing a crashed member
// delivered is missing at the survivors.
func TestRandomSchedulesStable(t *testing.T) {
	stable := func(c *Config) { c.StableDelivery = true }
	if *seedFlag != 0 {
		class, err := layer.ParseClass(*classFlag)
		if err != nil {
			t.Fatal(err)
		}
		h, blocked, err := runSchedule(*seedFlag, class, stable, &scheduleStats{})
		if err == nil {
			err = check(h, class, blocked)
		}
		if err == nil && !blocked {
			err = checkWith(h, history.CheckUniformAgreement)
		}
		if err != nil {
			t.Fatalf("seed %d class %s: %v", *seedFlag, class, err)
		}
		return
	}
	for _, class := range []layer.Class{layer.FIFO, layer.Causal} {
		t.Run(class.String(), func(t *testing.T) {
			st := sweepWith(t, schedules(150), class, stable, func(h history.History, blocked bool) error {
				if err := check(h, class, blocked); err != nil {
					return err
				}
				if blocked {
					return nil
				}
				return checkWith(h, history.CheckUniformAgreement)
			})
			t.Logf("%d schedules (%d ended blocked), %d crashes, %d view installs, %d deliveries",
				st.runs.Load(), st.stuck.Load(), st.crashes.Load(), st.views.Load(), st.delivers.Load())
		})
	}
}

// The teeth: deliberately broken flushes must be caught by the checkers in
// some seed, or the sweeps above prove nothing.
func TestBrokenFlushIsCaught(t *testing.T) {
	cases := []struct {
		name  string
		tweak func(*Config)
	}{
		{"cut-without-every-report", func(c *Config) { c.brokenNoWaitForReports = true }},
		{"no-gap-fill", func(c *Config) { c.brokenNoGapFill = true }},
	}
	for _, tc := range cases {
		for _, class := range []layer.Class{layer.FIFO, layer.Atomic} {
			t.Run(tc.name+"/"+class.String(), func(t *testing.T) {
				st := &scheduleStats{}
				for seed := uint64(1); seed <= 1000; seed++ {
					h, blocked, err := runSchedule(seed, class, tc.tweak, st)
					if err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					if err := check(h, class, blocked); err != nil {
						t.Logf("caught at seed %d: %v", seed, err)
						return
					}
				}
				t.Fatalf("no checker caught the broken flush in 1000 seeds")
			})
		}
	}
}
