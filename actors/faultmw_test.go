package actors

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// eventLog is a Recorder for tests.
type eventLog struct {
	mu     sync.Mutex
	events []history.Event
}

func (l *eventLog) Record(e history.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []history.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// runIn is a command a worker actor executes on its own goroutine. It is
// not protobuf, so the fault middleware lets it through uncounted.
type runIn func(c actor.Context)

// flush is a non-protobuf marker; see runIn.
type flush struct{}

// worker is an actor that executes runIn commands.
func worker() actor.Actor {
	return actor.ReceiveFunc(func(c actor.Context) {
		if f, ok := c.Message().(runIn); ok {
			f(c)
		}
	})
}

// faultEnv is a local node with a manual clock and a recorder.
type faultEnv struct {
	node  *Node
	clock *manualClock
	log   *eventLog
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	e := &faultEnv{clock: newManualClock(), log: &eventLog{}}
	e.node = newNode(t, WithClock(e.clock), WithRecorder(e.log), WithFaultTick(time.Millisecond))
	return e
}

// spawn starts an actor from producer, with f's middleware if f is non-nil.
func (e *faultEnv) spawn(t *testing.T, name string, producer actor.Producer, f *Faults) *actor.PID {
	t.Helper()
	var opts []actor.PropsOption
	if f != nil {
		opts = f.PropsOptions()
	}
	pid, err := e.node.SpawnProps(name, actor.PropsFromProducer(producer, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// watch returns a channel closed when pid has stopped.
func (e *faultEnv) watch(t *testing.T, pid *actor.PID) <-chan struct{} {
	t.Helper()
	terminated := make(chan struct{})
	e.spawn(t, "watcher-"+pid.Id, func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			switch c.Message().(type) {
			case *actor.Started:
				c.Watch(pid)
			case *actor.Terminated:
				close(terminated)
			}
		})
	}, nil)
	return terminated
}

// do runs cmd inside the actor pid and waits until it has run.
func (e *faultEnv) do(t *testing.T, pid *actor.PID, cmd func(c actor.Context)) {
	t.Helper()
	done := make(chan struct{})
	e.node.Root().Send(pid, runIn(func(c actor.Context) {
		defer close(done)
		cmd(c)
	}))
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("command did not run")
	}
}

// sendProbes makes the actor from send n probes, numbered 1..n, to each of to.
func (e *faultEnv) sendProbes(t *testing.T, from *actor.PID, n int, to ...*actor.PID) {
	t.Helper()
	e.do(t, from, func(c actor.Context) {
		for i := 1; i <= n; i++ {
			for _, pid := range to {
				c.Send(pid, &wire.Probe{From: "tx", N: uint64(i), Body: []byte("payload")})
			}
		}
	})
}

// drain sends a non-protobuf marker from the root context and returns the
// probes rx received before it. Everything sent to rx before drain was
// called is in rx's mailbox ahead of the marker, so the result is complete.
func (e *faultEnv) drain(t *testing.T, rx *actor.PID, ch <-chan arrival) []*wire.Probe {
	t.Helper()
	e.node.Root().Send(rx, flush{})
	var got []*wire.Probe
	for {
		a := await(t, ch, "flush marker")
		switch m := a.msg.(type) {
		case flush:
			return got
		case *wire.Probe:
			got = append(got, m)
		default:
			t.Fatalf("unexpected %T", m)
		}
	}
}

func numbers(ps []*wire.Probe) []uint64 {
	out := make([]uint64, len(ps))
	for i, p := range ps {
		out[i] = p.N
	}
	return out
}

func TestFaultCrashStopsActor(t *testing.T) {
	e := newFaultEnv(t)
	f, err := e.node.NewFaults(faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: 5}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan arrival, 100)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	terminated := e.watch(t, tx)

	e.sendProbes(t, tx, 10, rx)
	got := numbers(e.drain(t, rx, ch))
	if want := []uint64{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("receiver got %v from the crashing actor, want %v", got, want)
	}
	select {
	case <-terminated:
	case <-time.After(waitTimeout):
		t.Fatal("crashed actor was not stopped")
	}
	if !f.Crashed(ProcessIDOf(tx)) {
		t.Error("Crashed(tx) is false")
	}
	st := f.Stats()
	if st.Crashed != 1 || st.Sent != 6 || st.Dropped != 1 {
		t.Errorf("stats %v, want crashed=1 sent=6 dropped=1", st)
	}
	events := e.log.all()
	if len(events) != 1 || events[0].Kind != history.Crash || events[0].Process != ProcessIDOf(tx) {
		t.Fatalf("recorded %+v, want one Crash of %s", events, ProcessIDOf(tx))
	}
}

func TestFaultCrashStopsReceiving(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: 3}})
	ch := make(chan arrival, 100)
	rx := e.spawn(t, "rx", inbox(ch), f)
	terminated := e.watch(t, rx)
	for i := 1; i <= 6; i++ {
		e.node.Root().Send(rx, &wire.Probe{N: uint64(i)})
	}
	var got []uint64
	for range 3 {
		got = append(got, awaitProbe(t, ch, "probe before the crash").N)
	}
	if !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("got %v before the crash, want [1 2 3]", got)
	}
	// The marker would pass a live actor; a crashed one receives nothing.
	e.node.Root().Send(rx, flush{})
	e.node.Root().Send(rx, &wire.Probe{N: 99})
	select {
	case <-terminated:
	case a := <-ch:
		t.Fatalf("crashed receiver got %T %v", a.msg, a.msg)
	case <-time.After(waitTimeout):
		t.Fatal("receiver never crashed")
	}
	expectNothing(t, ch, "after the crash")
	if !f.Crashed(ProcessIDOf(rx)) {
		t.Fatal("Crashed(rx) is false after the crash")
	}
	if f.Stats().Received != 3 {
		t.Fatalf("stats %v, want received=3", f.Stats())
	}
}

// omissionRun sends count probes through a fresh node whose actor "tx" (or
// "rx" for receive omission) follows spec, and returns the numbers received.
func omissionRun(t *testing.T, spec faults.Spec, count int) ([]uint64, FaultStats) {
	t.Helper()
	e := newFaultEnv(t)
	f, err := e.node.NewFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan arrival, count+1)
	switch spec.Model {
	case faults.ReceiveOmission:
		rx := e.spawn(t, "rx", inbox(ch), f)
		for i := 1; i <= count; i++ {
			e.node.Root().Send(rx, &wire.Probe{N: uint64(i)})
		}
		return numbers(e.drain(t, rx, ch)), f.Stats()
	default:
		rx := e.spawn(t, "rx", inbox(ch), nil)
		tx := e.spawn(t, "tx", worker, f)
		e.sendProbes(t, tx, count, rx)
		return numbers(e.drain(t, rx, ch)), f.Stats()
	}
}

func TestFaultOmissionSeeded(t *testing.T) {
	const count = 200
	for _, model := range []faults.Model{faults.SendOmission, faults.ReceiveOmission} {
		t.Run(model.String(), func(t *testing.T) {
			spec := faults.Spec{Model: model, Rate: 0.3, Seed: 42}
			got, st := omissionRun(t, spec, count)
			if len(got) == 0 || len(got) == count {
				t.Fatalf("seed %d: %d of %d messages arrived; want some lost, some not", spec.Seed, len(got), count)
			}
			if st.Dropped != count-len(got) {
				t.Fatalf("seed %d: dropped=%d but %d of %d arrived", spec.Seed, st.Dropped, len(got), count)
			}
			if !slices.IsSorted(got) {
				t.Fatalf("seed %d: omission reordered messages: %v", spec.Seed, got)
			}
			lost := float64(count-len(got)) / count
			if lost < 0.15 || lost > 0.45 {
				t.Fatalf("seed %d: lost fraction %.2f, far from the rate 0.3", spec.Seed, lost)
			}
			again, _ := omissionRun(t, spec, count)
			if !slices.Equal(got, again) {
				t.Fatalf("seed %d does not replay: %v vs %v", spec.Seed, got, again)
			}
			spec.Seed = 43
			other, _ := omissionRun(t, spec, count)
			if slices.Equal(got, other) {
				t.Fatalf("seeds 42 and 43 lost the same messages")
			}
		})
	}
}

func TestFaultTimingDelaysMessages(t *testing.T) {
	e := newFaultEnv(t)
	const delay = 5 // ticks of 1 ms
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Timing, Delay: delay})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	start := e.clock.Now()
	send := func(n uint64) {
		e.do(t, tx, func(c actor.Context) { c.Send(rx, &wire.Probe{N: n}) })
	}

	send(1) // due at 5 ms
	e.clock.Advance(2 * time.Millisecond)
	send(2) // due at 7 ms
	send(3) // due at 7 ms
	if got := e.drain(t, rx, ch); len(got) != 0 {
		t.Fatalf("late messages arrived at once: %v", numbers(got))
	}
	e.clock.Advance(2 * time.Millisecond) // 4 ms: nothing due yet
	if got := e.drain(t, rx, ch); len(got) != 0 {
		t.Fatalf("late message arrived after %v, before its delay", e.clock.Now().Sub(start))
	}
	e.clock.Advance(time.Millisecond) // 5 ms: probe 1 is due
	p := awaitProbe(t, ch, "first delayed probe")
	if late := e.clock.Now().Sub(start); p.N != 1 || late < delay*time.Millisecond {
		t.Fatalf("got probe %d after %v, want probe 1 after >= %v", p.N, late, delay*time.Millisecond)
	}
	if got := e.drain(t, rx, ch); len(got) != 0 {
		t.Fatalf("probes %v released before they were due", numbers(got))
	}
	e.clock.Advance(2 * time.Millisecond) // 7 ms: probes 2 and 3, in order
	if got := [2]uint64{awaitProbe(t, ch, "probe 2").N, awaitProbe(t, ch, "probe 3").N}; got != [2]uint64{2, 3} {
		t.Fatalf("late probes arrived as %v, want [2 3]", got)
	}
	if st := f.Stats(); st.Delayed != 3 || st.Dropped != 0 {
		t.Fatalf("stats %v, want delayed=3", st)
	}
	if ev := e.log.all(); len(ev) != 1 || ev[0].Kind != history.Faulty || ev[0].Value != "timing" {
		t.Fatalf("recorded %+v, want one Faulty timing event", ev)
	}
}

func TestFaultCloseCancelsDelayedMessages(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Timing, Delay: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	e.sendProbes(t, tx, 3, rx)
	e.node.Close()
	e.clock.Advance(time.Second)
	expectNothing(t, ch, "delayed messages after Close")
}

func TestFaultValueCorruptsClone(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Value, Seed: 9})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	orig := &wire.Probe{From: "tx", N: 7, Body: []byte("payload")}
	before := proto.Clone(orig)
	e.do(t, tx, func(c actor.Context) { c.Send(rx, orig) })
	got := awaitProbe(t, ch, "corrupted probe")
	if got == orig {
		t.Fatal("receiver got the sender's own pointer: nothing was cloned")
	}
	if proto.Equal(got, before) {
		t.Fatalf("receiver got an unchanged value %v", got)
	}
	if !proto.Equal(orig, before) {
		t.Fatalf("the sender's message was modified: %v, was %v", orig, before)
	}
	if st := f.Stats(); st.Corrupted != 1 {
		t.Fatalf("stats %v, want corrupted=1", st)
	}
}

func TestFaultStateTransitionReplays(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.StateTransition, Rate: 0.5, Seed: 3})
	ch := make(chan arrival, 100)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	e.sendProbes(t, tx, 20, rx)
	got := numbers(e.drain(t, rx, ch))
	seen := map[uint64]int{}
	for _, n := range got {
		seen[n]++
	}
	replayed := slices.ContainsFunc(got, func(n uint64) bool { return seen[n] > 1 })
	if !replayed || slices.IsSorted(got) {
		t.Fatalf("seed 3: received %v; want a replayed message and an order violation", got)
	}
	if st := f.Stats(); st.Replayed == 0 {
		t.Fatalf("stats %v, want replayed > 0", st)
	}
}

func TestFaultArbitraryTwoFaced(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Arbitrary, Adversary: faults.TwoFaced{Salt: 1}, Seed: 5})
	const peers = 8
	chans := make([]chan arrival, peers)
	pids := make([]*actor.PID, peers)
	for i := range peers {
		chans[i] = make(chan arrival, 10)
		pids[i] = e.spawn(t, fmt.Sprintf("rx%d", i), inbox(chans[i]), nil)
	}
	tx := e.spawn(t, "tx", worker, f)
	orig := &wire.Probe{From: "tx", N: 1, Body: []byte("the truth")}
	e.do(t, tx, func(c actor.Context) {
		for _, pid := range pids {
			c.Send(pid, orig)
		}
	})
	var truthful, lied int
	for i := range peers {
		if proto.Equal(awaitProbe(t, chans[i], "two-faced probe"), orig) {
			truthful++
		} else {
			lied++
		}
	}
	if truthful == 0 || lied == 0 {
		t.Fatalf("%d peers told the truth and %d lied; a two-faced adversary does both", truthful, lied)
	}
	if st := f.Stats(); st.Forged != lied {
		t.Fatalf("stats %v, want forged=%d", st, lied)
	}
}

func TestNodeWideFaults(t *testing.T) {
	n := newNode(t, WithFaults(faults.Spec{Model: faults.SendOmission}))
	ch := make(chan arrival, 10)
	rx, err := n.SpawnProps("rx", actor.PropsFromProducer(inbox(ch)))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := n.Spawn("tx", worker)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	n.Root().Send(tx, runIn(func(c actor.Context) {
		for i := range 5 {
			c.Send(rx, &wire.Probe{N: uint64(i)})
		}
		close(done)
	}))
	<-done
	n.Root().Send(rx, flush{})
	if a := await(t, ch, "flush"); a.msg != (flush{}) {
		t.Fatalf("got %T before the flush marker; send omission at rate 1 drops everything", a.msg)
	}
	if st := n.Faults().Stats(); st.Dropped != 5 || st.Sent != 5 {
		t.Fatalf("stats %v, want sent=5 dropped=5", st)
	}
	if _, err := n.NewFaults(faults.Spec{Model: faults.Timing}); err == nil {
		t.Fatal("NewFaults accepted a timing spec without delay")
	}
}

// TestFaultTriggerAtTick switches send omission on at tick 10: a tick is
// Config.FaultTick (1 ms here) of the node's clock since NewFaults.
func TestFaultTriggerAtTick(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.SendOmission, Start: faults.Trigger{AtTick: 10}})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	e.sendProbes(t, tx, 2, rx)
	e.clock.Advance(9 * time.Millisecond)
	e.sendProbes(t, tx, 2, rx)
	if got := numbers(e.drain(t, rx, ch)); !slices.Equal(got, []uint64{1, 2, 1, 2}) {
		t.Fatalf("before tick 10 received %v, want [1 2 1 2]", got)
	}
	e.clock.Advance(time.Millisecond)
	e.sendProbes(t, tx, 2, rx)
	if got := e.drain(t, rx, ch); len(got) != 0 {
		t.Fatalf("from tick 10 on received %v, want nothing", numbers(got))
	}
	if st := f.Stats(); st.Sent != 6 || st.Dropped != 2 {
		t.Fatalf("stats %v, want sent=6 dropped=2", st)
	}
}
