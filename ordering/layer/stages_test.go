package layer

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
)

// collector is a sink that records what a stage passes up.
type collector struct{ got []string }

func (c *collector) accept(e entry) {
	c.got = append(c.got, fmt.Sprintf("%d.%d", e.rank, e.seq))
}

func data(rank int, seq uint64, vt ...uint64) entry {
	return entry{rank: rank, seq: seq, vt: vt, payload: stagePayload}
}

// stagePayload is every test entry's payload: a ring slot is empty when its
// payload is nil.
var stagePayload = &wire.Probe{}

func TestPrefix(t *testing.T) {
	p := newPrefix(4)
	if p.add(2) || !p.has(2) || p.has(1) || p.contig != 0 {
		t.Fatalf("after 2: %+v", p)
	}
	if !p.add(1) || p.contig != 2 {
		t.Fatalf("after 1: contig %d, want 2", p.contig)
	}
	p.add(4)
	if p.has(3) || !p.has(4) || p.has(7) {
		t.Fatalf("after 4: %+v", p)
	}
	p.add(3)
	if p.contig != 4 || slices.Contains(p.seen, true) {
		t.Fatalf("after 3: %+v, want contig 4 and a clean bitmap", p)
	}
}

func TestFIFOHoldsBackReordersAndDropsDuplicates(t *testing.T) {
	c := &collector{}
	f := newFIFO(2, 4, c)
	for _, e := range []entry{data(0, 3), data(1, 1), data(0, 2), data(0, 3), data(0, 1), data(0, 2), data(0, 9)} {
		f.accept(e)
	}
	if want := []string{"1.1", "0.1", "0.2", "0.3"}; !slices.Equal(c.got, want) {
		t.Fatalf("passed up %v, want %v", c.got, want)
	}
	if f.dups != 2 || f.beyond != 1 || f.nHeld != 0 {
		t.Fatalf("dups %d beyond %d held %d, want 2, 1, 0", f.dups, f.beyond, f.nHeld)
	}
}

func TestCausalCBCASTRule(t *testing.T) {
	c := &collector{}
	s := newCausal(3, 2, 8, c) // we are rank 2
	// 1.1 was sent after its sender delivered 0.1: it must wait for 0.1.
	s.accept(data(1, 1, 1, 1, 0))
	if len(c.got) != 0 {
		t.Fatalf("delivered %v before its causal predecessor", c.got)
	}
	// A gap from rank 0 (its 2nd message before its 1st) also waits.
	s.accept(data(0, 2, 2, 0, 0))
	s.accept(data(0, 1, 1, 0, 0))
	if want := []string{"0.1", "1.1", "0.2"}; !slices.Equal(c.got, want) && !slices.Equal(c.got, []string{"0.1", "0.2", "1.1"}) {
		t.Fatalf("delivered %v, want 0.1 first and then 1.1 and 0.2", c.got)
	}
	// The receiver never increments its own entry on delivery.
	if !slices.Equal(s.vt, []uint64{2, 1, 0}) {
		t.Fatalf("vt %v, want [2 1 0]", s.vt)
	}
	// Duplicates are detected by the strict sender test, not accepted.
	s.accept(data(0, 1, 1, 0, 0))
	s.accept(data(1, 1, 1, 1, 0))
	if len(c.got) != 3 || s.dups != 2 {
		t.Fatalf("duplicates: delivered %v, counted %d", c.got, s.dups)
	}
	// Our own multicast counts in our entry and is delivered at once.
	own := entry{rank: 2, seq: 1, payload: stagePayload}
	own.vt = s.stamp()
	s.accept(own)
	if !slices.Equal(own.vt, []uint64{2, 1, 1}) || c.got[3] != "2.1" {
		t.Fatalf("own stamp %v, delivered %v", own.vt, c.got)
	}
	// A message depending on our own multicast is deliverable.
	s.accept(data(1, 2, 2, 2, 1))
	if c.got[len(c.got)-1] != "1.2" {
		t.Fatalf("delivered %v, want 1.2 last", c.got)
	}
}

func TestCausalStampDoesNotAllocatePerMessage(t *testing.T) {
	s := newCausal(5, 0, 8, &collector{})
	allocs := testing.AllocsPerRun(1000, func() { s.stamp() })
	if allocs > 0.05 {
		t.Fatalf("stamp allocates %.2f times per message", allocs)
	}
}

func TestSequencerBatchesOrders(t *testing.T) {
	ms := group(t, Atomic, nil)
	seq := ms[0]
	var ds []*wire.Data
	for i := range 5 {
		ds = append(ds, mustMulticast(t, ms[1], uint64(i)))
	}
	for _, d := range ds {
		if err := seq.Step("b", d); err != nil {
			t.Fatal(err)
		}
	}
	rd := take(seq)
	orders := messagesOf[*Order](rd, "c")
	if len(orders) != 1 || orders[0].First != 1 || len(orders[0].Seqs) != 5 {
		t.Fatalf("orders to c %v, want one batch of 5", orders)
	}
	if got := delivered(rd); !slices.Equal(got, []string{"b1", "b2", "b3", "b4", "b5"}) {
		t.Fatalf("sequencer delivered %v", got)
	}
	for i, e := range rd.Events {
		if e.GlobalSeq != uint64(i+1) {
			t.Fatalf("event %d has global seq %d", i, e.GlobalSeq)
		}
	}
	// c gets the order first, then the data in reverse: it delivers in order.
	c := ms[2]
	mustStep(t, c, "a", orders[0])
	var got []string
	for i := len(ds) - 1; i >= 0; i-- {
		got = append(got, delivered(mustStep(t, c, "b", ds[i]))...)
	}
	if !slices.Equal(got, []string{"b1", "b2", "b3", "b4", "b5"}) {
		t.Fatalf("c delivered %v", got)
	}
}

func TestOrderBatchMinWaitsForTick(t *testing.T) {
	ms := group(t, Atomic, func(c *Config) { c.OrderBatchMin = 3 })
	seq := ms[0]
	mustMulticast(t, seq, 1)
	if n := len(messagesOf[*Order](take(seq), "")); n != 0 {
		t.Fatalf("%d orders for one assignment with OrderBatchMin 3", n)
	}
	seq.Tick()
	if n := len(messagesOf[*Order](take(seq), "")); n != 2 {
		t.Fatalf("tick sent %d orders, want one to each of 2 members", n)
	}
}

func TestLostOrderIsNakedAndResent(t *testing.T) {
	ms := group(t, FIFOAtomic, func(c *Config) { c.NakTicks = 1 })
	a, c := ms[0], ms[2]
	d := mustMulticast(t, a, 1) // the Order went with this Ready and is lost
	mustStep(t, c, "a", d)
	a.Tick()
	st := messagesOf[*Status](take(a), "c")
	if len(st) != 1 || st[0].OrderHigh != 1 {
		t.Fatalf("sequencer heartbeat %v, want order_high 1", st)
	}
	mustStep(t, c, "a", st[0])
	c.Tick()
	take(c)
	c.Tick()
	naks := messagesOf[*OrderNak](take(c), "a")
	if len(naks) != 1 || naks[0].From != 1 || naks[0].To != 1 {
		t.Fatalf("order naks %v", naks)
	}
	re := messagesOf[*Order](mustStep(t, a, "c", naks[0]), "c")
	if len(re) != 1 {
		t.Fatalf("no order resent")
	}
	if got := delivered(mustStep(t, c, "a", re[0])); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("delivered %v", got)
	}
}

func TestCausalAtomicIsCausal(t *testing.T) {
	// b delivers a1 and then multicasts b1; c receives b1's data and its
	// order before a1's data: it must still deliver a1 first.
	ms := group(t, CausalAtomic, nil)
	a, b, c := ms[0], ms[1], ms[2]
	a1 := mustMulticast(t, a, 1)
	// a is the sequencer: its Ready carried the order of a1; take it again.
	orderA1 := &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{0}, Seqs: []uint64{1}}
	mustStep(t, b, "a", a1)
	if got := delivered(mustStep(t, b, "a", orderA1)); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("b delivered %v", got)
	}
	b1 := mustMulticast(t, b, 2)
	rd := mustStep(t, a, "b", b1)
	orders := messagesOf[*Order](rd, "c")
	if len(orders) != 1 || orders[0].First != 2 {
		t.Fatalf("orders %v", orders)
	}
	mustStep(t, c, "b", b1)
	mustStep(t, c, "a", orders[0])
	if got := delivered(mustStep(t, c, "a", orderA1)); len(got) != 0 {
		t.Fatalf("c delivered %v without a1's data", got)
	}
	if got := delivered(mustStep(t, c, "a", a1)); !slices.Equal(got, []string{"a1", "b1"}) {
		t.Fatalf("c delivered %v, want a1 then b1", got)
	}
}
