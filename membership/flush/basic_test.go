package flush

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

func benignSim(seed uint64) sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Seed = seed
	cfg.MaxTime = 2000
	return cfg
}

func views(h history.History, p history.ProcessID) []uint64 {
	var out []uint64
	for _, e := range h {
		if e.Process == p && e.Kind == history.ViewInstall {
			out = append(out, e.View)
		}
	}
	return out
}

func TestCrashOfCoordinatorInstallsNewView(t *testing.T) {
	ids := pids("p", 5)
	c, err := newCluster(benignSim(1), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		c.multicast(int64(5+i), ids[i%5])
	}
	c.s.Do(30, func(s *sim.Sim) error { return s.Crash("p0") })
	if err := c.s.RunFor(300); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[1:] {
		v := c.members[id].View()
		if v.ID != 2 || len(v.Members) != 4 || v.Members[0] != "p1" {
			t.Fatalf("%s ended in view %+v (status %s), want view 2 of p1..p4", id, v, c.members[id].Status())
		}
	}
}

func TestJoinAndLeave(t *testing.T) {
	ids := pids("p", 3)
	c, err := newCluster(benignSim(2), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		c.multicast(int64(5+3*i), ids[i%3])
	}
	c.join(20, "j0", ids[1:])
	c.s.Do(60, func(*sim.Sim) error { c.members["p2"].Leave(); return nil })
	if err := c.s.RunFor(400); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	v := c.members["p0"].View()
	if want := []history.ProcessID{"p0", "p1", "j0"}; len(v.Members) != 3 || v.Members[2] != "j0" || v.Members[1] != "p1" {
		t.Fatalf("final view %+v, want members %v", v, want)
	}
	if st := c.members["p2"].Status(); st != Left {
		t.Fatalf("p2 status %s, want left", st)
	}
	if got := views(h, "j0"); len(got) == 0 {
		t.Fatal("j0 never installed a view")
	}
}

func TestMinorityBlocks(t *testing.T) {
	ids := pids("p", 5)
	c, err := newCluster(benignSim(3), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.s.Do(20, func(s *sim.Sim) error { return s.Partition(ids[:3], ids[3:]) })
	for i := range 40 {
		c.multicast(int64(10+i), ids[i%5])
	}
	if err := c.s.RunFor(200); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[3:] {
		if st := c.members[id].Status(); st != Blocked && st != Flushing {
			t.Fatalf("minority %s is %s, want blocked", id, st)
		}
		if c.members[id].Primary() {
			t.Fatalf("minority %s reports primary", id)
		}
	}
	for _, id := range ids[:3] {
		if v := c.members[id].View(); v.ID != 2 || len(v.Members) != 3 {
			t.Fatalf("majority %s in view %+v, want view 2 of 3", id, v)
		}
	}
	c.s.Heal()
	if err := c.s.RunFor(200); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[3:] {
		if st := c.members[id].Status(); st != Excluded {
			t.Fatalf("after heal minority %s is %s, want excluded", id, st)
		}
	}
	if err := check(c.s.History(), layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig("a", "g", []history.ProcessID{"a", "b"})
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(*Config){
		func(c *Config) { c.Self = "" },
		func(c *Config) { c.Group = "" },
		func(c *Config) { c.Members = nil },
		func(c *Config) { c.Members = []history.ProcessID{"b"} },
		func(c *Config) { c.Members = []history.ProcessID{"a", "a"} },
		func(c *Config) { c.HeartbeatEvery = 0 },
		func(c *Config) { c.SuspectTimeout = c.HeartbeatEvery },
		func(c *Config) { c.JoinGrace = c.SuspectTimeout - 1 },
		func(c *Config) { c.JoinGrace = -1 },
		func(c *Config) { c.RetransmitEvery = 0 },
		func(c *Config) { c.BackoffTicks = 0 },
		func(c *Config) { c.MaxNak = 0 },
		func(c *Config) { c.MaxQueued = -1 },
	}
	for i, f := range bad {
		c := good
		c.Members = append([]history.ProcessID(nil), good.Members...)
		f(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: Validate() = %v, want ErrConfig", i, err)
		}
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: New() = %v, want ErrConfig", i, err)
		}
	}
}

func TestMajorityPolicy(t *testing.T) {
	five := pids("p", 5)
	cases := []struct {
		next []history.ProcessID
		want bool
	}{
		{five, true},
		{five[:3], true},
		{five[:2], false},
		{append(five[:2:2], "x", "y", "z"), false}, // joiners do not count
		{nil, false},
	}
	for i, tc := range cases {
		if got := (Majority{}).Primary(five, tc.next); got != tc.want {
			t.Errorf("case %d: Primary(%v) = %v, want %v", i, tc.next, got, tc.want)
		}
	}
}

// stubborn is a policy under which no view may follow: every member blocks
// at the first suspicion.
type stubborn struct{}

func (stubborn) Primary(_, _ []history.ProcessID) bool { return false }

func TestCustomPolicyBlocks(t *testing.T) {
	ids := pids("p", 3)
	c, err := newCluster(benignSim(19), layer.FIFO, ids, func(cfg *Config) { cfg.Policy = stubborn{} })
	if err != nil {
		t.Fatal(err)
	}
	c.s.Do(10, func(s *sim.Sim) error { return s.Crash("p2") })
	if err := c.s.RunFor(150); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if st := c.members[id].Status(); st != Blocked || c.members[id].View().ID != 1 {
			t.Fatalf("%s is %s in view %d, want blocked in view 1", id, st, c.members[id].View().ID)
		}
	}
}
