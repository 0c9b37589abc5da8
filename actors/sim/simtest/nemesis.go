package simtest

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
)

// Nemesis describes a random fault schedule, in the manner of Jepsen's
// nemesis: crashes and partitions at random times within a horizon, every
// partition healed again before the horizon ends, so that a quiescent phase
// after it can check liveness.
type Nemesis struct {
	// Crashes is the most processes crashed (each at most once); the
	// schedule crashes between 0 and Crashes of them.
	Crashes int
	// Partitions is how many partitions are formed, one after another.
	Partitions int
	// Horizon is the virtual time within which everything happens.
	Horizon int64
}

// Schedule draws a schedule from s.Rand and queues it on s with Do. It
// returns the processes it will crash. Partitions split ids into two random
// non-empty sides and last a random time within Horizon; they do not overlap.
func (n Nemesis) Schedule(s *sim.Sim, ids []history.ProcessID) []history.ProcessID {
	rng := s.Rand()
	horizon := max(n.Horizon, 2)
	victims := slices.Clone(ids)
	rng.Shuffle(len(victims), func(i, j int) { victims[i], victims[j] = victims[j], victims[i] })
	victims = victims[:rng.IntN(min(n.Crashes, len(ids))+1)]
	for _, v := range victims {
		s.Do(rng.Int64N(horizon), func(s *sim.Sim) error { return s.Crash(v) })
	}
	if len(ids) < 2 || n.Partitions <= 0 {
		return victims
	}
	// Each partition gets its own slot of the horizon, so they never overlap.
	slot := horizon / int64(n.Partitions)
	for i := range n.Partitions {
		if slot < 2 {
			break
		}
		start := int64(i)*slot + rng.Int64N(slot/2)
		end := start + 1 + rng.Int64N(slot/2)
		var a, b []history.ProcessID
		cut := 1 + rng.IntN(len(ids)-1)
		order := rng.Perm(len(ids))
		for k, j := range order {
			if k < cut {
				a = append(a, ids[j])
			} else {
				b = append(b, ids[j])
			}
		}
		s.Do(start, func(s *sim.Sim) error { return s.Partition(a, b) })
		s.Do(end, func(s *sim.Sim) error { s.Heal(); return nil })
	}
	return victims
}
