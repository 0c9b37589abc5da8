package sim_test

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

func TestConfigValidate(t *testing.T) {
	if err := sim.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig invalid: %v", err)
	}
	bad := map[string]func(*sim.Config){
		"loss negative":  func(c *sim.Config) { c.Net.Loss = -0.1 },
		"loss one":       func(c *sim.Config) { c.Net.Loss = 1 },
		"dup one":        func(c *sim.Config) { c.Net.Duplicate = 1 },
		"min delay < 0":  func(c *sim.Config) { c.Net.MinDelay = -1 },
		"max < min":      func(c *sim.Config) { c.Net.MinDelay, c.Net.MaxDelay = 5, 4 },
		"tick negative":  func(c *sim.Config) { c.TickEvery = -1 },
		"idle negative":  func(c *sim.Config) { c.IdleTicks = -1 },
		"max time zero":  func(c *sim.Config) { c.MaxTime = 0 },
		"max steps zero": func(c *sim.Config) { c.MaxSteps = 0 },
	}
	for name, mutate := range bad {
		cfg := sim.DefaultConfig()
		mutate(&cfg)
		if err := cfg.Validate(); !errors.Is(err, sim.ErrConfig) {
			t.Errorf("%s: Validate = %v, want ErrConfig", name, err)
		}
		if _, err := sim.New(cfg); !errors.Is(err, sim.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
}

func TestBadProcessesAreErrors(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	floodGroup(t, s, 2)
	if err := s.Add(nil); !errors.Is(err, sim.ErrProcess) {
		t.Errorf("Add(nil) = %v, want ErrProcess", err)
	}
	if err := s.Add(simtest.NewEcho("p1", 0)); !errors.Is(err, sim.ErrProcess) {
		t.Errorf("Add duplicate = %v, want ErrProcess", err)
	}
	if err := s.Crash("nobody"); !errors.Is(err, sim.ErrProcess) {
		t.Errorf("Crash unknown = %v, want ErrProcess", err)
	}
	if err := s.Isolate("nobody"); !errors.Is(err, sim.ErrProcess) {
		t.Errorf("Isolate unknown = %v, want ErrProcess", err)
	}
	if err := s.Partition([]history.ProcessID{"p1", "nobody"}); !errors.Is(err, sim.ErrProcess) {
		t.Errorf("Partition unknown = %v, want ErrProcess", err)
	}
}

// chaos runs a Flood workload with every network fault on, crashes and a
// partition, and returns its history.
func chaos(t testing.TB, seed uint64) (history.History, sim.Stats) {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.Seed = seed
	cfg.Net = sim.NetConfig{Loss: 0.1, Duplicate: 0.1, MinDelay: 1, MaxDelay: 8, Reorder: true}
	s := newSim(t, cfg)
	cores := floodGroup(t, s, 5)
	rng := s.Rand()
	for i := range 60 {
		multicastAt(s, int64(rng.IntN(100)), cores[rng.IntN(len(cores))], string(rune('a'+i%26)))
	}
	s.Do(40, func(s *sim.Sim) error { return s.Partition(names(5)[:2]) })
	s.Do(int64(30+rng.IntN(40)), func(s *sim.Sim) error { return s.Crash("p5") })
	s.Do(90, func(s *sim.Sim) error { s.Heal(); return nil })
	if err := s.Run(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s.History(), s.Stats()
}

func TestSameSeedSameHistory(t *testing.T) {
	for _, seed := range []uint64{1, 2, 99} {
		h1, st1 := chaos(t, seed)
		h2, st2 := chaos(t, seed)
		b1, b2 := encode(t, h1), encode(t, h2)
		if len(h1) < 100 {
			t.Fatalf("seed %d: history has only %d events", seed, len(h1))
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("seed %d: two runs produced different histories (%d and %d bytes)", seed, len(b1), len(b2))
		}
		if st1.Delivered != st2.Delivered || st1.Lost != st2.Lost || st1.Duplicated != st2.Duplicated {
			t.Fatalf("seed %d: stats differ: %+v vs %+v", seed, st1, st2)
		}
	}
	h1, _ := chaos(t, 1)
	h2, _ := chaos(t, 2)
	if bytes.Equal(encode(t, h1), encode(t, h2)) {
		t.Fatal("seeds 1 and 2 produced the same history")
	}
}

func TestAccountingBalances(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		_, st := chaos(t, seed)
		in := st.Sent + st.Duplicated
		out := st.Delivered + st.Filtered + st.Lost + st.PartitionDropped + st.CrashDropped + st.ReceiveOmitted + st.InFlight
		if in != out {
			t.Fatalf("seed %d: sent+duplicated = %d but accounted = %d: %+v", seed, in, out, st)
		}
		if st.InFlight != 0 {
			t.Fatalf("seed %d: %d messages in flight after quiescence", seed, st.InFlight)
		}
	}
}

func TestLossRate(t *testing.T) {
	const n = 20000
	for _, loss := range []float64{0.05, 0.3} {
		cfg := sim.DefaultConfig()
		cfg.Seed = 7
		cfg.Net.Loss = loss
		s := newSim(t, cfg)
		dst := blast(t, s, n)
		if err := s.Run(); err != nil {
			t.Fatal(err)
		}
		st := s.Stats()
		rate := float64(st.Lost) / float64(st.Sent)
		// Five standard deviations of a binomial proportion.
		if tol := 5 * math.Sqrt(loss*(1-loss)/n); math.Abs(rate-loss) > tol {
			t.Errorf("loss %v: observed %v over %d messages (tolerance %v)", loss, rate, st.Sent, tol)
		}
		if got := int64(len(dst.got["src"])); got != st.Sent-st.Lost {
			t.Errorf("loss %v: sink got %d, want sent-lost = %d", loss, got, st.Sent-st.Lost)
		}
	}
}

func TestDuplication(t *testing.T) {
	const n = 5000
	cfg := sim.DefaultConfig()
	cfg.Net.Duplicate = 0.2
	s := newSim(t, cfg)
	dst := blast(t, s, n)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Duplicated < n/10 || st.Duplicated > n*3/10 {
		t.Fatalf("duplicated %d of %d, want about 20%%", st.Duplicated, n)
	}
	got := dst.got["src"]
	if int64(len(got)) != n+st.Duplicated {
		t.Fatalf("sink got %d messages, want %d + %d duplicates", len(got), n, st.Duplicated)
	}
	seen := map[uint64]int{}
	twice := 0
	for _, v := range got {
		seen[v]++
		if seen[v] == 2 {
			twice++
		}
	}
	if int64(twice) != st.Duplicated {
		t.Fatalf("%d probes arrived twice, stats say %d duplicated", twice, st.Duplicated)
	}
}

// inversions counts pairs of consecutive arrivals out of sending order.
func inversions(got []uint64) int {
	inv := 0
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			inv++
		}
	}
	return inv
}

func TestReorderOnlyWhenAllowed(t *testing.T) {
	for _, reorder := range []bool{false, true} {
		cfg := sim.DefaultConfig()
		cfg.Net = sim.NetConfig{MinDelay: 1, MaxDelay: 30, Duplicate: 0.1, Reorder: reorder}
		s := newSim(t, cfg)
		dst := blast(t, s, 2000)
		if err := s.Run(); err != nil {
			t.Fatal(err)
		}
		got := dst.got["src"]
		if len(got) < 2000 {
			t.Fatalf("reorder=%v: sink got %d of 2000", reorder, len(got))
		}
		inv := inversions(got)
		if !reorder {
			// FIFO: every probe arrives no earlier than those sent before it
			// (a duplicate may repeat a number, never go back past it).
			if !slices.IsSorted(got) {
				t.Fatalf("FIFO link delivered out of order (%d inversions)", inv)
			}
		} else if inv < 100 {
			t.Fatalf("reordering network produced only %d inversions in 2000 messages", inv)
		}
	}
}

func TestPartitionBlocksThenHealRestores(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 4)
	ids := names(4)
	s.Do(0, func(s *sim.Sim) error { return s.Partition(ids[:2], ids[2:]) })
	multicastAt(s, 1, cores[0], "during")
	s.Do(50, func(s *sim.Sim) error { s.Heal(); return nil })
	multicastAt(s, 51, cores[0], "after")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	d := deliveries(s.History())
	during := history.MsgID{Sender: "p1", Seq: 1}
	after := history.MsgID{Sender: "p1", Seq: 2}
	for _, id := range ids {
		side := slices.Contains(ids[:2], id)
		if got := slices.Contains(d[id], during); got != side {
			t.Errorf("%s delivered the partitioned message: %v, want %v", id, got, side)
		}
		if !slices.Contains(d[id], after) {
			t.Errorf("%s did not deliver the message sent after the heal", id)
		}
	}
	if st := s.Stats(); st.PartitionDropped == 0 {
		t.Error("no message counted as cut by the partition")
	}
}

func TestIsolateCutsOneProcess(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 3)
	s.Do(0, func(s *sim.Sim) error { return s.Isolate("p3") })
	multicastAt(s, 1, cores[0], "x")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	d := deliveries(s.History())
	if len(d["p2"]) != 1 || len(d["p3"]) != 0 {
		t.Fatalf("deliveries %v: want p2 to deliver and isolated p3 not", d)
	}
}

func TestPartitionCutsMessagesInFlight(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Net.MinDelay, cfg.Net.MaxDelay = 10, 10
	s := newSim(t, cfg)
	cores := floodGroup(t, s, 2)
	multicastAt(s, 0, cores[0], "x")
	s.Do(5, func(s *sim.Sim) error { return s.Isolate("p2") })
	s.Do(20, func(s *sim.Sim) error { s.Heal(); return nil })
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if d := deliveries(s.History()); len(d["p2"]) != 0 {
		t.Fatalf("p2 delivered %v although a partition formed while it was in flight", d["p2"])
	}
}

func TestCrashStopsProcess(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 3)
	for i := range 10 {
		multicastAt(s, int64(i*10), cores[0], "m")
	}
	s.Do(45, func(s *sim.Sim) error { return s.Crash("p2") })
	s.Do(46, func(s *sim.Sim) error { return s.Crash("p2") }) // no-op
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	h := s.History()
	crashes := eventsOf(h, history.Crash)
	if len(crashes) != 1 || crashes[0].Process != "p2" || crashes[0].Time != 45 {
		t.Fatalf("crash events %+v, want one for p2 at 45", crashes)
	}
	for _, ev := range h[crashes[0].Index:] {
		if ev.Process == "p2" && ev.Kind != history.Crash {
			t.Fatalf("p2 acted after crashing: %+v", ev)
		}
	}
	d := deliveries(h)
	if len(d["p2"]) == 0 || len(d["p2"]) >= 10 || len(d["p3"]) != 10 {
		t.Fatalf("deliveries p2=%d p3=%d: want p2 cut short, p3 all 10", len(d["p2"]), len(d["p3"]))
	}
	if st := s.Stats(); st.CrashDropped == 0 || !st.Procs[1].Crashed || !s.Crashed("p2") {
		t.Fatalf("crash not visible in stats: %+v", st)
	}
}

func TestStepErrorsAreCountedNotFatal(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 2)
	stray := simtest.NewEcho("stray", 0)
	if err := s.Add(stray); err != nil {
		t.Fatal(err)
	}
	s.Do(0, func(*sim.Sim) error {
		stray.Send("p1", &wire.Probe{N: 1})                   // wrong type
		stray.Send("p1", &wire.Data{Sender: "stray", Seq: 1}) // not a member
		stray.Send("ghost", &wire.Probe{N: 2})                // nobody
		return nil
	})
	multicastAt(s, 5, cores[0], "ok")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.StepErrors != 2 || st.Procs[0].StepErrors != 2 {
		t.Fatalf("step errors %d (p1: %d), want 2", st.StepErrors, st.Procs[0].StepErrors)
	}
	if !errors.Is(st.Procs[0].LastError, simtest.ErrNotMember) {
		t.Fatalf("last error %v, want ErrNotMember", st.Procs[0].LastError)
	}
	if st.Unroutable != 1 {
		t.Fatalf("unroutable %d, want 1", st.Unroutable)
	}
	if d := deliveries(s.History()); len(d["p2"]) != 1 {
		t.Fatalf("the run did not carry on after step errors: %v", d)
	}
}

func TestRunQuiescesAndStops(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.IdleTicks = 7
	s := newSim(t, cfg)
	cores := floodGroup(t, s, 3)
	multicastAt(s, 0, cores[0], "x")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	// Delivery is done within a few ticks, then IdleTicks idle ticks pass.
	if now := s.Now(); now < 7 || now > 7+2*cfg.Net.MaxDelay {
		t.Fatalf("quiescent at %d, want soon after the last delivery", now)
	}
	// Run again with nothing to do returns at once.
	before := s.Now()
	if err := s.Run(); err != nil || s.Now() != before {
		t.Fatalf("second Run: err %v, time %d -> %d", err, before, s.Now())
	}
}

func TestQuiesceHealsAndDelivers(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Net.Loss = 0.5
	s := newSim(t, cfg)
	cores := floodGroup(t, s, 3)
	s.Do(0, func(s *sim.Sim) error { return s.Isolate("p3") })
	if err := s.RunFor(10); err != nil {
		t.Fatal(err)
	}
	if err := s.Quiesce(); err != nil {
		t.Fatal(err)
	}
	lost := s.Stats().Lost
	multicastAt(s, s.Now(), cores[2], "final")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if d := deliveries(s.History()); len(d["p1"]) != 1 || len(d["p2"]) != 1 {
		t.Fatalf("after Quiesce the network still loses or cuts: %v", d)
	}
	if s.Stats().Lost != lost {
		t.Fatal("messages lost after Quiesce")
	}
}

func TestRunUntil(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 3)
	multicastAt(s, 0, cores[0], "x")
	err := s.RunUntil(func(s *sim.Sim) bool { return s.Delivered() >= 2 })
	if err != nil || s.Delivered() != 2 {
		t.Fatalf("RunUntil: err %v, delivered %d, want stop at exactly 2", err, s.Delivered())
	}
	err = s.RunUntil(func(s *sim.Sim) bool { return s.Delivered() >= 1000 })
	if !errors.Is(err, sim.ErrStalled) {
		t.Fatalf("RunUntil on an impossible condition = %v, want ErrStalled", err)
	}
}

func TestLimitsAndActionErrorsNameTheSeed(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed = 4242
	cfg.MaxTime = 50
	s := newSim(t, cfg)
	src := simtest.NewEcho("a", 1<<30)
	dst := simtest.NewEcho("b", 1<<30)
	for _, m := range []*simtest.Echo{src, dst} {
		if err := s.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	s.Do(0, func(*sim.Sim) error { src.Send("b", &wire.Probe{}); return nil })
	err := s.Run() // endless ping-pong
	var re *sim.RunError
	if !errors.Is(err, sim.ErrLimit) || !errors.As(err, &re) || re.Seed != 4242 {
		t.Fatalf("Run = %v, want a RunError with seed 4242 wrapping ErrLimit", err)
	}
	if s.Now() > 50 {
		t.Fatalf("ran past MaxTime: %d", s.Now())
	}

	cfg.MaxTime = 1_000_000
	cfg.MaxSteps = 100
	s = newSim(t, cfg)
	if err := s.Add(simtest.NewEcho("a", 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(1000); !errors.Is(err, sim.ErrLimit) {
		t.Fatalf("RunFor past MaxSteps = %v, want ErrLimit", err)
	}

	s = newSim(t, sim.DefaultConfig())
	boom := errors.New("boom")
	s.Do(3, func(*sim.Sim) error { return boom })
	if err := s.Run(); !errors.Is(err, sim.ErrAction) || !errors.Is(err, boom) {
		t.Fatalf("Run with failing action = %v, want ErrAction wrapping boom", err)
	}
}

func TestRunForAdvancesClock(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	if err := s.RunFor(123); err != nil || s.Now() != 123 {
		t.Fatalf("RunFor(123): err %v, now %d", err, s.Now())
	}
	if st := s.Stats(); st.Ticks != 123 {
		t.Fatalf("ticks %d, want 123", st.Ticks)
	}
}

func TestJoinLater(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	a := simtest.NewEcho("a", 0)
	if err := s.Add(a); err != nil {
		t.Fatal(err)
	}
	late := newSink("late")
	s.Do(20, func(s *sim.Sim) error { return s.Add(late) })
	s.Do(21, func(*sim.Sim) error { a.Send("late", &wire.Probe{N: 9}); return nil })
	s.Do(0, func(*sim.Sim) error { a.Send("late", &wire.Probe{N: 1}); return nil })
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if got := late.got["a"]; !slices.Equal(got, []uint64{9}) {
		t.Fatalf("late joiner got %v, want only the probe sent after it joined", got)
	}
	if s.Stats().Unroutable != 1 {
		t.Fatal("probe to a process not yet added was not counted unroutable")
	}
}

func TestFilterDropsChosenMessages(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, s, 3)
	s.SetFilter(func(from, to history.ProcessID, msg proto.Message) bool {
		return !(from == "p1" && to == "p3")
	})
	multicastAt(s, 0, cores[0], "x")
	s.Do(20, func(s *sim.Sim) error { s.SetFilter(nil); return nil })
	multicastAt(s, 21, cores[0], "y")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Filtered != 1 {
		t.Fatalf("filtered %d, want the one p1->p3 copy", st.Filtered)
	}
	// p3 still got x through p2's relay, and y directly.
	if d := deliveries(s.History()); len(d["p3"]) != 2 {
		t.Fatalf("p3 delivered %v", d["p3"])
	}
	if in, out := st.Sent+st.Duplicated, st.Delivered+st.Filtered+st.Lost+st.PartitionDropped+st.CrashDropped+st.ReceiveOmitted+st.InFlight; in != out {
		t.Fatalf("accounting: %d in, %d out", in, out)
	}
}

func TestQuiesceForBoundsChattyProtocols(t *testing.T) {
	s := newSim(t, sim.DefaultConfig())
	a, b := simtest.NewEcho("a", 0), simtest.NewEcho("b", 0)
	a.PingOnTick([]history.ProcessID{"b"}) // a heartbeat: never quiescent
	for _, m := range []*simtest.Echo{a, b} {
		if err := s.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.QuiesceFor(300); err != nil || s.Now() != 300 {
		t.Fatalf("QuiesceFor(300) on a chatty system: err %v, now %d", err, s.Now())
	}
	quiet := newSim(t, sim.DefaultConfig())
	cores := floodGroup(t, quiet, 2)
	multicastAt(quiet, 0, cores[0], "x")
	if err := quiet.QuiesceFor(300); err != nil || quiet.Now() >= 300 {
		t.Fatalf("QuiesceFor(300) on a quiet system: err %v, now %d (want early stop)", err, quiet.Now())
	}
}

// A machine whose first output is ready before the run must not lose it to
// peers added after it: Add defers carrying out a Ready until the run starts.
func TestAddDefersFirstOutputUntilAllAdded(t *testing.T) {
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	first := &eagerMachine{id: "a", to: "b"}
	if err := s.Add(first); err != nil {
		t.Fatal(err)
	}
	second := &eagerMachine{id: "b"}
	if err := s.Add(second); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if second.received != 1 {
		t.Fatalf("b received %d messages sent by a before b was added, want 1", second.received)
	}
}

// eagerMachine has one message ready from construction (if to is set) and
// counts what it receives.
type eagerMachine struct {
	id       history.ProcessID
	to       history.ProcessID
	sent     bool
	received int
}

func (m *eagerMachine) ID() history.ProcessID { return m.id }
func (m *eagerMachine) Step(history.ProcessID, proto.Message) error {
	m.received++
	return nil
}
func (m *eagerMachine) Tick()          {}
func (m *eagerMachine) HasReady() bool { return m.to != "" && !m.sent }
func (m *eagerMachine) Ready() step.Ready {
	if !m.HasReady() {
		return step.Ready{}
	}
	return step.Ready{Messages: []step.Outbound{{To: m.to, Msg: &wire.Probe{From: string(m.id)}}}}
}
func (m *eagerMachine) Advance(step.Ready) { m.sent = true }
