package flush

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

var (
	long     = flag.Bool("long", false, "run the long randomized sweeps (20x the schedules)")
	fromFlag = flag.Uint64("from", 1, "the first seed of the randomized sweeps")
)

// The shape of a schedule, in ticks: faults and multicasts happen before
// horizon; then the quiescent phase checks every settleStep ticks (at most
// maxSettleSteps times) whether the group has settled, and runs repairTail
// more ticks once it has.
const (
	horizon        = 180
	settleStep     = 20
	maxSettleSteps = 20
	repairTail     = 40
)

// debugHook, when set by a debugging test, sees the cluster at the end of a run.
var debugHook func(*cluster)

// scheduleStats sums what a batch of random schedules exercised, so a test
// can show the faults it claims to inject really happened.
type scheduleStats struct {
	runs, stuck, crashes, coordCrashes, flushCrashes, joins, leaves, partitions, views, delivers atomic.Int64
}

// runSchedule runs one random schedule: a group of 3 to 7 founders under
// loss, duplication and delay, with crashes (of the coordinator too, and
// during a flush), joins, leaves and a partition, then a quiescent phase,
// and returns the history. The whole schedule is a function of seed.
//
// blocked reports that the run ended with live members blocked for want of a
// majority (more failures than the group could survive): such a group never
// flushes again, so only safety can be judged, agreement and validity being
// liveness properties that need the next view.
func runSchedule(seed uint64, class layer.Class, tweak func(*Config), st *scheduleStats) (h history.History, blocked bool, err error) {
	shape := rand.New(rand.NewPCG(seed*8+uint64(class), 0x5eed))
	cfg := sim.DefaultConfig()
	cfg.Seed = seed*8 + uint64(class) // each class meets different schedules
	cfg.Net.MinDelay = 1
	cfg.Net.MaxDelay = 1 + shape.Int64N(5)
	if shape.IntN(4) > 0 {
		cfg.Net.Loss = shape.Float64() * 0.08
	}
	if shape.IntN(3) == 0 {
		cfg.Net.Duplicate = shape.Float64() * 0.05
	}
	cfg.MaxTime = horizon + settleStep*(maxSettleSteps+1) + repairTail
	n := 3 + shape.IntN(5)
	founders := pids("p", n)
	c, err := newCluster(cfg, class, founders, tweak)
	if err != nil {
		return nil, false, err
	}
	s := c.s
	w := s.Rand()

	joiners := pids("j", w.IntN(3))
	all := append(append([]history.ProcessID(nil), founders...), joiners...)
	for _, j := range joiners {
		seeds := []history.ProcessID{founders[w.IntN(n)], founders[w.IntN(n)]}
		c.join(1+w.Int64N(horizon-60), j, seeds)
		st.joins.Add(1)
	}
	for range 20 + w.IntN(60) {
		c.multicast(1+w.Int64N(horizon), all[w.IntN(len(all))])
	}
	// Losses (crashes and leaves) stay below half the founders, so that a
	// primary component survives and liveness can be judged at the end.
	budget := (n - 1) / 2
	pair := budget >= 2 && w.IntN(2) == 0
	if pair {
		budget -= 2
	}
	losses := w.IntN(budget + 1)
	for range losses {
		at := 10 + w.Int64N(horizon-40)
		switch w.IntN(5) {
		case 4: // a random process crashes part way through sending (mid-multicast, often)
			victim := all[w.IntN(len(all))]
			after := 1 + w.IntN(40)
			s.Do(at, func(s *sim.Sim) error {
				if c.members[victim] == nil || s.Crashed(victim) {
					return nil
				}
				st.crashes.Add(1)
				return s.Inject(victim, faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: after}})
			})
		case 0: // a random process
			victim := all[w.IntN(len(all))]
			s.Do(at, func(s *sim.Sim) error { st.crashes.Add(1); return c.crash(victim) })
		case 1: // the coordinator
			s.Do(at, func(s *sim.Sim) error {
				st.crashes.Add(1)
				st.coordCrashes.Add(1)
				return c.crash(c.coordinator())
			})
		case 2: // whoever coordinates once a flush is under way
			s.Do(at, func(s *sim.Sim) error {
				flushing := false
				for _, id := range c.live() {
					if c.members[id].Status() == Flushing {
						flushing = true
					}
				}
				if flushing {
					st.flushCrashes.Add(1)
				}
				st.crashes.Add(1)
				return c.crash(c.coordinator())
			})
		default: // a leave
			s.Do(at, func(s *sim.Sim) error {
				live := c.live()
				if len(live) > 0 {
					st.leaves.Add(1)
					c.members[live[w.IntN(len(live))]].Leave()
				}
				return nil
			})
		}
	}
	// A crash soon after another lands in the flush the first one started.
	if pair {
		at := 40 + w.Int64N(horizon-100)
		s.Do(at, func(s *sim.Sim) error { st.crashes.Add(1); return c.crash(c.coordinator()) })
		s.Do(at+16+w.Int64N(8), func(s *sim.Sim) error {
			for _, id := range c.live() {
				if c.members[id].Status() == Flushing {
					st.flushCrashes.Add(1)
					st.crashes.Add(1)
					return c.crash(c.coordinator())
				}
			}
			return nil
		})
	}
	if w.IntN(3) == 0 {
		at := 10 + w.Int64N(horizon-60)
		perm := w.Perm(n)
		k := 1 + w.IntN(n-1)
		var a, b []history.ProcessID
		for i, r := range perm {
			if i < k {
				a = append(a, founders[r])
			} else {
				b = append(b, founders[r])
			}
		}
		s.Do(at, func(s *sim.Sim) error { st.partitions.Add(1); return s.Partition(a, b) })
		s.Do(at+10+w.Int64N(80), func(s *sim.Sim) error { s.Heal(); return nil })
	}
	if err := s.RunFor(horizon); err != nil {
		return nil, false, err
	}
	// The quiescent phase: heal, stop loss, and run until every live member
	// is in the same view and not flushing (heartbeats never fall silent, so
	// the simulator's own quiescence never comes), then long enough for
	// loss repair to finish. A group that lost its majority never settles.
	if err := s.QuiesceFor(settleStep); err != nil {
		return nil, false, err
	}
	for range maxSettleSteps {
		if c.settled() {
			break
		}
		if err := s.RunFor(settleStep); err != nil {
			return nil, false, err
		}
	}
	if err := s.RunFor(repairTail); err != nil {
		return nil, false, err
	}
	h = s.History()
	if debugHook != nil {
		debugHook(c)
	}
	for _, id := range c.live() {
		if c.members[id].Status() == Blocked {
			st.stuck.Add(1)
			blocked = true
			break
		}
	}
	for _, e := range h {
		switch e.Kind {
		case history.ViewInstall:
			st.views.Add(1)
		case history.Deliver:
			st.delivers.Add(1)
		}
	}
	st.runs.Add(1)
	return h, blocked, nil
}

// sweep runs count schedules on two goroutines (the simulator is single
// threaded; schedules are independent) and reports the first failing seed.
func sweep(t *testing.T, count int, class layer.Class, tweak func(*Config)) *scheduleStats {
	t.Helper()
	return sweepWith(t, count, class, tweak, func(h history.History, blocked bool) error { return check(h, class, blocked) })
}

// sweepWith is sweep with a judge of its own.
func sweepWith(t *testing.T, count int, class layer.Class, tweak func(*Config), judge func(history.History, bool) error) *scheduleStats {
	t.Helper()
	st := &scheduleStats{}
	var failed atomic.Uint64
	var msg atomic.Value
	var wg sync.WaitGroup
	const workers = 2
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := *fromFlag + uint64(wk); seed < *fromFlag+uint64(count); seed += workers {
				if f := failed.Load(); f != 0 && f < seed {
					return
				}
				h, blocked, err := runSchedule(seed, class, tweak, st)
				if err == nil {
					err = judge(h, blocked)
				}
				if err != nil {
					for {
						f := failed.Load()
						if f != 0 && f < seed {
							break
						}
						if failed.CompareAndSwap(f, seed) {
							msg.Store(fmt.Sprintf("seed %d: %v", seed, err))
							break
						}
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f != 0 {
		root, _, _ := strings.Cut(t.Name(), "/")
		t.Fatalf("%s\nreplay: go test ./membership/flush/ -run '^%s$' -seed=%d -class=%s", msg.Load(), root, f, class)
	}
	return st
}
