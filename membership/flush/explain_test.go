package flush

import (
	"flag"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

var explainStable = flag.Bool("stable", false, "with -seed: explain the schedule under StableDelivery")

// TestExplainSeed prints what happened in one random schedule, for
// debugging a seed a sweep reported:
//
//	go test ./membership/flush/ -run TestExplainSeed -v -seed=N -class=C [-stable]
//
// It logs every event but multicasts and deliveries, each member's state
// at the end, and the checkers' verdict. It is skipped without -seed.
func TestExplainSeed(t *testing.T) {
	if *seedFlag == 0 {
		t.Skip("needs -seed")
	}
	class, err := layer.ParseClass(*classFlag)
	if err != nil {
		t.Fatal(err)
	}
	debugHook = func(c *cluster) {
		for _, id := range c.order {
			m := c.members[id]
			t.Logf("%s crashed=%v status=%s view=%d suspects=%v reported=%v promised=%v coordinating=%v",
				id, c.s.Crashed(id), m.Status(), m.view.ID, m.suspects, m.reported, m.promised, m.coord != nil)
			if m.data != nil {
				t.Logf("%s holds %v, delivered %d in total order", id, m.data.recvVector(), m.data.deliveredGS)
			}
			if k := m.coord; k != nil {
				t.Logf("%s leads %v: targets %v, %d reports, proposal %v, accept sent %v, votes %v", id, k.ballot, k.targets, len(k.replies), k.proposal, k.accepted, k.acks)
			}
			if m.pendAccept != nil || m.pendCommit != nil {
				t.Logf("%s waits: accept %v commit %v", id, m.pendAccept, m.pendCommit)
			}
		}
	}
	defer func() { debugHook = nil }()
	h, blocked, err := runSchedule(*seedFlag, class, func(c *Config) { c.StableDelivery = *explainStable }, &scheduleStats{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[history.Kind]int{}
	for _, e := range h {
		kinds[e.Kind]++
		if e.Kind != history.Deliver && e.Kind != history.Multicast {
			t.Log(e.Time, e.String(), e.Value)
		}
	}
	t.Logf("events by kind: %v (ended blocked: %v)", kinds, blocked)
	if err := check(h, class, blocked); err != nil {
		t.Log(err)
	}
}
