package layer

import "google.golang.org/protobuf/proto"

// entry is one accepted multicast on its way up the stack: the header
// fields the layers read, not the wire.Data it may have come in (an
// in-process multicast never becomes one; see Config.LocalFanout). Layers
// hold entries by value in preallocated per-sender rings, so holding a
// message back allocates nothing. A ring slot is empty when its payload is
// nil: every accepted multicast has one.
type entry struct {
	seq     uint64        // the sender's sequence number
	vt      []uint64      // vector timestamp (causal classes), shared, never modified
	payload proto.Message // unpacked
	gs      uint64        // global sequence number, set by the total layer
	rank    int           // rank of the sender in the view
}

// sink takes a message from the stage below: a stage, or the top of the
// stack.
type sink interface{ accept(e entry) }

// stage is one ordering layer above the reliable layer. Each message
// reaches a stage exactly once from the stage below; the stage passes it to
// the stage above (its own sink), now or later, possibly after others.
type stage = sink

// prefix tracks a set of sequence numbers 1, 2, 3, ... as the highest
// contiguous one plus a bitmap of the next window, so duplicate and
// progress checks cost O(1) and no allocation.
type prefix struct {
	contig uint64
	seen   []bool // seen[s % len] for contig < s <= contig+len
}

func newPrefix(window int) prefix { return prefix{seen: make([]bool, window)} }

// has reports whether s is in the set.
func (p *prefix) has(s uint64) bool {
	if s <= p.contig {
		return true
	}
	if s > p.contig+uint64(len(p.seen)) {
		return false
	}
	return p.seen[s%uint64(len(p.seen))]
}

// add puts s, which must lie in (contig, contig+window], into the set and
// reports whether contig advanced.
func (p *prefix) add(s uint64) bool {
	w := uint64(len(p.seen))
	if s != p.contig+1 {
		p.seen[s%w] = true
		return false
	}
	p.contig = s
	for p.seen[(p.contig+1)%w] {
		p.contig++
		p.seen[p.contig%w] = false
	}
	return true
}
