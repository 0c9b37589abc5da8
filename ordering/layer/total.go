package layer

import (
	"fmt"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"math"
)

// orderSlot is one assignment: global sequence number gs goes to message
// (rank, seq). Slots live in a ring indexed by gs; a slot is valid for gs
// only if its gs field says so.
type orderSlot struct {
	gs   uint64
	seq  uint64
	rank int
}

// totalStage is the fixed-sequencer total order (Défago, Schiper & Urbán
// 2004, "fixed sequencer", UB variant). Rank 0 assigns global sequence
// numbers to messages in the order its stage below passes them up and
// delivers at once; the assignments leave in batches (Order messages). The
// other members keep arrived messages in per-sender rings and deliver in gs
// order once both the assignment and the message are there; gaps in the
// assignments are NAKed to the sequencer.
type totalStage struct {
	next      sink
	sequencer bool
	window    uint64
	capacity  uint64      // window x members: an upper bound on unstable assignments
	order     []orderSlot // order[gs % capacity]
	delivered uint64      // highest gs delivered here (contiguous)

	// member side
	data       [][]entry // data[rank][seq % window]: arrived, waiting for order
	orderHigh  uint64    // highest gs known to be assigned
	orderKnown uint64    // every assignment up to this one is here
	nakMark    uint64    // orderHigh at the previous NAK scan

	// sequencer side
	assigned    uint64            // highest gs assigned
	pendingFrom uint64            // first assignment not yet sent in an Order
	flushDue    bool              // a Tick asked for the pending assignments to go out
	ranks       slab.Slab[uint32] // Order entries are cut from slabs
	seqs        slab.Slab[uint64]
}

func newTotal(n, window int, sequencer bool, next sink) *totalStage {
	t := &totalStage{
		next: next, sequencer: sequencer, window: uint64(window),
		capacity: uint64(window) * uint64(n), pendingFrom: 1,
		ranks: slab.Slab[uint32]{Size: orderSlabEntries}, seqs: slab.Slab[uint64]{Size: orderSlabEntries},
	}
	t.order = make([]orderSlot, t.capacity)
	if !sequencer {
		t.data = make([][]entry, n)
		for r := range t.data {
			t.data[r] = make([]entry, window)
		}
	}
	return t
}

func (t *totalStage) accept(e entry) {
	if t.sequencer {
		t.assigned++
		gs := t.assigned
		t.order[gs%t.capacity] = orderSlot{gs: gs, rank: e.rank, seq: e.seq}
		t.delivered = gs
		t.orderHigh, t.orderKnown = gs, gs
		e.gs = gs
		t.next.accept(e)
		return
	}
	t.data[e.rank][e.seq%t.window] = e
	t.deliverReady()
}

// deliverReady delivers while the next assignment and its message are here.
func (t *totalStage) deliverReady() {
	for {
		g := t.delivered + 1
		o := &t.order[g%t.capacity]
		if o.gs != g {
			return
		}
		slot := &t.data[o.rank][o.seq%t.window]
		if slot.payload == nil || slot.seq != o.seq {
			return
		}
		x := *slot
		*slot = entry{}
		x.gs = g
		t.delivered = g
		t.next.accept(x)
	}
}

// pending is the number of assignments not yet sent.
func (t *totalStage) pending() int {
	if !t.sequencer {
		return 0
	}
	return int(t.assigned + 1 - t.pendingFrom)
}

// orderSlabEntries is how many Order entries one pair of slab allocations
// holds: small batches (a few entries each under load) then cost one
// allocation, the Order itself.
const orderSlabEntries = 512

// batch builds an Order for assignments from..to, which the caller knows
// are in the ring.
func (t *totalStage) batch(group string, view, from, to uint64) *Order {
	n := int(to - from + 1)
	o := &Order{Group: group, View: view, First: from, Ranks: t.ranks.Cut(n), Seqs: t.seqs.Cut(n)}
	for i := range n {
		s := t.order[(from+uint64(i))%t.capacity]
		o.Ranks[i] = uint32(s.rank)
		o.Seqs[i] = s.seq
	}
	return o
}

// checkOrder validates an Order against the view size and what is already
// known, without changing anything.
func (t *totalStage) checkOrder(o *Order, n int) error {
	if t.sequencer {
		return fmt.Errorf("%w: the sequencer received an Order", ErrNotSequencer)
	}
	if len(o.Ranks) != len(o.Seqs) || len(o.Ranks) == 0 || o.First == 0 {
		return fmt.Errorf("%w: first %d with %d ranks and %d seqs", ErrBadOrder, o.First, len(o.Ranks), len(o.Seqs))
	}
	if o.First > math.MaxUint64-uint64(len(o.Ranks)) {
		return fmt.Errorf("%w: first %d overflows", ErrBadOrder, o.First)
	}
	last := o.First + uint64(len(o.Ranks)) - 1
	if last > t.delivered+t.capacity {
		return fmt.Errorf("%w: order up to %d, delivered %d, capacity %d", ErrBeyondWindow, last, t.delivered, t.capacity)
	}
	for i, r := range o.Ranks {
		if int(r) >= n || o.Seqs[i] == 0 {
			return fmt.Errorf("%w: entry %d is (rank %d, seq %d)", ErrBadOrder, i, r, o.Seqs[i])
		}
		gs := o.First + uint64(i)
		if s := t.order[gs%t.capacity]; gs > t.delivered && s.gs == gs && (s.rank != int(r) || s.seq != o.Seqs[i]) {
			return fmt.Errorf("%w: gs %d already assigned to (rank %d, seq %d), not (%d, %d)", ErrBadOrder, gs, s.rank, s.seq, r, o.Seqs[i])
		}
	}
	return nil
}

// applyOrder records a checked Order and delivers what it unblocks.
func (t *totalStage) applyOrder(o *Order) {
	for i, r := range o.Ranks {
		gs := o.First + uint64(i)
		if gs <= t.delivered {
			continue
		}
		t.order[gs%t.capacity] = orderSlot{gs: gs, rank: int(r), seq: o.Seqs[i]}
	}
	t.learnHigh(o.First + uint64(len(o.Ranks)) - 1)
	if t.orderKnown < t.delivered {
		t.orderKnown = t.delivered
	}
	for t.order[(t.orderKnown+1)%t.capacity].gs == t.orderKnown+1 {
		t.orderKnown++
	}
	t.deliverReady()
}

func (t *totalStage) learnHigh(gs uint64) {
	if gs > t.orderHigh && gs <= t.delivered+t.capacity {
		t.orderHigh = gs
	}
}

// missing returns the range of assignments to NAK, if any: those missing
// since before the previous scan, so reordering alone costs nothing.
func (t *totalStage) missing(max int) (from, to uint64, ok bool) {
	if t.sequencer {
		return 0, 0, false
	}
	if t.orderKnown < t.delivered {
		t.orderKnown = t.delivered
	}
	limit := min(t.orderHigh, t.nakMark)
	t.nakMark = t.orderHigh
	if t.orderKnown >= limit {
		return 0, 0, false
	}
	from, to = t.orderKnown+1, min(limit, t.orderKnown+uint64(max))
	return from, to, true
}
