package replica

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership"
)

// ClusterConfig describes replicas run together on one in-process node.
type ClusterConfig struct {
	// Replicas is the number of founding replicas.
	Replicas int
	// Replica configures every replica.
	Replica Config
	// TickInterval and SuspectTimeout (in ticks) tune failure detection.
	TickInterval   time.Duration
	SuspectTimeout int64
	// Faults, if set, gives the failure model of founding replica i (nil or
	// a zero Spec for a correct one).
	Faults func(i int) faults.Spec
	// Recorder receives every membership event and the test's crashes.
	Recorder history.Recorder
}

// DefaultClusterConfig: five replicas, 5 ms ticks, suspicion after 30 ticks.
func DefaultClusterConfig() ClusterConfig {
	return ClusterConfig{Replicas: 5, Replica: DefaultConfig(), TickInterval: 5 * time.Millisecond, SuspectTimeout: 30}
}

// Cluster is a group of replicas on one in-process node.
type Cluster struct {
	cfg  ClusterConfig
	node *actors.Node

	mu       sync.Mutex
	replicas []*Replica
	crashed  map[history.ProcessID]bool
}

// GroupName is the name of the replicas' group.
const GroupName = "kv"

// MembershipConfig is the membership configuration every replica of a
// cluster (or of a multi-process deployment) uses.
func MembershipConfig(name string, tick time.Duration, suspect int64) membership.Config {
	mc := membership.DefaultConfig(GroupName)
	mc.Name = name
	mc.TickInterval = tick
	mc.Core.SuspectTimeout = suspect
	return mc
}

// NewCluster starts cfg.Replicas replicas founding one group, and waits (up
// to 10 s) until each has installed its first view.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	if cfg.Replicas < 1 {
		return nil, fmt.Errorf("%w: %d replicas", ErrConfig, cfg.Replicas)
	}
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, node: node, crashed: make(map[history.ProcessID]bool)}
	ids := make([]history.ProcessID, cfg.Replicas)
	for i := range ids {
		ids[i] = node.ProcessID(fmt.Sprintf("r%d", i))
	}
	for i := range ids {
		mc := MembershipConfig(fmt.Sprintf("r%d", i), cfg.TickInterval, cfg.SuspectTimeout)
		mc.Members = ids
		opts := c.options()
		if cfg.Faults != nil {
			if spec := cfg.Faults(i); spec.Model != faults.None {
				f, err := node.NewFaults(spec)
				if err != nil {
					node.Close()
					return nil, err
				}
				opts = append(opts, membership.WithFaults(f))
			}
		}
		r, err := Start(node, cfg.Replica, mc, opts...)
		if err != nil {
			node.Close()
			return nil, err
		}
		c.replicas = append(c.replicas, r)
	}
	// Founders install the first view at once; waiting for more (say, all
	// still sharing it) could miss it when a faulty replica is removed early.
	if err := poll(10*time.Second, func() bool {
		for _, r := range c.replicas {
			if r.Group().View() == nil {
				return false
			}
		}
		return true
	}, "the first view on every replica"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) options() []membership.Option {
	if c.cfg.Recorder == nil {
		return nil
	}
	return []membership.Option{membership.WithRecorder(c.cfg.Recorder)}
}

// Node is the cluster's node.
func (c *Cluster) Node() *actors.Node { return c.node }

// Close stops every replica and the node.
func (c *Cluster) Close() { c.node.Close() }

// Replicas lists every replica ever started, crashed ones included.
func (c *Cluster) Replicas() []*Replica {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.replicas)
}

// Live lists the replicas neither crashed by Crash nor out of the group.
func (c *Cluster) Live() []*Replica {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Replica
	for _, r := range c.replicas {
		if !c.crashed[r.ID()] && !r.Out() {
			out = append(out, r)
		}
	}
	return out
}

// Sequencer is the live replica that ranks first in its current view: the
// sequencer of the atomic classes and the coordinator of view changes.
func (c *Cluster) Sequencer() *Replica {
	for _, r := range c.Live() {
		if v := r.Group().View(); v != nil && len(v.Members) > 0 && v.Members[0] == r.ID() {
			return r
		}
	}
	return nil
}

// Crash stops r's actor, as a crash would, and records the crash.
func (c *Cluster) Crash(r *Replica) {
	c.mu.Lock()
	c.crashed[r.ID()] = true
	c.mu.Unlock()
	if history.Enabled(c.cfg.Recorder) {
		c.cfg.Recorder.Record(history.Event{Time: time.Now().UnixNano(), Process: r.ID(), Kind: history.Crash, Value: "crashed by the driver"})
	}
	_ = c.node.Root().StopFuture(r.PID()).Wait()
}

// Join starts a new replica called name that joins through the live replicas.
func (c *Cluster) Join(name string) (*Replica, error) {
	mc := MembershipConfig(name, c.cfg.TickInterval, c.cfg.SuspectTimeout)
	for _, r := range c.Live() {
		mc.Seeds = append(mc.Seeds, string(r.ID()))
	}
	r, err := Start(c.node, c.cfg.Replica, mc, c.options()...)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.replicas = append(c.replicas, r)
	c.mu.Unlock()
	return r, nil
}

// AwaitView waits until every live replica's current view satisfies ok and
// all of them share it, polling every millisecond, for at most timeout.
func (c *Cluster) AwaitView(timeout time.Duration, ok func(*membership.ViewChange) bool) error {
	return poll(timeout, func() bool {
		var first *membership.ViewChange
		for _, r := range c.Live() {
			v := r.Group().View()
			if v == nil || !ok(v) || first != nil && v.ID != first.ID {
				return false
			}
			first = v
		}
		return first != nil
	}, "a common view on all live replicas")
}

// AwaitQuiet waits until every live replica has applied the same number of
// commands and that number has not changed for a few ms.
func (c *Cluster) AwaitQuiet(timeout time.Duration) error {
	var last uint64
	stable := 0
	return poll(timeout, func() bool {
		live := c.Live()
		if len(live) == 0 {
			return false
		}
		n := live[0].Applied()
		for _, r := range live[1:] {
			if r.Applied() != n {
				stable = 0
				return false
			}
		}
		if n == last {
			stable++
		} else {
			last, stable = n, 0
		}
		return stable >= 20
	}, "every live replica to apply the same commands")
}

// Statuses asks every live replica for its state.
func (c *Cluster) Statuses() ([]Status, error) {
	var out []Status
	for _, r := range c.Live() {
		s, err := r.Status(5 * time.Second)
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// poll checks cond every millisecond until it holds or timeout passes.
func poll(timeout time.Duration, cond func() bool, what string) error {
	deadline := time.Now().Add(timeout)
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("replica: timed out after %v waiting for %s", timeout, what)
		}
		<-t.C
	}
	return nil
}
