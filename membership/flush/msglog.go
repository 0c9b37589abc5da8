package flush

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/wire"
)

// msgLog holds one sender's multicasts by sequence number, from the first
// not yet collected on. Nearly every message lands in a ring indexed by
// seq (no hashing, no allocation per message); the ring doubles when a
// message lies past it, up to maxRing slots, and a message further still
// (a flush that lags, or a forged sequence number before the layer refuses
// it) goes to a map, so nothing a map would hold is lost.
type msgLog struct {
	ring     []*wire.Data // ring[seq & (len-1)] for base <= seq < base+len
	base     uint64       // lowest seq the ring can hold
	top      uint64       // highest seq ever put
	overflow map[uint64]*wire.Data
}

const (
	minRing = 64
	maxRing = 1 << 16
)

// get returns message seq, or nil.
func (l *msgLog) get(seq uint64) *wire.Data {
	if d := l.inRingAt(seq); d != nil {
		return d
	}
	if l.overflow == nil {
		return nil
	}
	return l.overflow[seq] // also within the ring's range once base moved on
}

// inRingAt returns message seq if the ring holds it.
func (l *msgLog) inRingAt(seq uint64) *wire.Data {
	if !l.inRing(seq) {
		return nil
	}
	if d := l.ring[seq&uint64(len(l.ring)-1)]; d != nil && d.Seq == seq {
		return d
	}
	return nil
}

func (l *msgLog) inRing(seq uint64) bool {
	return seq >= l.base && seq-l.base < uint64(len(l.ring))
}

// put stores d as message seq (d.Seq == seq); seq must not be held.
func (l *msgLog) put(seq uint64, d *wire.Data) {
	l.top = max(l.top, seq)
	if seq >= l.base && !l.inRing(seq) && seq-l.base < maxRing {
		l.grow(seq)
	}
	if l.inRing(seq) && l.ring[seq&uint64(len(l.ring)-1)] == nil {
		l.ring[seq&uint64(len(l.ring)-1)] = d
		return
	}
	if l.overflow == nil {
		l.overflow = make(map[uint64]*wire.Data)
	}
	l.overflow[seq] = d
}

// grow doubles the ring until it reaches seq, moving what it holds.
func (l *msgLog) grow(seq uint64) {
	n := max(len(l.ring), minRing)
	for seq-l.base >= uint64(n) {
		n *= 2
	}
	ring := make([]*wire.Data, n)
	for _, d := range l.ring {
		if d != nil {
			ring[d.Seq&uint64(n-1)] = d
		}
	}
	l.ring = ring
	// Overflow that now fits moves in, so lookups stay in the ring.
	for s, d := range l.overflow {
		if l.inRing(s) {
			l.ring[s&uint64(n-1)] = d
			delete(l.overflow, s)
		}
	}
}

// dropThrough discards every message up to seq (inclusive); the ring then
// starts after it.
func (l *msgLog) dropThrough(seq uint64) {
	for s := l.base; s <= seq && l.inRing(s); s++ {
		slot := &l.ring[s&uint64(len(l.ring)-1)]
		if *slot != nil && (*slot).Seq == s {
			*slot = nil
		}
	}
	for s := range l.overflow {
		if s <= seq {
			delete(l.overflow, s)
		}
	}
	l.base = max(l.base, seq+1)
}

// after lists, in order, the seqs held beyond seq.
func (l *msgLog) after(seq uint64) []uint64 {
	var out []uint64
	for s := max(seq+1, l.base); s <= l.top && l.inRing(s); s++ {
		if l.inRingAt(s) != nil {
			out = append(out, s)
		}
	}
	if len(l.overflow) == 0 {
		return out
	}
	for s := range l.overflow { // beyond the ring, or within it once base moved on
		if s > seq {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
