package layer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// runCompactOrNot multicasts from every member of a group of class and
// carries every message, in a seeded shuffled order, until nothing moves;
// it returns what each member delivered (sender, seq, global seq, payload)
// and how many Multicast events the Readys held.
func runCompactOrNot(t *testing.T, class Class, compact bool, seed uint64) (map[history.ProcessID][]string, int) {
	t.Helper()
	ms := group(t, class, func(c *Config) { c.CompactDeliveries = compact })
	byID := map[history.ProcessID]*Member{}
	for _, m := range ms {
		byID[m.ID()] = m
	}
	got := map[history.ProcessID][]string{}
	multicastEvents := 0
	var inflight []step.Outbound
	var from []history.ProcessID
	drain := func(m *Member) {
		if !m.HasReady() {
			return
		}
		rd := m.Ready()
		for _, o := range rd.Messages {
			inflight, from = append(inflight, o), append(from, m.ID())
		}
		for _, e := range rd.Events {
			switch e.Kind {
			case history.Multicast:
				multicastEvents++
			case history.Deliver:
				got[m.ID()] = append(got[m.ID()], fmt.Sprint(e.Msg.Sender, e.Msg.Seq, e.GlobalSeq, e.Payload.(*wire.Probe).N))
			}
		}
		for _, d := range m.Deliveries() {
			got[m.ID()] = append(got[m.ID()], fmt.Sprint(d.Sender, d.Seq, d.GlobalSeq, d.Payload.(*wire.Probe).N))
		}
		m.Advance(rd)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for i, m := range ms {
		for k := range 20 {
			if _, err := m.Multicast(&wire.Probe{N: uint64(100*i + k)}); err != nil {
				t.Fatal(err)
			}
		}
		drain(m)
	}
	for steps := 0; len(inflight) > 0; steps++ {
		if steps > 100000 {
			t.Fatal("did not settle")
		}
		k := r.IntN(len(inflight))
		o, src := inflight[k], from[k]
		inflight, from = slices.Delete(inflight, k, k+1), slices.Delete(from, k, k+1)
		if err := byID[o.To].Step(src, o.Msg); err != nil {
			t.Fatal(err)
		}
		drain(byID[o.To])
		if len(inflight) == 0 {
			for _, m := range ms {
				m.Tick()
				drain(m)
			}
		}
	}
	return got, multicastEvents
}

// Compact deliveries are the Deliver events' deliveries, in the same
// order, and the Readys carry no Multicast or Deliver event.
func TestCompactDeliveriesMatchEvents(t *testing.T) {
	for _, class := range Classes {
		for seed := uint64(1); seed <= 5; seed++ {
			full, fullMulticasts := runCompactOrNot(t, class, false, seed)
			compact, compactMulticasts := runCompactOrNot(t, class, true, seed)
			if fullMulticasts != 60 || compactMulticasts != 0 {
				t.Fatalf("%s seed %d: %d Multicast events in full mode (want 60), %d compact (want 0)", class, seed, fullMulticasts, compactMulticasts)
			}
			for _, id := range ids3 {
				if len(full[id]) != 60 || !slices.Equal(full[id], compact[id]) {
					t.Fatalf("%s seed %d: %s delivered %v with events, %v compact", class, seed, id, full[id], compact[id])
				}
			}
		}
	}
}
