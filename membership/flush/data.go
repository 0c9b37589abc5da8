package flush

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// senderLog is what one member holds of one sender's multicasts in a view.
type senderLog struct {
	msgs map[uint64]*wire.Data
	// recv: every message up to recv is held (or was delivered and collected).
	recv uint64
	// delivered: every message up to delivered has been delivered here.
	delivered uint64
	// collected: every message up to collected has been discarded.
	collected uint64
}

// dataPath is the per-view reliable FIFO multicast with stability tracking
// (each member's highest contiguous seq per sender, minimum across the view).
type dataPath struct {
	view    View
	self    int
	senders []senderLog
	// reports[r] is the recv vector member r last reported (ours is live).
	reports [][]uint64
}

func newDataPath(v View, self history.ProcessID) *dataPath {
	n := len(v.Members)
	d := &dataPath{view: v, self: v.Rank(self), senders: make([]senderLog, n), reports: make([][]uint64, n)}
	for i := range d.senders {
		d.senders[i].msgs = make(map[uint64]*wire.Data)
		d.reports[i] = make([]uint64, n)
	}
	return d
}

// store keeps msg from sender rank s and advances recv; it reports whether
// the message was new.
func (d *dataPath) store(s int, msg *wire.Data) bool {
	l := &d.senders[s]
	if msg.Seq <= l.recv || l.msgs[msg.Seq] != nil {
		return false
	}
	l.msgs[msg.Seq] = msg
	for l.msgs[l.recv+1] != nil {
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

// known returns the highest seq of sender s anyone reported holding, and
// the rank of a member that holds it (preferring the sender itself).
func (d *dataPath) known(s int, skip func(rank int) bool) (uint64, int) {
	best, holder := uint64(0), -1
	for r, rep := range d.reports {
		if r == d.self || skip(r) {
			continue
		}
		if rep[s] > best || (rep[s] == best && r == s) {
			best, holder = rep[s], r
		}
	}
	return best, holder
}

// collect discards messages that are both delivered here and stable: no
// survivor can need them in a flush, every member holds them.
func (d *dataPath) collect() {
	for s := range d.senders {
		l := &d.senders[s]
		upto := min(d.stable(s), l.delivered)
		for seq := l.collected + 1; seq <= upto; seq++ {
			delete(l.msgs, seq)
		}
		l.collected = max(l.collected, upto)
	}
}

// holds reports whether every message up to cut[s] is held, for every s.
func (d *dataPath) holds(cut []uint64) bool {
	for s, c := range cut {
		if d.senders[s].recv < c {
			return false
		}
	}
	return true
}
