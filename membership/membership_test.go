package membership_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/lockstep-actors/lockstep/membership/flush"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// testConfig is the configuration of the in-process tests: 5 ms ticks and
// suspicion after 60 ticks (300 ms), generous enough for -race on a shared
// two-core machine not to suspect a live member.
func testConfig(members []history.ProcessID) membership.Config {
	cfg := membership.DefaultConfig("g")
	cfg.Members = members
	cfg.Core.SuspectTimeout = 60
	return cfg
}

// cluster is n members founded together on one local node.
type cluster struct {
	node   *actors.Node
	b      *board
	log    *history.Log
	ids    []history.ProcessID
	groups map[history.ProcessID]*membership.Group
}

func newCluster(t *testing.T, n int, opts ...membership.Option) *cluster {
	t.Helper()
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Close)
	c := &cluster{node: node, b: newBoard(), log: history.NewLog(), groups: make(map[history.ProcessID]*membership.Group)}
	for i := range n {
		c.ids = append(c.ids, node.ProcessID(fmt.Sprintf("m%d", i)))
	}
	for i, id := range c.ids {
		cfg := testConfig(c.ids)
		cfg.Name = fmt.Sprintf("m%d", i)
		g, err := membership.Start(node, cfg, c.b.producer(id), append([]membership.Option{membership.WithRecorder(c.log)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		c.groups[id] = g
	}
	c.b.await(t, 10*time.Second, "view 1 everywhere", func() bool { return c.b.inView(c.ids, c.ids) })
	return c
}

func without(ids []history.ProcessID, gone ...history.ProcessID) []history.ProcessID {
	return slices.DeleteFunc(slices.Clone(ids), func(p history.ProcessID) bool { return slices.Contains(gone, p) })
}

// crash stops the member's actor, as a crash would, and records it.
func (c *cluster) crash(id history.ProcessID) {
	c.log.Record(history.Event{Time: time.Now().UnixNano(), Process: id, Kind: history.Crash, Value: "actor stopped by the test"})
	_ = c.node.Root().StopFuture(c.groups[id].PID()).Wait()
}

// streamAll starts every listed member streaming n multicasts; the returned
// channel yields each stream's error.
func (c *cluster) streamAll(ids []history.ProcessID, n int, stop <-chan struct{}) <-chan error {
	errs := make(chan error, len(ids))
	for _, id := range ids {
		i := slices.Index(c.ids, id)
		go func() { errs <- stream(c.groups[id], i, n, time.Millisecond, stop) }()
	}
	return errs
}

func TestCrashInstallsViewOnSurvivors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		victim int
	}{{"member", 2}, {"coordinator", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			const perSender = 150
			c := newCluster(t, 5)
			victim := c.ids[tc.victim]
			survivors := without(c.ids, victim)
			stop := make(chan struct{})
			defer close(stop)
			errs := c.streamAll(c.ids, perSender, stop)
			c.b.await(t, 10*time.Second, "a third of the stream at the victim", func() bool {
				return c.b.apps[victim].count >= perSender*5/3
			})
			c.crash(victim)
			c.b.await(t, 10*time.Second, "the view without the victim", func() bool { return c.b.inView(survivors, survivors) })
			c.b.await(t, 20*time.Second, "every survivor's stream at every survivor", func() bool {
				return c.b.deliveredAll(survivors, survivors, perSender)
			})
			h := c.log.History()
			checkHistory(t, h)
			checkSurvivorsLoseNothing(t, h, survivors)
			c.b.mu.Lock()
			defer c.b.mu.Unlock()
			first := c.b.apps[survivors[0]]
			for _, id := range survivors {
				a := c.b.apps[id]
				if a.misordered > 0 {
					t.Errorf("%s: %d deliveries outside the last installed view", id, a.misordered)
				}
				if a.lastView().ID != 2 || a.lastView().Members[0] != survivors[0] {
					t.Errorf("%s ended in %+v, want view 2 led by %s", id, a.lastView(), survivors[0])
				}
				if a.sum != first.sum || a.count != first.count {
					t.Errorf("%s: state (sum %d, count %d) differs from %s's (%d, %d)", id, a.sum, a.count, survivors[0], first.sum, first.count)
				}
			}
			for range survivors { // the victim's stream ends with ErrStopped or when stop closes
				if err := <-errs; err != nil && !errors.Is(err, membership.ErrStopped) {
					t.Error(err)
				}
			}
			t.Logf("%d events, %d deliveries, %d views installed; survivors delivered %d each",
				len(h), count(h, history.Deliver), count(h, history.ViewInstall), first.count)
		})
	}
}

func TestJoinWithStateTransfer(t *testing.T) {
	const perSender = 120
	c := newCluster(t, 3)
	stop := make(chan struct{})
	defer close(stop)
	errs := c.streamAll(c.ids, perSender, stop)
	c.b.await(t, 10*time.Second, "some of the stream", func() bool { return c.b.apps[c.ids[0]].count >= 60 })

	joiner := c.node.ProcessID("j")
	cfg := membership.DefaultConfig("g")
	cfg.Core.SuspectTimeout = 60
	cfg.Name = "j"
	cfg.Seeds = []string{string(c.ids[1])}
	g, err := membership.Start(c.node, cfg, c.b.producer(joiner), membership.WithRecorder(c.log))
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(c.ids), joiner)
	c.b.await(t, 10*time.Second, "the view with the joiner", func() bool { return c.b.inView(all, all) })
	for i := 1; i <= 20; i++ {
		if err := g.Multicast(wrapperspb.UInt64(uint64(9_000_000 + i))); err != nil {
			t.Fatal(err)
		}
	}
	c.b.await(t, 20*time.Second, "every stream everywhere", func() bool {
		return c.b.deliveredAll(all, c.ids, perSender) && c.b.deliveredAll(all, []history.ProcessID{joiner}, 20)
	})
	for range c.ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	checkHistory(t, c.log.History())
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	j, ref := c.b.apps[joiner], c.b.apps[c.ids[0]]
	if j.views[0].Prev != 0 || !j.views[0].Has(joiner) {
		t.Errorf("joiner's first view %+v", j.views[0])
	}
	if j.sum != ref.sum || j.count != ref.count {
		t.Errorf("joiner state (sum %d, count %d) != member's (%d, %d): state transfer lost or doubled deliveries", j.sum, j.count, ref.sum, ref.count)
	}
	if j.count <= uint64(j.bySender[joiner]+perSender) {
		t.Errorf("joiner counted %d deliveries: the snapshot carried nothing", j.count)
	}
}

func TestLeave(t *testing.T) {
	c := newCluster(t, 4)
	leaver := c.ids[3]
	stayers := c.ids[:3]
	stop := make(chan struct{})
	defer close(stop)
	errs := c.streamAll(stayers, 80, stop)
	c.b.await(t, 10*time.Second, "some of the stream", func() bool { return c.b.apps[leaver].count >= 40 })
	if err := c.groups[leaver].Leave(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.groups[leaver].Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the leaver never got out of the group")
	}
	c.b.await(t, 10*time.Second, "the view without the leaver", func() bool { return c.b.inView(stayers, stayers) })
	c.b.await(t, 20*time.Second, "the rest of the stream", func() bool { return c.b.deliveredAll(stayers, stayers, 80) })
	for range stayers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := c.groups[leaver].Multicast(wrapperspb.UInt64(1)); !errors.Is(err, membership.ErrStopped) {
		t.Errorf("multicast after leaving: %v, want ErrStopped", err)
	}
	checkHistory(t, c.log.History())
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	if s := c.b.apps[leaver].stopped; s == nil || !s.Left {
		t.Errorf("leaver's Stopped event %+v, want Left", s)
	}
}

func TestConfigValidate(t *testing.T) {
	good := membership.DefaultConfig("g")
	good.Seeds = []string{"127.0.0.1:4000"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*membership.Config){
		"no group":         func(c *membership.Config) { c.Group = "" },
		"no members/seeds": func(c *membership.Config) { c.Seeds = nil },
		"zero tick":        func(c *membership.Config) { c.TickInterval = 0 },
		"no pending":       func(c *membership.Config) { c.PendingLimit = 0 },
		"bad seed":         func(c *membership.Config) { c.Seeds = []string{"/x"} },
		"core timeout":     func(c *membership.Config) { c.Core.SuspectTimeout = 1 },
	} {
		c := good
		mod(&c)
		err := c.Validate()
		if !errors.Is(err, membership.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
		if name == "core timeout" && !errors.Is(err, flush.ErrConfig) {
			t.Errorf("%s: %v, want flush.ErrConfig too", name, err)
		}
	}
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	bad := membership.DefaultConfig("g")
	bad.Members = []history.ProcessID{"elsewhere:1/x"}
	if _, err := membership.Start(node, bad, newBoard().producer("x")); !errors.Is(err, membership.ErrConfig) {
		t.Errorf("founding list without this member: %v, want ErrConfig", err)
	}
}
