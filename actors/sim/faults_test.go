package sim_test

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"google.golang.org/protobuf/proto"
)

// faultRun runs four Flood processes; p1 multicasts rounds messages, one
// every 10 ticks from time 0, and p4 one at time 5. spec is injected into
// victim before the run.
func faultRun(t *testing.T, victim history.ProcessID, spec faults.Spec, rounds int) (*sim.Sim, history.History) {
	t.Helper()
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 4)
	if err := s.Inject(victim, spec); err != nil {
		t.Fatalf("Inject: %v", err)
	}
	for i := range rounds {
		multicastAt(s, int64(10*i), cores[0], "v")
	}
	multicastAt(s, 5, cores[3], "w")
	if err := s.Run(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s, s.History()
}

// fromSender counts, per process, the deliveries of messages sent by sender.
func fromSender(h history.History, sender history.ProcessID) map[history.ProcessID]int {
	n := make(map[history.ProcessID]int)
	for _, ev := range h {
		if ev.Kind == history.Deliver && ev.Msg.Sender == sender {
			n[ev.Process]++
		}
	}
	return n
}

// faultyEvent returns the Faulty event of p, if any.
func faultyEvent(h history.History, p history.ProcessID) (history.Event, bool) {
	for _, ev := range h {
		if ev.Kind == history.Faulty && ev.Process == p {
			return ev, true
		}
	}
	return history.Event{}, false
}

func TestNoFaultBaseline(t *testing.T) {
	_, h := faultRun(t, "p1", faults.Spec{}, 5)
	n := fromSender(h, "p1")
	for _, p := range names(4) {
		if n[p] != 5 {
			t.Fatalf("%s delivered %d of p1's 5 messages without faults", p, n[p])
		}
	}
	if len(eventsOf(h, history.Faulty))+len(eventsOf(h, history.Crash)) != 0 {
		t.Fatal("a fault-free run recorded Faulty or Crash events")
	}
	if v := history.CheckAll(h, history.CheckIntegrity, history.CheckValidity, history.CheckUniformAgreement); len(v) != 0 {
		t.Fatalf("fault-free Flood run violates properties: %v", v)
	}
}

func TestInjectRejectsBadSpecs(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	floodGroup(t, s, 2)
	if err := s.Inject("p1", faults.Spec{Model: faults.Timing}); !errors.Is(err, faults.ErrInvalidSpec) {
		t.Fatalf("Inject timing without delay = %v, want ErrInvalidSpec", err)
	}
	if err := s.Inject("nobody", faults.Spec{Model: faults.Crash}); !errors.Is(err, sim.ErrProcess) {
		t.Fatalf("Inject unknown process = %v, want ErrProcess", err)
	}
}

func TestFaultCrashAfterMessages(t *testing.T) {
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: 7}}, 5)
	crashes := eventsOf(h, history.Crash)
	if len(crashes) != 1 || crashes[0].Process != "p1" {
		t.Fatalf("crash events %+v, want one for p1", crashes)
	}
	for _, ev := range h[crashes[0].Index+1:] {
		if ev.Process == "p1" {
			t.Fatalf("p1 acted after its crash: %+v", ev)
		}
	}
	// The first 7 messages p1 handles are its 3 sends of m1, 3 receipts of
	// its relays and p4's message: m1 goes out, m2 onwards never does.
	n := fromSender(h, "p1")
	if n["p2"] != 1 || n["p3"] != 1 || n["p4"] != 1 {
		t.Fatalf("deliveries of p1's messages %v, want exactly the first one", n)
	}
	if !s.Stats().Procs[0].Crashed || !s.Crashed("p1") {
		t.Fatal("stats do not show p1 crashed")
	}
}

func TestFaultCrashAtTick(t *testing.T) {
	_, h := faultRun(t, "p1", faults.Spec{Model: faults.Crash, Start: faults.Trigger{AtTick: 25}}, 5)
	crashes := eventsOf(h, history.Crash)
	if len(crashes) != 1 || crashes[0].Time != 25 {
		t.Fatalf("crash events %+v, want p1's at tick 25", crashes)
	}
	if n := fromSender(h, "p1"); n["p2"] != 3 {
		t.Fatalf("p2 delivered %d of p1's messages, want the 3 sent before tick 25", n["p2"])
	}
}

func TestFaultSendOmission(t *testing.T) {
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.SendOmission}, 5)
	n := fromSender(h, "p1")
	if n["p1"] != 5 || n["p2"]+n["p3"]+n["p4"] != 0 {
		t.Fatalf("deliveries of p1's messages %v: want p1 only", n)
	}
	if ev, ok := faultyEvent(h, "p1"); !ok || ev.Value != "send-omission" || ev.Time != 0 {
		t.Fatalf("Faulty event %+v (found %v), want send-omission at 0", ev, ok)
	}
	// p1 tried 15 sends of its own and 2 relays of p4's message.
	st := s.Stats()
	if st.SendOmitted != 17 || st.Procs[0].Faults.Dropped != 17 || st.Procs[0].Sent != 0 {
		t.Fatalf("send omitted %d (injector %d, sent %d), want all 17", st.SendOmitted, st.Procs[0].Faults.Dropped, st.Procs[0].Sent)
	}
	// p1 still receives: it delivered p4's message.
	if fromSender(h, "p4")["p1"] != 1 {
		t.Fatal("send omission also stopped p1 receiving")
	}

	// A partial rate loses some, not all.
	_, h = faultRun(t, "p1", faults.Spec{Model: faults.SendOmission, Rate: 0.5, Seed: 3}, 20)
	if n := fromSender(h, "p1")["p2"]; n == 0 || n == 20 {
		t.Fatalf("with rate 0.5 p2 delivered %d of 20", n)
	}
}

func TestFaultReceiveOmission(t *testing.T) {
	s, h := faultRun(t, "p2", faults.Spec{Model: faults.ReceiveOmission}, 5)
	if n := fromSender(h, "p1"); n["p2"] != 0 || n["p3"] != 5 {
		t.Fatalf("deliveries of p1's messages %v, want none at p2, all at p3", n)
	}
	if ev, ok := faultyEvent(h, "p2"); !ok || ev.Value != "receive-omission" {
		t.Fatalf("no receive-omission Faulty event for p2: %+v", ev)
	}
	if st := s.Stats(); st.ReceiveOmitted == 0 || st.Procs[1].Received != 0 {
		t.Fatalf("receive omitted %d, p2 received %d", st.ReceiveOmitted, st.Procs[1].Received)
	}
}

func TestFaultTiming(t *testing.T) {
	const delay = 30
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.Timing, Delay: delay}, 5)
	sentAt := map[history.MsgID]int64{}
	for _, ev := range h {
		if ev.Kind == history.Multicast {
			sentAt[ev.Msg] = ev.Time
		}
	}
	late := 0
	for _, ev := range h {
		if ev.Kind != history.Deliver || ev.Process == ev.Msg.Sender {
			continue
		}
		lag := ev.Time - sentAt[ev.Msg]
		switch {
		case ev.Msg.Sender == "p1" && lag < delay:
			t.Fatalf("%s delivered p1's %v after %d ticks, want >= %d", ev.Process, ev.Msg, lag, delay)
		case ev.Msg.Sender == "p1":
			late++
		case lag > 2*sim.DefaultConfig().Net.MaxDelay:
			t.Fatalf("a correct sender's message took %d ticks", lag)
		}
	}
	// 15 sends of p1's own messages and 2 relays of p4's were held back.
	if late != 15 || s.Stats().Procs[0].Faults.Delayed != 17 {
		t.Fatalf("late deliveries %d, delayed %d, want 15 and 17", late, s.Stats().Procs[0].Faults.Delayed)
	}
}

// TestFaultTimingCrashDropsHeldMessages: what a process held back and had
// not sent when it crashed is never sent.
func TestFaultTimingCrashDropsHeldMessages(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 2)
	if err := s.Inject("p1", faults.Spec{Model: faults.Timing, Delay: 50}); err != nil {
		t.Fatal(err)
	}
	multicastAt(s, 0, cores[0], "x")
	s.Do(10, func(s *sim.Sim) error { return s.Crash("p1") })
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if n := fromSender(s.History(), "p1")["p2"]; n != 0 {
		t.Fatalf("p2 delivered %d messages p1 held back before crashing", n)
	}
	if s.Stats().SendOmitted != 1 {
		t.Fatalf("send omitted %d, want the 1 held message", s.Stats().SendOmitted)
	}
}

// corruptionSeen counts the ways the correct processes can see that p1
// sends wrong values: deliveries of ids p1 never multicast, deliveries whose
// payload differs from what p1 delivered itself, and rejected messages.
func corruptionSeen(s *sim.Sim, h history.History) int {
	own := map[history.MsgID]proto.Message{}
	for _, ev := range h {
		if ev.Kind == history.Deliver && ev.Process == "p1" && ev.Msg.Sender == "p1" {
			own[ev.Msg] = ev.Payload
		}
	}
	seen := 0
	for _, ev := range h {
		if ev.Kind != history.Deliver || ev.Process == "p1" || ev.Msg.Sender == "p4" {
			continue
		}
		if orig, ok := own[ev.Msg]; !ok || !proto.Equal(orig, ev.Payload) {
			seen++
		}
	}
	st := s.Stats()
	for _, p := range st.Procs[1:] {
		seen += int(p.StepErrors)
	}
	return seen
}

func TestFaultValue(t *testing.T) {
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.Value}, 10)
	// Every send is corrupted, relays included (corrupted ids come back to
	// p1 as new messages, so it relays more than p4's one).
	if st := s.Stats().Procs[0]; st.Faults.Corrupted != int(st.Sent) || st.Sent < 30 {
		t.Fatalf("corrupted %d of p1's %d sends", st.Faults.Corrupted, st.Sent)
	}
	if corruptionSeen(s, h) == 0 {
		t.Fatal("no correct process saw a corrupted value")
	}
	if ev, ok := faultyEvent(h, "p1"); !ok || ev.Value != "value" {
		t.Fatalf("no value Faulty event for p1: %+v", ev)
	}
}

func TestFaultStateTransition(t *testing.T) {
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.StateTransition}, 5)
	st := s.Stats()
	if st.Procs[0].Faults.Replayed == 0 {
		t.Fatal("no stale message re-sent")
	}
	// Each peer got p1's first message again in place of the current one,
	// the current one a round late, and the last one never.
	if n := fromSender(h, "p1"); n["p1"] != 5 || n["p2"] != 4 || n["p3"] != 4 || n["p4"] != 4 {
		t.Fatalf("deliveries of p1's messages %v, want 5 at p1 and 4 elsewhere", n)
	}
	if st.Procs[1].Received <= 5+1 {
		t.Fatalf("p2 received %d messages: the stale re-sends did not arrive", st.Procs[1].Received)
	}
}

func TestFaultArbitrary(t *testing.T) {
	s, h := faultRun(t, "p1", faults.Spec{Model: faults.Arbitrary, Adversary: faults.Silent{}}, 5)
	if n := fromSender(h, "p1"); n["p2"]+n["p3"]+n["p4"] != 0 {
		t.Fatalf("a silent adversary's messages were delivered: %v", n)
	}
	if ev, ok := faultyEvent(h, "p1"); !ok || ev.Value != "arbitrary" {
		t.Fatalf("no arbitrary Faulty event for p1: %+v", ev)
	}
	if st := s.Stats().Procs[0]; st.Faults.Dropped != 17 || st.Sent != 0 {
		t.Fatalf("silent adversary dropped %d and sent %d, want 17 and 0", st.Faults.Dropped, st.Sent)
	}

	s, h = faultRun(t, "p1", faults.Spec{Model: faults.Arbitrary, Adversary: faults.Garbage{}}, 10)
	if st := s.Stats().Procs[0]; st.Faults.Forged != int(st.Sent) || st.Sent < 30 || corruptionSeen(s, h) == 0 {
		t.Fatalf("garbage adversary: forged %d of %d sends, seen %d", st.Faults.Forged, st.Sent, corruptionSeen(s, h))
	}
}

func TestInjectLaterAndRemove(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 3)
	for i := range 6 {
		multicastAt(s, int64(10*i), cores[0], "v")
	}
	s.Do(25, func(s *sim.Sim) error { return s.Inject("p1", faults.Spec{Model: faults.SendOmission}) })
	s.Do(45, func(s *sim.Sim) error { return s.Inject("p1", faults.Spec{}) })
	s.Do(52, func(s *sim.Sim) error { return s.Inject("p1", faults.Spec{Model: faults.Value, Rate: 0.001}) })
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	h := s.History()
	if n := fromSender(h, "p1")["p2"]; n != 4 {
		t.Fatalf("p2 delivered %d of p1's 6, want 4 (those at 30 and 40 omitted)", n)
	}
	if ev, ok := faultyEvent(h, "p1"); !ok || ev.Time != 25 {
		t.Fatalf("Faulty event %+v, want at 25", ev)
	}
	if n := len(eventsOf(h, history.Faulty)); n != 1 {
		t.Fatalf("%d Faulty events for a process given two models, want 1", n)
	}
}
