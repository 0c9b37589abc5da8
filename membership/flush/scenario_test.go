package flush

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// The coordinator commits a view change, but its Commit reaches nobody and
// it crashes: the next-ranked survivor must adopt the proposal the others
// voted for (the coordinator already installed it), not invent another one.
func TestTakeoverAdoptsCommittedProposal(t *testing.T) {
	ids := pids("p", 5)
	c, err := newCluster(benignSim(7), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.s.SetFilter(func(from, _ history.ProcessID, msg proto.Message) bool {
		_, commit := msg.(*Commit)
		return !(commit && from == "p0")
	})
	for i := range 30 {
		c.multicast(int64(5+i), ids[i%4])
	}
	c.s.Do(20, func(s *sim.Sim) error { return s.Crash("p4") })
	for at := int64(21); at < 200; at++ {
		c.s.Do(at, func(s *sim.Sim) error {
			if !s.Crashed("p0") && c.members["p0"].View().ID == 2 {
				return s.Crash("p0")
			}
			return nil
		})
	}
	if err := c.s.RunFor(400); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	if !c.s.Crashed("p0") {
		t.Fatal("p0 never installed view 2, so the scenario did not happen")
	}
	for _, id := range ids[1:4] {
		if got := views(h, id); !slices.Equal(got, []uint64{1, 2, 3}) {
			t.Fatalf("%s installed views %v, want [1 2 3] (2 adopted from the crashed coordinator)", id, got)
		}
		if v := c.members[id].View(); !slices.Equal(v.Members, []history.ProcessID{"p1", "p2", "p3"}) {
			t.Fatalf("%s ends in %+v", id, v)
		}
	}
}

// counter is a replicated state machine: the sum and count of the Probe
// numbers delivered. It implements StateTransfer.
type counter struct{ sum, n uint64 }

func (c *counter) Snapshot() []byte {
	b, _ := proto.Marshal(&wire.Probe{N: c.sum, Body: []byte{byte(c.n), byte(c.n >> 8)}})
	return b
}

func (c *counter) Restore(b []byte) error {
	var p wire.Probe
	if err := proto.Unmarshal(b, &p); err != nil || len(p.Body) != 2 {
		return errors.New("bad snapshot")
	}
	c.sum, c.n = p.N, uint64(p.Body[0])|uint64(p.Body[1])<<8
	return nil
}

// appNode is a driver in miniature: it applies deliveries to the counter
// when the Ready is carried out, as an actor would, before Advance.
type appNode struct {
	*Member
	app *counter
}

func (a *appNode) Advance(rd step.Ready) {
	for _, e := range rd.Events {
		if p, ok := e.Payload.(*wire.Probe); ok && e.Kind == history.Deliver {
			a.app.sum += p.N
			a.app.n++
		}
	}
	a.Member.Advance(rd)
}

func TestJoinerReceivesStateAtTheCut(t *testing.T) {
	s, err := sim.New(benignSim(9))
	if err != nil {
		t.Fatal(err)
	}
	ids := pids("p", 3)
	apps := map[history.ProcessID]*counter{}
	members := map[history.ProcessID]*Member{}
	add := func(cfg Config) error {
		apps[cfg.Self] = &counter{}
		cfg.State = apps[cfg.Self]
		m, err := New(cfg)
		if err != nil {
			return err
		}
		members[cfg.Self] = m
		return s.Add(&appNode{m, apps[cfg.Self]})
	}
	for _, id := range ids {
		if err := add(DefaultConfig(id, "g", ids)); err != nil {
			t.Fatal(err)
		}
	}
	n := uint64(0)
	for i := range 60 {
		from := ids[i%3]
		s.Do(int64(2+2*i), func(*sim.Sim) error {
			n++
			_, err := members[from].Multicast(&wire.Probe{N: n})
			return err
		})
	}
	s.Do(30, func(*sim.Sim) error {
		cfg := DefaultConfig("j0", "g", nil)
		cfg.Seeds = ids[2:]
		return add(cfg)
	})
	if err := s.RunFor(400); err != nil {
		t.Fatal(err)
	}
	if err := check(s.History(), layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	want := *apps["p0"]
	if want.n != 60 || want.sum != 60*61/2 {
		t.Fatalf("p0 applied %d messages summing %d, want 60 and %d", want.n, want.sum, 60*61/2)
	}
	for id, a := range apps {
		if *a != want {
			t.Errorf("%s ends with %+v, p0 with %+v", id, *a, want)
		}
	}
	if v := members["j0"].View(); v.Rank("j0") != 3 {
		t.Fatalf("j0 is not the newest member of %+v", v)
	}
	joinerDelivered := 0
	for _, e := range s.History() {
		if e.Process == "j0" && e.Kind == history.Deliver {
			joinerDelivered++
		}
	}
	if joinerDelivered == 0 || joinerDelivered >= 60 {
		t.Fatalf("j0 delivered %d messages itself: the snapshot should cover the rest", joinerDelivered)
	}
}

// A member that is merely slow (timing failure: every message it sends is
// held back longer than the suspicion timeout) is removed like a crashed
// one, and what it sends afterwards is refused.
func TestSlowMemberIsRemoved(t *testing.T) {
	ids := pids("p", 4)
	c, err := newCluster(benignSim(11), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.s.Inject("p3", faults.Spec{Model: faults.Timing, Rate: 1, Delay: 60, Start: faults.Trigger{AtTick: 20}}); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		c.multicast(int64(5+2*i), ids[i%4])
	}
	if err := c.s.RunFor(500); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:3] {
		if v := c.members[id].View(); v.Rank("p3") >= 0 {
			t.Fatalf("%s still has the slow p3 in %+v", id, v)
		}
	}
	refused := 0
	for _, id := range ids[:3] {
		refused += c.members[id].Stats().Refused + c.members[id].Stats().Stale
	}
	if refused == 0 {
		t.Fatal("nothing the slow member sent late was refused")
	}
	if st := c.members["p3"].Status(); st != Excluded {
		t.Fatalf("p3 is %s, want excluded once it hears of the new view", st)
	}
	// The history marks p3 Faulty (its failure model) so checkers skip it;
	// the survivors must still satisfy everything.
	if err := check(c.s.History(), layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
}

// Multicasts made while the view is being flushed are queued and go out,
// in order, in the next view.
func TestMulticastDuringFlushIsQueued(t *testing.T) {
	ids := pids("p", 3)
	c, err := newCluster(benignSim(13), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.s.Do(10, func(s *sim.Sim) error { return s.Crash("p2") })
	var queued []history.MsgID
	for at := int64(11); at < 100; at++ {
		c.s.Do(at, func(*sim.Sim) error {
			m := c.members["p1"]
			if m.Status() != Flushing || len(queued) >= 3 {
				return nil
			}
			// A payload that cannot be packed is refused at once, not
			// queued to fail in the next view.
			if _, err := m.Multicast(&wire.Probe{From: "\xff"}); !errors.Is(err, ErrMalformed) {
				return fmt.Errorf("queueing an unmarshallable payload: %v, want ErrMalformed", err)
			}
			id, err := m.Multicast(&wire.Probe{N: uint64(len(queued) + 1)})
			queued = append(queued, id)
			return err
		})
	}
	if err := c.s.RunFor(200); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 3 {
		t.Fatalf("p1 was flushing at %d of the probes, want 3", len(queued))
	}
	for _, id := range queued {
		if id != (history.MsgID{}) {
			t.Fatalf("a queued multicast returned id %v, want zero", id)
		}
	}
	h := c.s.History()
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	var sent []history.MsgID
	for _, e := range h {
		if e.Process == "p1" && e.Kind == history.Multicast {
			sent = append(sent, e.Msg)
		}
	}
	want := []history.MsgID{{Sender: "p1", View: 2, Seq: 1}, {Sender: "p1", View: 2, Seq: 2}, {Sender: "p1", View: 2, Seq: 3}}
	if !slices.Equal(sent, want) {
		t.Fatalf("p1 multicast %v, want the queued ones first thing in view 2: %v", sent, want)
	}
}

func TestBadInputIsRefusedWithSentinels(t *testing.T) {
	ids := []history.ProcessID{"a", "b", "c"}
	m, err := New(DefaultConfig("a", "g", ids))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		from history.ProcessID
		msg  proto.Message
		want error
	}{
		{"b", nil, ErrMalformed},
		{"b", &wire.Probe{}, ErrUnknownType},
		{"b", &Heartbeat{Group: "other", View: 1, Sender: "b"}, ErrMalformed},
		{"b", &Heartbeat{Group: "g", View: 1, Sender: "c"}, ErrMalformed},
		{"b", &Heartbeat{Group: "g", View: 1, Sender: "b", Recv: []uint64{1}}, ErrMalformed},
		{"x", &Heartbeat{Group: "g", View: 1, Sender: "x", Recv: []uint64{0, 0, 0}}, ErrNotMember},
		{"b", &Heartbeat{Group: "g", View: 7, Sender: "b"}, ErrFutureView},
		{"b", &wire.Data{Group: "g", View: 1, Sender: "zz", Seq: 1}, ErrMalformed},
		{"x", &wire.Data{Group: "g", View: 1, Sender: "b", Seq: 1}, ErrNotMember},
		{"b", &Flush{Group: "g", View: 1}, ErrMalformed},
		{"b", &Flush{Group: "g", View: 1, Ballot: &Ballot{Round: 1, Coordinator: "c"}}, ErrMalformed},
		{"b", &Accept{Group: "g", View: 1, Ballot: &Ballot{Round: 1, Coordinator: "b"}, Proposal: &Proposal{View: 2, Prev: 1}}, ErrMalformed},
		{"b", &Commit{Group: "g", Ballot: &Ballot{Round: 1, Coordinator: "b"}, Proposal: &Proposal{View: 9, Prev: 8, Cut: []uint64{0, 0, 0}}}, ErrFutureView},
		{"b", &Nak{Group: "g", View: 1, Sender: "b", Target: "a", From: 3, To: 2}, ErrMalformed},
		{"b", &Join{Group: "g"}, ErrMalformed},
		{"b", &Welcome{Group: "g"}, ErrMalformed},
	}
	for i, tc := range cases {
		if err := m.Step(tc.from, tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("case %d (%T from %s): Step = %v, want %v", i, tc.msg, tc.from, err, tc.want)
		}
	}
	if m.Status() != Normal || m.View().ID != 1 {
		t.Fatalf("bad input changed the member: %s in view %d", m.Status(), m.View().ID)
	}
	if _, err := m.Multicast(nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Multicast(nil) = %v, want ErrMalformed", err)
	}
	if _, err := m.Multicast(&wire.Probe{From: "\xff"}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Multicast of a payload that cannot be packed (invalid UTF-8) = %v, want ErrMalformed", err)
	}
	joiner, err := New(Config{Self: "j", Group: "g", Seeds: ids, Class: layer.FIFO, Ordering: layer.DefaultConfig(),
		HeartbeatEvery: 1, SuspectTimeout: 5, RetransmitEvery: 1, BackoffTicks: 1, MaxNak: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := joiner.Multicast(&wire.Probe{}); !errors.Is(err, ErrNotMember) {
		t.Fatalf("a joiner's Multicast = %v, want ErrNotMember", err)
	}
}

// A driver's hint (a broken connection) removes a crashed member well before
// the heartbeat timeout would.
func TestSuspectHintSpeedsDetectionUp(t *testing.T) {
	ids := pids("p", 3)
	c, err := newCluster(benignSim(15), layer.FIFO, ids, func(cfg *Config) { cfg.SuspectTimeout = 400 })
	if err != nil {
		t.Fatal(err)
	}
	c.s.Do(10, func(s *sim.Sim) error {
		c.members["p0"].Suspect("p2")
		c.members["p0"].Suspect("nobody") // not a member: ignored
		return s.Crash("p2")
	})
	if err := c.s.RunFor(80); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if v := c.members[id].View(); v.ID != 2 || v.Rank("p2") >= 0 {
			t.Fatalf("%s in %+v 70 ticks after the hint, want view 2 without p2", id, v)
		}
	}
	if err := check(c.s.History(), layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
}

// A sender crashes after its multicast reached one survivor but not the
// other: the flush forwards it, so every survivor delivers it.
func TestSenderCrashMidMulticastReachesAllSurvivors(t *testing.T) {
	ids := pids("p", 3)
	c, err := newCluster(benignSim(17), layer.FIFO, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	lost := history.MsgID{Sender: "p2", View: 1, Seq: 3}
	c.s.SetFilter(func(from, to history.ProcessID, msg proto.Message) bool {
		d, ok := msg.(*wire.Data)
		return !(ok && from == "p2" && to == "p0" && d.Seq == lost.Seq)
	})
	for i := range 3 {
		c.multicast(int64(5+i), "p2")
	}
	c.s.Do(8, func(s *sim.Sim) error { return s.Crash("p2") })
	if err := c.s.RunFor(200); err != nil {
		t.Fatal(err)
	}
	h := c.s.History()
	if err := check(h, layer.FIFO, false); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		got := false
		for _, e := range h {
			if e.Process == id && e.Kind == history.Deliver && e.Msg == lost {
				got = true
			}
		}
		if !got {
			t.Fatalf("%s never delivered %v, which p1 held when its sender crashed", id, lost)
		}
	}
}
