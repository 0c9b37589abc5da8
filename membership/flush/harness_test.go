package flush

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// cluster is a group of Members in the simulator, for tests.
type cluster struct {
	s       *sim.Sim
	members map[history.ProcessID]*Member
	order   []history.ProcessID
	tweak   func(*Config)
	class   layer.Class
	next    uint64
}

func pids(prefix string, n int) []history.ProcessID {
	out := make([]history.ProcessID, n)
	for i := range out {
		out[i] = history.ProcessID(fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

func newCluster(cfg sim.Config, class layer.Class, founders []history.ProcessID, tweak func(*Config)) (*cluster, error) {
	s, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	c := &cluster{s: s, members: make(map[history.ProcessID]*Member), tweak: tweak, class: class}
	for _, id := range founders {
		if err := c.add(DefaultConfig(id, "g", founders)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cluster) add(cfg Config) error {
	cfg.HeartbeatEvery = 4
	cfg.SuspectTimeout = 20
	cfg.RetransmitEvery = 3
	cfg.BackoffTicks = 24
	cfg.Ordering.Window = 32 // the layer allocates its rings per view
	cfg.Ordering.HeartbeatTicks = 3
	cfg.Ordering.NakTicks = 3
	cfg.Class = c.class
	if c.tweak != nil {
		c.tweak(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		return err
	}
	c.members[cfg.Self] = m
	c.order = append(c.order, cfg.Self)
	return c.s.Add(m)
}

// join adds a process at time at that joins through seeds.
func (c *cluster) join(at int64, id history.ProcessID, seeds []history.ProcessID) {
	c.s.Do(at, func(*sim.Sim) error {
		cfg := DefaultConfig(id, "g", nil)
		cfg.Seeds = seeds
		return c.add(cfg)
	})
}

// multicast makes id multicast at time at, if it is in a view then.
func (c *cluster) multicast(at int64, id history.ProcessID) {
	c.s.Do(at, func(s *sim.Sim) error {
		m := c.members[id]
		if m == nil || s.Crashed(id) {
			return nil
		}
		c.next++
		_, err := m.Multicast(&wire.Probe{From: string(id), N: c.next})
		if errors.Is(err, ErrNotMember) || errors.Is(err, layer.ErrWindowFull) {
			return nil // not in a view now, or flow control: the workload moves on
		}
		return err
	})
}

// crash crashes id if it exists and is still running.
func (c *cluster) crash(id history.ProcessID) error {
	if c.members[id] == nil || c.s.Crashed(id) {
		return nil
	}
	return c.s.Crash(id)
}

// live returns the processes that are neither crashed nor out of the group.
func (c *cluster) live() []history.ProcessID {
	var out []history.ProcessID
	for _, id := range c.order {
		st := c.members[id].Status()
		if !c.s.Crashed(id) && st != Excluded && st != Left {
			out = append(out, id)
		}
	}
	return out
}

// settled reports whether every live member that has a view is in the same
// view and neither flushing nor blocked.
func (c *cluster) settled() bool {
	var id uint64
	for _, p := range c.live() {
		m := c.members[p]
		switch m.Status() {
		case Joining:
			continue
		case Normal:
		default:
			return false
		}
		if id != 0 && m.View().ID != id {
			return false
		}
		id = m.View().ID
		// A crash not yet detected leaves a view change to come: a view
		// that still holds a crashed member is not the end of the story.
		if slices.ContainsFunc(m.View().Members, c.s.Crashed) {
			return false
		}
	}
	return true
}

// coordinator returns the rank-0 member of the newest view any live member has.
func (c *cluster) coordinator() history.ProcessID {
	var best View
	for _, id := range c.live() {
		if v := c.members[id].View(); v.ID > best.ID {
			best = v
		}
	}
	for _, p := range best.Members {
		if !c.s.Crashed(p) {
			return p
		}
	}
	return ""
}

// check runs the virtual synchrony checkers and the class's checkers.
// With safetyOnly (a run that ended blocked for want of a majority) the
// liveness checkers (validity, agreement) are left out.
func check(h history.History, class layer.Class, safetyOnly bool) error {
	checks := append(append([]history.Checker(nil), history.VirtualSynchronyChecks...), history.ChecksFor(class.String())...)
	if safetyOnly {
		checks = append(append([]history.Checker(nil), history.VirtualSynchronyChecks...), safetyChecks(class)...)
	}
	return checkWith(h, checks...)
}

// checkWith runs checks on h and renders the first violations as an error.
func checkWith(h history.History, checks ...history.Checker) error {
	vs := history.CheckAll(h, checks...)
	if len(vs) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d violations, first:", len(vs))
	for i, v := range vs {
		if i == 3 {
			break
		}
		b.WriteString("\n")
		b.WriteString(v.String())
	}
	return errors.New(b.String())
}

// safetyChecks are the class's checkers without the liveness ones
// (validity, agreement).
func safetyChecks(class layer.Class) []history.Checker {
	cs := []history.Checker{history.CheckIntegrity}
	switch class {
	case layer.FIFO:
		cs = append(cs, history.CheckFIFO)
	case layer.Causal:
		cs = append(cs, history.CheckFIFO, history.CheckCausal)
	case layer.Atomic:
		cs = append(cs, history.CheckTotalOrder, history.CheckTotalOrderPrefix)
	case layer.FIFOAtomic:
		cs = append(cs, history.CheckTotalOrder, history.CheckTotalOrderPrefix, history.CheckFIFO)
	case layer.CausalAtomic:
		cs = append(cs, history.CheckTotalOrder, history.CheckTotalOrderPrefix, history.CheckFIFO, history.CheckCausal)
	}
	return cs
}
