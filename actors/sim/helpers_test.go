package sim_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// names returns p1..pn.
func names(n int) []history.ProcessID {
	ids := make([]history.ProcessID, n)
	for i := range ids {
		ids[i] = history.ProcessID(fmt.Sprintf("p%d", i+1))
	}
	return ids
}

func newSim(t testing.TB, cfg sim.Config) *sim.Sim {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	return s
}

// floodGroup adds n Flood cores to s and returns them.
func floodGroup(t testing.TB, s *sim.Sim, n int) []*simtest.Flood {
	t.Helper()
	ids := names(n)
	cores := make([]*simtest.Flood, n)
	for i, id := range ids {
		cores[i] = simtest.NewFlood(id, ids)
		if err := s.Add(cores[i]); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	return cores
}

// multicastAt schedules core c to multicast body at time at.
func multicastAt(s *sim.Sim, at int64, c *simtest.Flood, body string) {
	s.Do(at, func(*sim.Sim) error { c.Multicast([]byte(body)); return nil })
}

// encode renders h as bytes, payloads included, so histories can be
// compared byte for byte.
func encode(t testing.TB, h history.History) []byte {
	t.Helper()
	var out []byte
	for _, ev := range h {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal event: %v", err)
		}
		out = append(out, line...)
		if ev.Payload != nil {
			raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(ev.Payload)
			if err != nil {
				t.Fatalf("marshal payload: %v", err)
			}
			out = append(out, fmt.Sprintf(" %x", raw)...)
		}
		out = append(out, '\n')
	}
	return out
}

// deliveries maps each process to the ids it delivered, in order.
func deliveries(h history.History) map[history.ProcessID][]history.MsgID {
	d := make(map[history.ProcessID][]history.MsgID)
	for _, ev := range h {
		if ev.Kind == history.Deliver {
			d[ev.Process] = append(d[ev.Process], ev.Msg)
		}
	}
	return d
}

// eventsOf returns the events of kind k.
func eventsOf(h history.History, k history.Kind) history.History {
	var out history.History
	for _, ev := range h {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// sink records the N of every probe it receives, per sender, in arrival
// order.
type sink struct {
	id  history.ProcessID
	got map[history.ProcessID][]uint64
}

var _ step.Machine = (*sink)(nil)

func newSink(id history.ProcessID) *sink {
	return &sink{id: id, got: make(map[history.ProcessID][]uint64)}
}

func (k *sink) ID() history.ProcessID { return k.id }
func (k *sink) Step(from history.ProcessID, msg proto.Message) error {
	p, ok := msg.(*wire.Probe)
	if !ok {
		return fmt.Errorf("%w: %T", simtest.ErrUnexpected, msg)
	}
	k.got[from] = append(k.got[from], p.GetN())
	return nil
}
func (k *sink) Tick()                 {}
func (k *sink) HasReady() bool        { return false }
func (k *sink) Ready() step.Ready     { return step.Ready{} }
func (k *sink) Advance(rd step.Ready) {}

// blast adds a sender "src" that sends count numbered probes to "dst" (a
// sink), spread over the first count/10 ticks, and returns the sink.
func blast(t testing.TB, s *sim.Sim, count int) *sink {
	t.Helper()
	src := simtest.NewEcho("src", 0)
	dst := newSink("dst")
	for _, m := range []step.Machine{src, dst} {
		if err := s.Add(m); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	for i := range count {
		s.Do(int64(i/10), func(*sim.Sim) error {
			src.Send("dst", &wire.Probe{N: uint64(i + 1)})
			return nil
		})
	}
	return dst
}
