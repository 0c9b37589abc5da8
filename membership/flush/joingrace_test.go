package flush

import (
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// admitted returns the time at which observer installed the first view
// containing p, or -1.
func admitted(h history.History, observer, p history.ProcessID) int64 {
	for _, e := range h {
		if e.Process == observer && e.Kind == history.ViewInstall && slices.Contains(e.Members, p) {
			return e.Time
		}
	}
	return -1
}

// suspicions returns the times at which anyone suspected p.
func suspicions(h history.History, p history.ProcessID) []int64 {
	var out []int64
	for _, e := range h {
		if e.Kind == history.Suspect && e.Peer == p {
			out = append(out, e.Time)
		}
	}
	return out
}

// A joiner whose Welcome is held up (a slow connection, a long restore)
// first speaks in its view well after SuspectTimeout has passed since the
// members installed that view. Its silence counts from its first contact,
// not from the install, so it is not suspected and stays in the group.
func TestLateJoinerIsNotSuspectedBeforeFirstContact(t *testing.T) {
	const seed, hold = 21, 60 // hold: ticks every Welcome is dropped, > SuspectTimeout
	ids := pids("p", 3)
	c, err := newCluster(benignSim(seed), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	releaseAt := int64(-1)
	c.s.SetFilter(func(_, to history.ProcessID, msg proto.Message) bool {
		if _, ok := msg.(*Welcome); !ok || to != "j0" {
			return true
		}
		if releaseAt < 0 {
			releaseAt = c.s.Now() + hold
		}
		return c.s.Now() >= releaseAt
	})
	for i := range 30 {
		c.multicast(int64(5+5*i), ids[i%3])
	}
	c.join(10, "j0", ids)
	if err := c.s.RunFor(400); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	timeout := c.members["p0"].cfg.SuspectTimeout
	in, first := admitted(h, "p0", "j0"), admitted(h, "j0", "j0")
	if in < 0 || first < 0 {
		t.Fatalf("seed %d: j0 was admitted at %d and installed its view at %d: the scenario did not happen", seed, in, first)
	}
	if first-in <= timeout {
		t.Fatalf("seed %d: j0 installed its view %d ticks after the members (want > SuspectTimeout %d): the scenario did not happen", seed, first-in, timeout)
	}
	if got := suspicions(h, "j0"); len(got) > 0 {
		t.Fatalf("seed %d: j0 suspected at %v; admitted at %d, first in its view at %d, SuspectTimeout %d", seed, got, in, first, timeout)
	}
	for _, id := range append(slices.Clone(ids), "j0") {
		if v := c.members[id].View(); v.ID != 2 || v.Rank("j0") != 3 {
			t.Fatalf("seed %d: %s ends in %+v, want view 2 with j0", seed, id, v)
		}
	}
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

// A joiner that dies while it joins never speaks in the view that admits
// it. JoinGrace bounds how long the members wait for it: it is suspected
// once JoinGrace ticks have passed since the install, and removed.
func TestSilentJoinerIsRemovedAfterJoinGrace(t *testing.T) {
	const seed, grace = 23, 70
	ids := pids("p", 3)
	c, err := newCluster(benignSim(seed), layer.FIFO, ids, func(cfg *Config) { cfg.JoinGrace = grace })
	if err != nil {
		t.Fatal(err)
	}
	c.s.SetFilter(func(_, to history.ProcessID, msg proto.Message) bool {
		_, ok := msg.(*Welcome)
		return !ok || to != "j0" // j0 never learns it was admitted
	})
	c.join(10, "j0", ids)
	for at := int64(11); at < 100; at++ {
		c.s.Do(at, func(s *sim.Sim) error {
			if !s.Crashed("j0") && c.members["p0"].View().Rank("j0") >= 0 {
				return s.Crash("j0")
			}
			return nil
		})
	}
	if err := c.s.RunFor(400); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	timeout := c.members["p0"].cfg.SuspectTimeout
	in := admitted(h, "p0", "j0")
	if in < 0 || !c.s.Crashed("j0") {
		t.Fatalf("seed %d: j0 was never admitted: the scenario did not happen", seed)
	}
	got := suspicions(h, "j0")
	t.Logf("seed %d: j0 admitted at %d, suspected at %v", seed, in, got)
	if len(got) == 0 {
		t.Fatalf("seed %d: the silent joiner was never suspected", seed)
	}
	if d := got[0] - in; d <= timeout || d > grace+1 {
		t.Fatalf("seed %d: j0 first suspected %d ticks after its admission, want within (SuspectTimeout %d, JoinGrace %d]", seed, d, timeout, grace+1)
	}
	for _, id := range ids {
		if v := c.members[id].View(); v.ID != 3 || !slices.Equal(v.Members, ids) {
			t.Fatalf("seed %d: %s ends in %+v, want view 3 without j0", seed, id, v)
		}
	}
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

// The effective grace: JoinGrace when set, else a multiple of SuspectTimeout.
func TestJoinGraceDefault(t *testing.T) {
	c := DefaultConfig("a", "g", []history.ProcessID{"a"})
	if got, want := c.joinGrace(), DefaultJoinGraceFactor*c.SuspectTimeout; got != want {
		t.Fatalf("joinGrace() = %d with JoinGrace unset, want %d", got, want)
	}
	c.JoinGrace = c.SuspectTimeout
	if got := c.joinGrace(); got != c.SuspectTimeout {
		t.Fatalf("joinGrace() = %d, want the JoinGrace set, %d", got, c.SuspectTimeout)
	}
}
