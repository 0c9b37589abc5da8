package simtest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
)

func TestNemesisCrashesAndHeals(t *testing.T) {
	ids := []history.ProcessID{"a", "b", "c", "d", "e"}
	partitioned, crashed := 0, 0
	simtest.Explore(t, 50, func(seed uint64) error {
		cfg := sim.DefaultConfig()
		cfg.Seed = seed
		s, err := sim.New(cfg)
		if err != nil {
			return err
		}
		cores := make([]*simtest.Flood, len(ids))
		for i, id := range ids {
			cores[i] = simtest.NewFlood(id, ids)
			if err := s.Add(cores[i]); err != nil {
				return err
			}
		}
		for i := range 100 {
			c := cores[i%len(cores)]
			s.Do(int64(i), func(*sim.Sim) error { c.Multicast(nil); return nil })
		}
		victims := simtest.Nemesis{Crashes: 2, Partitions: 3, Horizon: 100}.Schedule(s, ids)
		if len(victims) > 2 {
			return fmt.Errorf("%d victims, want at most 2", len(victims))
		}
		if err := s.RunFor(100); err != nil {
			return err
		}
		// After the horizon the network is whole again: a live process's
		// multicast reaches every live process.
		live := slices.DeleteFunc(slices.Clone(cores), func(c *simtest.Flood) bool { return s.Crashed(c.ID()) })
		var final history.MsgID
		s.Do(s.Now(), func(*sim.Sim) error { final = live[0].Multicast([]byte("final")); return nil })
		if err := s.Run(); err != nil {
			return err
		}
		got := 0
		for _, ev := range s.History() {
			if ev.Kind == history.Deliver && ev.Msg == final {
				got++
			}
			if ev.Kind == history.Crash {
				crashed++
				if !slices.Contains(victims, ev.Process) {
					return fmt.Errorf("%s crashed but was not a victim", ev.Process)
				}
			}
		}
		if got != len(live) {
			return fmt.Errorf("final message delivered by %d of %d live processes", got, len(live))
		}
		if s.Stats().PartitionDropped > 0 {
			partitioned++
		}
		return nil
	})
	if partitioned == 0 || crashed == 0 {
		t.Fatalf("over 50 seeds: %d runs cut by partitions, %d crashes; the nemesis did nothing", partitioned, crashed)
	}
}
