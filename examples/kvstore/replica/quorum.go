package replica

import (
	"github.com/lockstep-actors/lockstep/actors/history"
)

// progress tracks, within one view, how far this replica and the others
// have applied the view's deliveries, so the replica knows when a command
// it delivered is durable: applied by a majority of the view.
//
// Each replica numbers its deliveries in a view 1, 2, ... and keeps a
// running digest of them (chain). Another member's notice (count, chain)
// proves that member applied exactly this replica's first count deliveries
// if this replica's own digest at count is the same. Notices from ahead of
// this replica wait (a few per member) until it catches up.
type progress struct {
	view    uint64
	members []history.ProcessID
	chain   []uint64 // chain[c] is the digest after c deliveries; chain[0] = 0
	matched map[history.ProcessID]uint64
	ahead   map[history.ProcessID][]notice
}

type notice struct{ count, chain uint64 }

// maxAhead bounds the notices kept per member from beyond our own count.
const maxAhead = 32

func newProgress(view uint64, members []history.ProcessID) *progress {
	return &progress{view: view, members: members, chain: []uint64{0},
		matched: make(map[history.ProcessID]uint64), ahead: make(map[history.ProcessID][]notice)}
}

// count is the number of this view's deliveries applied here.
func (p *progress) count() uint64 { return uint64(len(p.chain) - 1) }

func (p *progress) head() uint64 { return p.chain[len(p.chain)-1] }

// deliver extends the digest by one delivered message and checks the
// notices that were waiting for it.
func (p *progress) deliver(id history.MsgID) {
	h := p.head() ^ msgHash(id)
	h *= 0x100000001b3
	h ^= h >> 29
	p.chain = append(p.chain, h)
	c := p.count()
	for m, q := range p.ahead {
		for len(q) > 0 && q[0].count <= c {
			p.verify(m, q[0])
			q = q[1:]
		}
		p.ahead[m] = q
	}
}

// hear takes a member's notice.
func (p *progress) hear(from history.ProcessID, n notice) {
	if n.count <= p.count() {
		p.verify(from, n)
		return
	}
	if q := p.ahead[from]; len(q) < maxAhead && (len(q) == 0 || q[len(q)-1].count < n.count) {
		p.ahead[from] = append(q, n)
	}
}

func (p *progress) verify(from history.ProcessID, n notice) {
	if p.chain[n.count] == n.chain && n.count > p.matched[from] {
		p.matched[from] = n.count
	}
}

// durable reports whether the first c deliveries of the view are applied by
// a majority of its members (this replica included).
func (p *progress) durable(self history.ProcessID, c uint64) bool {
	n := 0
	for _, m := range p.members {
		if m == self && p.count() >= c || p.matched[m] >= c {
			n++
		}
	}
	return 2*n > len(p.members)
}

// msgHash is FNV-1a over a message id.
func msgHash(id history.MsgID) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id.Sender); i++ {
		h ^= uint64(id.Sender[i])
		h *= 1099511628211
	}
	for _, x := range []uint64{id.View, id.Seq} {
		for range 8 {
			h ^= x & 0xff
			h *= 1099511628211
			x >>= 8
		}
	}
	return h
}
