package layer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// simulate runs one seeded schedule of class on the shared simulator:
// 3 to 7 members, random multicasts from random members, a network with
// loss, duplication, delay and reordering, then a heal and a run to
// quiescence. It returns the history and the members.
func simulate(class Class, seed uint64) (history.History, []*Member, error) {
	p := paramsFor(seed)
	cfg := sim.DefaultConfig()
	cfg.Seed = seed
	cfg.Net = sim.NetConfig{Loss: p.loss, Duplicate: p.dup, MinDelay: 0, MaxDelay: int64(p.maxDelay), Reorder: true}
	cfg.IdleTicks = 2
	cfg.MaxTime = 100_000
	s, err := sim.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	var ids []history.ProcessID
	for i := range p.members {
		ids = append(ids, history.ProcessID(fmt.Sprintf("p%d", i)))
	}
	ms := make([]*Member, len(ids))
	for i, id := range ids {
		c := DefaultConfig()
		c.Self, c.Group, c.Members, c.View, c.Class, c.Window = id, "g", ids, 1, class, p.window
		if ms[i], err = New(c); err != nil {
			return nil, nil, err
		}
		if err := s.Add(ms[i]); err != nil {
			return nil, nil, err
		}
	}
	var multicast func(s *sim.Sim) error
	multicast = func(s *sim.Sim) error {
		i := s.Rand().IntN(len(ms))
		_, err := ms[i].Multicast(&wire.Probe{From: string(ids[i]), N: uint64(s.Now())})
		if errors.Is(err, ErrWindowFull) {
			s.Do(s.Now()+1+int64(s.Rand().IntN(3)), multicast) // back-pressure: try again later
			return nil
		}
		return err
	}
	for range p.multicasts {
		s.Do(int64(s.Rand().IntN(2*p.multicasts)), multicast)
	}
	if err := s.Run(); err != nil {
		return nil, nil, err
	}
	if err := s.Quiesce(); err != nil {
		return nil, nil, err
	}
	return s.History(), ms, nil
}

// TestClassesOnSharedSimulator judges 2,000 schedules per class (100,000
// with -long) on the shared simulator with the shared checkers.
func TestClassesOnSharedSimulator(t *testing.T) {
	for _, class := range Classes {
		t.Run(class.String(), func(t *testing.T) {
			t.Parallel()
			deliveries := 0
			simtest.Explore(t, schedules(), func(seed uint64) error {
				h, ms, err := simulate(class, seed)
				if err != nil {
					return fmt.Errorf("class %s seed %d: %w", class, seed, err)
				}
				if v := history.CheckAll(h, history.ChecksFor(class.String())...); len(v) > 0 {
					return fmt.Errorf("class %s seed %d params %+v: %d violations, first: %v", class, seed, paramsFor(seed), len(v), v[0])
				}
				for _, m := range ms {
					if r := m.Stats().Rejected; r != 0 {
						return fmt.Errorf("class %s seed %d: %s rejected %d messages of correct peers", class, seed, m.ID(), r)
					}
					if m.Held() != 0 {
						return fmt.Errorf("class %s seed %d: %s holds %d messages after quiescence", class, seed, m.ID(), m.Held())
					}
					deliveries += int(m.Stats().Delivered)
				}
				return nil
			})
			t.Logf("class %s: %d deliveries judged", class, deliveries)
		})
	}
}
