package flush

import (
	"flag"
	"testing"

	"github.com/lockstep-actors/lockstep/ordering/layer"

	"github.com/lockstep-actors/lockstep/actors/history"
)

func summarize(t *testing.T, h history.History) {
	k := map[history.Kind]int{}
	for _, e := range h {
		k[e.Kind]++
		if e.Kind != history.Deliver && e.Kind != history.Multicast {
			t.Log(e.Time, e.String(), e.Value)
		}
	}
	t.Log(k)
}

var dbgStable = flag.Bool("dbgstable", false, "")

func TestDebugSeed(t *testing.T) {
	if *seedFlag == 0 {
		t.Skip()
	}
	st := &scheduleStats{}
	class, _ := layer.ParseClass(*classFlag)
	debugHook = func(c *cluster) {
		for _, ps := range c.s.Stats().Procs {
			t.Logf("sim %s: %+v", ps.ID, ps)
		}
		if m := c.members["j0"]; m != nil && m.lay != nil {
			t.Logf("j0 layer stats %+v", m.lay.Stats())
		}
		for _, id := range c.order {
			m := c.members[id]
			if m.coord != nil {
				t.Logf("coord %s targets=%v replies=%d proposal=%v accepted=%v acks=%v", id, m.coord.targets, len(m.coord.replies), m.coord.proposal, m.coord.accepted, m.coord.acks)
				if m.coord.proposal != nil {
					for _, r := range m.owed(m.coord.proposal) {
						t.Logf("owed %v held=%v", r, m.data.senders[r.rank].msgs[r.seq] != nil)
					}
				}
			}
			if m.data != nil {
				t.Logf("%s pendAccept=%v pendCommit=%v dGS=%d recv=%v", id, m.pendAccept != nil, m.pendCommit != nil, m.data.deliveredGS, m.data.recvVector())
			}
			t.Logf("%s crashed=%v status=%s view=%d suspects=%v reported=%v blocked=%v promised=%v coord=%v flushRep=%v", id, c.s.Crashed(id), m.Status(), m.view.ID, m.suspects, m.reported, m.blocked, m.promised, m.coord != nil, m.flushRep)
		}
	}
	defer func() { debugHook = nil }()
	h, blocked, err := runSchedule(*seedFlag, class, func(c *Config) { c.StableDelivery = *dbgStable }, st)
	if err != nil {
		t.Fatal(err)
	}
	summarize(t, h)
	if err := check(h, class, blocked); err != nil {
		t.Log(err)
	}
}
