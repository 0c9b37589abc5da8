package flush

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// senderLog is what one member holds and delivered of one sender's
// multicasts in a view.
type senderLog struct {
	msgs msgLog
	// recv: every message up to recv is held (or was delivered and collected).
	recv uint64
	// delivered: every message up to delivered has been delivered here;
	// dextra holds deliveries beyond it (the reliable and atomic classes
	// deliver out of sequence order).
	delivered uint64
	dextra    map[uint64]bool
	// collected: every message up to collected has been discarded.
	collected uint64
}

func (l *senderLog) isDelivered(seq uint64) bool { return seq <= l.delivered || l.dextra[seq] }

func (l *senderLog) markDelivered(seq uint64) {
	if seq != l.delivered+1 {
		if l.dextra == nil {
			l.dextra = make(map[uint64]bool)
		}
		l.dextra[seq] = true
		return
	}
	l.delivered++
	for l.dextra[l.delivered+1] {
		delete(l.dextra, l.delivered+1)
		l.delivered++
	}
}

func (l *senderLog) holds(seq uint64) bool { return seq <= l.recv || l.msgs.get(seq) != nil }

// ordEntry is one sequencer assignment: the message (rank, seq).
type ordEntry struct {
	rank uint32
	seq  uint64
	set  bool
}

// dataPath is what the flush keeps of one view's traffic: a copy of every
// multicast that passes through (whichever layer delivers it), stability per
// sender (each member's highest contiguous seq held, minimum across the
// view), and, for the atomic classes, the sequencer's assignments.
type dataPath struct {
	view    View
	self    int
	senders []senderLog
	// reports[r] is the recv vector member r last reported (ours is live).
	reports [][]uint64
	// Atomic classes: order[i] is the assignment of position orderFrom+i;
	// deliveredGS is how many positions were delivered here, gsReports what
	// each member last reported of its own.
	order       []ordEntry
	orderFrom   uint64
	deliveredGS uint64
	gsReports   []uint64
}

func newDataPath(v View, self history.ProcessID) *dataPath {
	n := len(v.Members)
	d := &dataPath{view: v, self: v.Rank(self), senders: make([]senderLog, n), reports: make([][]uint64, n), orderFrom: 1, gsReports: make([]uint64, n)}
	for i := range d.senders {
		d.reports[i] = make([]uint64, n)
	}
	return d
}

// store keeps msg from sender rank s and advances recv; it reports whether
// the message was new.
func (d *dataPath) store(s int, msg *wire.Data) bool {
	l := &d.senders[s]
	if msg.Seq <= l.recv || l.msgs.get(msg.Seq) != nil {
		return false
	}
	l.msgs.put(msg.Seq, msg)
	for l.msgs.get(l.recv+1) != nil {
		l.recv++
	}
	return true
}

// recvVector is this member's report: recv per sender rank.
func (d *dataPath) recvVector() []uint64 {
	out := make([]uint64, len(d.senders))
	for i := range d.senders {
		out[i] = d.senders[i].recv
	}
	return out
}

// extras lists the messages held beyond recv, as parallel rank/seq slices.
func (d *dataPath) extras() (ranks []uint32, seqs []uint64) {
	for s := range d.senders {
		l := &d.senders[s]
		for _, seq := range l.msgs.after(l.recv) {
			ranks = append(ranks, uint32(s))
			seqs = append(seqs, seq)
		}
	}
	return ranks, seqs
}

// stable returns the highest seq of sender s held by every member.
func (d *dataPath) stable(s int) uint64 {
	st := d.senders[s].recv
	for r, rep := range d.reports {
		if r != d.self {
			st = min(st, rep[s])
		}
	}
	return st
}

// learnOrder records a batch of sequencer assignments.
func (d *dataPath) learnOrder(o *layer.Order) {
	if len(o.Ranks) != len(o.Seqs) || o.First == 0 {
		return
	}
	for i, r := range o.Ranks {
		d.setOrder(o.First+uint64(i), r, o.Seqs[i])
	}
}

func (d *dataPath) setOrder(pos uint64, rank uint32, seq uint64) {
	if pos < d.orderFrom || int(rank) >= len(d.senders) {
		return
	}
	i := int(pos - d.orderFrom)
	if i >= len(d.order) {
		d.order = append(d.order, make([]ordEntry, i+1-len(d.order))...)
	}
	d.order[i] = ordEntry{rank: rank, seq: seq, set: true}
}

// orderKnown returns the highest position up to which every assignment is known.
func (d *dataPath) orderKnown() uint64 {
	k := d.orderFrom - 1
	for _, e := range d.order {
		if !e.set {
			break
		}
		k++
	}
	return k
}

// collect discards what no flush can need: messages delivered here and held
// by every member, and assignments every member has delivered.
func (d *dataPath) collect() {
	for s := range d.senders {
		l := &d.senders[s]
		upto := min(d.stable(s), l.delivered)
		if upto > l.collected {
			l.msgs.dropThrough(upto)
			l.collected = upto
		}
	}
	if len(d.order) == 0 {
		return
	}
	gs := d.deliveredGS
	for r, v := range d.gsReports {
		if r != d.self {
			gs = min(gs, v)
		}
	}
	if gs >= d.orderFrom {
		drop := min(int(gs-d.orderFrom+1), len(d.order))
		// Move the rest to the front rather than reslice: appends then
		// reuse the array instead of growing a new one every few ticks.
		d.order = d.order[:copy(d.order, d.order[drop:])]
		d.orderFrom += uint64(drop)
	}
}
