package flush

import (
	"flag"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
)

var seedFlag = flag.Uint64("seed", 0, "replay one schedule of the randomized sweeps")

func schedules(t *testing.T, n int) int {
	if *long {
		return 20 * n
	}
	return n
}

func TestRandomSchedulesFIFO(t *testing.T) {
	if *seedFlag != 0 {
		st := &scheduleStats{}
		h, blocked, err := runSchedule(*seedFlag, nil, st)
		if err == nil {
			err = check(h, "fifo", blocked)
		}
		if err != nil {
			t.Fatalf("seed %d: %v", *seedFlag, err)
		}
		return
	}
	st := sweep(t, schedules(t, 1500), nil, "fifo")
	t.Logf("%d schedules (%d ended blocked without a majority, judged on safety only): %d crashes (%d coordinator, %d during a flush), %d joins, %d leaves, %d partitions, %d view installs, %d deliveries",
		st.runs.Load(), st.stuck.Load(), st.crashes.Load(), st.coordCrashes.Load(), st.flushCrashes.Load(), st.joins.Load(), st.leaves.Load(), st.partitions.Load(), st.views.Load(), st.delivers.Load())
}

// TestRandomSchedulesStable runs the same schedules with stable-only
// delivery, which must also give uniform agreement: nothing a crashed member
// delivered is missing at the survivors.
func TestRandomSchedulesStable(t *testing.T) {
	stable := func(c *Config) { c.StableDelivery = true }
	st := sweepWith(t, schedules(t, 800), stable, func(h history.History, blocked bool) error {
		if err := check(h, "fifo", blocked); err != nil {
			return err
		}
		if blocked {
			return nil
		}
		return checkWith(h, history.CheckUniformAgreement)
	})
	t.Logf("%d schedules (%d ended blocked), %d crashes, %d view installs, %d deliveries",
		st.runs.Load(), st.stuck.Load(), st.crashes.Load(), st.views.Load(), st.delivers.Load())
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
		t.Run(tc.name, func(t *testing.T) {
			st := &scheduleStats{}
			for seed := uint64(1); seed <= 1000; seed++ {
				h, blocked, err := runSchedule(seed, tc.tweak, st)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if err := check(h, "fifo", blocked); err != nil {
					t.Logf("caught at seed %d: %v", seed, err)
					return
				}
			}
			t.Fatalf("no checker caught the broken flush in 1000 seeds")
		})
	}
}
