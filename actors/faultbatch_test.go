package actors

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"google.golang.org/protobuf/proto"
)

// note is a non-protobuf item of a Local: the failure models leave it alone.
type note int

// twice is an adversary that sends every message twice, unchanged.
type twice struct{}

func (twice) Outgoing(_ history.ProcessID, msg proto.Message, _ *rand.Rand) []proto.Message {
	return []proto.Message{msg, msg}
}

// batchItems returns n probes numbered 1..n, every second one in an
// envelope naming sender (as package ordering sends in-process traffic),
// with a note after every fifth: what one Local carries.
func batchItems(n int, sender *actor.PID) []any {
	var items []any
	for i := 1; i <= n; i++ {
		p := &wire.Probe{From: "tx", N: uint64(i), Body: []byte("payload")}
		if i%2 == 0 {
			items = append(items, &actor.MessageEnvelope{Message: p, Sender: sender})
		} else {
			items = append(items, p)
		}
		if i%5 == 0 {
			items = append(items, note(i))
		}
	}
	return items
}

// label names an item by what the receiver handles: a note, or the bytes
// of a probe (so a corrupted clone differs from its original).
func label(item any) string {
	switch m := item.(type) {
	case note:
		return fmt.Sprintf("note %d", m)
	case *actor.MessageEnvelope:
		return label(m.Message)
	case proto.Message:
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			return fmt.Sprintf("unmarshallable %T", m)
		}
		return fmt.Sprintf("%T %x", m, b)
	}
	return fmt.Sprintf("%T %v", item, item)
}

// posted is what a receiver got before a flush marker: every transport
// message, and the items they carried in order (a Local's items, or the
// message itself).
type posted struct {
	msgs  []any
	items []any
}

func (p posted) labels() []string {
	out := make([]string, len(p.items))
	for i, it := range p.items {
		out[i] = label(it)
	}
	return out
}

// probeNumbers returns the numbers of the probes among the items.
func (p posted) probeNumbers() []uint64 {
	var out []uint64
	for _, it := range p.items {
		if env, ok := it.(*actor.MessageEnvelope); ok {
			it = env.Message
		}
		if pr, ok := it.(*wire.Probe); ok {
			out = append(out, pr.N)
		}
	}
	return out
}

// drainPosted sends a flush marker to rx and returns what rx received
// before it.
func (e *faultEnv) drainPosted(t *testing.T, rx *actor.PID, ch <-chan arrival) posted {
	t.Helper()
	e.node.Root().Send(rx, flush{})
	var p posted
	for {
		a := await(t, ch, "flush marker")
		if _, ok := a.msg.(flush); ok {
			return p
		}
		p.msgs = append(p.msgs, a.msg)
		if l, ok := a.msg.(*outbox.Local); ok {
			p.items = append(p.items, l.Items...)
		} else {
			p.items = append(p.items, a.msg)
		}
	}
}

// localRun sends batchItems(n) through a fresh node to an actor "rx": from
// actor "tx" under spec when the model acts on sending, else from the root
// to "rx" under spec. batched sends them as one Local, otherwise one by one.
func localRun(t *testing.T, spec faults.Spec, n int, batched bool) (posted, FaultStats) {
	t.Helper()
	e := newFaultEnv(t)
	f, err := e.node.NewFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan arrival, 4*n+1)
	send := func(send func(any), self *actor.PID) {
		items := batchItems(n, self)
		if batched {
			send(&outbox.Local{Items: items})
			return
		}
		for _, it := range items {
			send(it)
		}
	}
	var rx *actor.PID
	if spec.Model == faults.ReceiveOmission {
		rx = e.spawn(t, "rx", inbox(ch), f)
		root := e.node.Root()
		send(func(m any) { root.Send(rx, m) }, actor.NewPID(LocalAddress, "root"))
	} else {
		rx = e.spawn(t, "rx", inbox(ch), nil)
		tx := e.spawn(t, "tx", worker, f)
		e.do(t, tx, func(c actor.Context) { send(func(m any) { c.Send(rx, m) }, c.Self()) })
	}
	return e.drainPosted(t, rx, ch), f.Stats()
}

// TestFaultLocalItemsJudgedAlone checks that a model acts on every item of
// an in-process batch exactly as it acts on the same messages posted one by
// one: the same seed loses, replays and corrupts the same items, and the
// counters agree. Before batching was known to the middleware, a Local
// passed every model untouched.
func TestFaultLocalItemsJudgedAlone(t *testing.T) {
	const n = 40
	specs := []faults.Spec{
		{Model: faults.SendOmission, Rate: 0.3, Seed: 42},
		{Model: faults.ReceiveOmission, Rate: 0.3, Seed: 42},
		{Model: faults.StateTransition, Rate: 0.5, Seed: 3},
		{Model: faults.Value, Rate: 0.5, Seed: 9},
		{Model: faults.Arbitrary, Adversary: faults.Replayer{}, Seed: 5},
	}
	for _, spec := range specs {
		t.Run(spec.Model.String(), func(t *testing.T) {
			batch, bst := localRun(t, spec, n, true)
			alone, ast := localRun(t, spec, n, false)
			if got, want := batch.labels(), alone.labels(); !slices.Equal(got, want) {
				t.Fatalf("seed %d: a batch delivered\n%v\nposted alone\n%v", spec.Seed, got, want)
			}
			if bst != ast {
				t.Fatalf("seed %d: stats batched %v, alone %v", spec.Seed, bst, ast)
			}
			if bst.Sent+bst.Received == 0 {
				t.Fatalf("seed %d: nothing counted: %v", spec.Seed, bst)
			}
			if bst.Dropped+bst.Replayed+bst.Corrupted+bst.Forged == 0 {
				t.Fatalf("seed %d: the model did nothing: %v", spec.Seed, bst)
			}
			if len(batch.msgs) != 1 {
				t.Fatalf("seed %d: %d messages posted, want the batch's survivors as one Local", spec.Seed, len(batch.msgs))
			}
			if _, ok := batch.msgs[0].(*outbox.Local); !ok {
				t.Fatalf("seed %d: got %T, want *outbox.Local", spec.Seed, batch.msgs[0])
			}
			notes := 0
			for _, it := range batch.items {
				if _, ok := it.(note); ok {
					notes++
				}
			}
			if notes != n/5 {
				t.Fatalf("seed %d: %d of %d non-protobuf items passed", spec.Seed, notes, n/5)
			}
		})
	}
}

func TestFaultLocalOmissionKeepsOrderAndValues(t *testing.T) {
	const n = 40
	spec := faults.Spec{Model: faults.SendOmission, Rate: 0.3, Seed: 42}
	got, st := localRun(t, spec, n, true)
	nums := got.probeNumbers()
	if len(nums) == 0 || len(nums) == n {
		t.Fatalf("seed %d: %d of %d items arrived; want some lost, some not", spec.Seed, len(nums), n)
	}
	if !slices.IsSorted(nums) {
		t.Fatalf("seed %d: omission reordered items: %v", spec.Seed, nums)
	}
	if st.Sent != n || st.Dropped != n-len(nums) {
		t.Fatalf("seed %d: stats %v, want sent=%d dropped=%d", spec.Seed, st, n, n-len(nums))
	}
	for _, it := range got.items {
		if env, ok := it.(*actor.MessageEnvelope); ok {
			p := env.Message.(*wire.Probe)
			if p.N%2 != 0 || env.Sender == nil || env.Sender.Id != "tx" {
				t.Fatalf("seed %d: probe %d arrived in an envelope from %v", spec.Seed, p.N, env.Sender)
			}
		}
	}
}

// TestFaultLocalUntouchedPassesAsIs checks that a batch the model leaves
// alone reaches the receiver as the very Local that was sent.
func TestFaultLocalUntouchedPassesAsIs(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.SendOmission, Start: faults.Trigger{AfterMessages: 1000}, Seed: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	sent := &outbox.Local{Items: batchItems(10, nil)}
	e.do(t, tx, func(c actor.Context) { c.Send(rx, sent) })
	got := e.drainPosted(t, rx, ch)
	if len(got.msgs) != 1 || got.msgs[0] != sent {
		t.Fatalf("got %v, want the sent Local itself", got.msgs)
	}
	if st := f.Stats(); st.Sent != 10 {
		t.Fatalf("stats %v, want sent=10 (one per probe)", st)
	}
}

func TestFaultLocalDuplicatesGetFreshEnvelopes(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Arbitrary, Adversary: twice{}, Seed: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	var sent []any
	e.do(t, tx, func(c actor.Context) {
		sent = batchItems(4, c.Self())
		c.Send(rx, &outbox.Local{Items: slices.Clone(sent)})
	})
	got := e.drainPosted(t, rx, ch)
	if len(got.msgs) != 1 {
		t.Fatalf("%d messages posted, want one Local", len(got.msgs))
	}
	if want := []uint64{1, 1, 2, 2, 3, 3, 4, 4}; !slices.Equal(got.probeNumbers(), want) {
		t.Fatalf("probes %v, want %v", got.probeNumbers(), want)
	}
	// The first copy is the item sent; a second envelope is a fresh one
	// with the same sender, never the original shared twice.
	envs := 0
	for i := 0; i+1 < len(got.items); i++ {
		first, ok := got.items[i].(*actor.MessageEnvelope)
		if !ok {
			continue
		}
		second, ok := got.items[i+1].(*actor.MessageEnvelope)
		if !ok || second == first || second.Message != first.Message || second.Sender != first.Sender {
			t.Fatalf("item %d: copy %+v of envelope %+v", i, got.items[i+1], first)
		}
		if !slices.Contains(sent, any(first)) {
			t.Fatalf("item %d: first copy is not the envelope sent", i)
		}
		envs++
		i++
	}
	if envs != 2 {
		t.Fatalf("%d duplicated envelopes, want 2", envs)
	}
	if st := f.Stats(); st.Sent != 4 || st.Forged != 0 || st.Dropped != 0 {
		t.Fatalf("stats %v, want sent=4 forged=0 dropped=0", st)
	}
}

func TestFaultLocalCrashMidBatch(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: 5}, Seed: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	terminated := e.watch(t, tx)
	e.do(t, tx, func(c actor.Context) { c.Send(rx, &outbox.Local{Items: batchItems(10, c.Self())}) })
	got := e.drainPosted(t, rx, ch)
	if want := []uint64{1, 2, 3, 4, 5}; !slices.Equal(got.probeNumbers(), want) || len(got.msgs) != 1 {
		t.Fatalf("receiver got %v in %d messages, want %v in one", got.probeNumbers(), len(got.msgs), want)
	}
	// The note after probe 5 went before the crash, the one after probe 10
	// never: a crashed actor sends nothing.
	if n := len(got.items); n != 6 || got.items[5] != note(5) {
		t.Fatalf("%d items arrived (%v), want the 5 probes and the note sent before the crash", n, got.labels())
	}
	select {
	case <-terminated:
	case <-time.After(waitTimeout):
		t.Fatal("crashed actor was not stopped")
	}
	// Counted as if posted alone: probe 6 is the one the crash dropped.
	if st := f.Stats(); st.Crashed != 1 || st.Sent != 6 || st.Dropped != 1 {
		t.Fatalf("stats %v, want crashed=1 sent=6 dropped=1", st)
	}
}

func TestFaultLocalCrashWhileReceiving(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: 3}, Seed: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), f)
	terminated := e.watch(t, rx)
	e.node.Root().Send(rx, &outbox.Local{Items: batchItems(6, nil)})
	a := await(t, ch, "the items before the crash")
	l, ok := a.msg.(*outbox.Local)
	if !ok {
		t.Fatalf("got %T, want *outbox.Local", a.msg)
	}
	if got := (posted{items: l.Items}).probeNumbers(); !slices.Equal(got, []uint64{1, 2, 3}) || len(l.Items) != 3 {
		t.Fatalf("received %v, want probes [1 2 3] only", (posted{items: l.Items}).labels())
	}
	select {
	case <-terminated:
	case <-time.After(waitTimeout):
		t.Fatal("receiver never crashed")
	}
	expectNothing(t, ch, "after the crash")
	if st := f.Stats(); st.Received != 3 || st.Crashed != 1 || st.Dropped != 1 {
		t.Fatalf("stats %v, want received=3 crashed=1 dropped=1", st)
	}
}

// TestFaultLocalTimingSendsLateItemsAlone checks that items a timing
// failure holds back leave the batch and arrive later one by one, in order.
func TestFaultLocalTimingSendsLateItemsAlone(t *testing.T) {
	e := newFaultEnv(t)
	const delay = 5
	spec := faults.Spec{Model: faults.Timing, Delay: delay, Rate: 0.5, Seed: 7}
	f, _ := e.node.NewFaults(spec)
	ch := make(chan arrival, 40)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	e.do(t, tx, func(c actor.Context) { c.Send(rx, &outbox.Local{Items: batchItems(20, c.Self())}) })
	now := e.drainPosted(t, rx, ch)
	e.clock.Advance(delay * time.Millisecond)
	late := e.drainPosted(t, rx, ch)

	st := f.Stats()
	onTime, held := now.probeNumbers(), late.probeNumbers()
	if st.Delayed == 0 || st.Delayed == 20 || len(held) != st.Delayed {
		t.Fatalf("seed %d: %d late probes, stats %v; want some late, some not", spec.Seed, len(held), st)
	}
	if len(now.msgs) != 1 || len(late.msgs) != len(held) {
		t.Fatalf("seed %d: %d posts now and %d later for %d late probes; want one Local, then each alone",
			spec.Seed, len(now.msgs), len(late.msgs), len(held))
	}
	for _, m := range late.msgs {
		if _, ok := m.(*wire.Probe); !ok {
			t.Fatalf("seed %d: a late item arrived as %T, want it alone", spec.Seed, m)
		}
	}
	if !slices.IsSorted(onTime) || !slices.IsSorted(held) {
		t.Fatalf("seed %d: on time %v, late %v: each must keep its order", spec.Seed, onTime, held)
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(onTime), held...)))
	for i, n := range all {
		if n != uint64(i+1) {
			t.Fatalf("seed %d: on time %v and late %v are not probes 1..20 once each", spec.Seed, onTime, held)
		}
	}
}

// TestFaultRemoteBatchJudgedWhole checks that a batch to another process,
// a protobuf message, is one message to the failure model.
func TestFaultRemoteBatchJudgedWhole(t *testing.T) {
	e := newFaultEnv(t)
	f, _ := e.node.NewFaults(faults.Spec{Model: faults.SendOmission, Seed: 1})
	ch := make(chan arrival, 10)
	rx := e.spawn(t, "rx", inbox(ch), nil)
	tx := e.spawn(t, "tx", worker, f)
	e.do(t, tx, func(c actor.Context) {
		c.Send(rx, &wire.Batch{Types: []string{"lockstep.wire.Probe"}, TypeOf: []uint32{0, 0}, Bodies: [][]byte{nil, nil}})
	})
	if got := e.drainPosted(t, rx, ch); len(got.msgs) != 0 {
		t.Fatalf("got %v; send omission at rate 1 drops the batch", got.msgs)
	}
	if st := f.Stats(); st.Sent != 1 || st.Dropped != 1 {
		t.Fatalf("stats %v, want sent=1 dropped=1: the batch is one message", st)
	}
}
