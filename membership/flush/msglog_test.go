package flush

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
)

// msgLog answers exactly as the map it replaces would, through growth, the
// overflow beyond maxRing, and discarding: seeded random operations checked
// against a map after every step.
func TestMsgLogMatchesAMap(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		var l msgLog
		ref := map[uint64]*wire.Data{}
		var dropped uint64 // everything up to here was discarded
		for step := range 2000 {
			switch op := r.IntN(10); {
			case op < 6: // a message near the front, or rarely very far
				seq := dropped + 1 + uint64(r.IntN(300))
				if r.IntN(50) == 0 {
					seq += maxRing + uint64(r.IntN(3*maxRing))
				}
				if ref[seq] == nil {
					d := &wire.Data{Seq: seq}
					ref[seq] = d
					l.put(seq, d)
				}
			case op < 8:
				upto := dropped + uint64(r.IntN(200))
				if r.IntN(20) == 0 { // far enough that overflow comes within the ring's range
					upto += maxRing / 4
				}
				for s := range ref {
					if s <= upto {
						delete(ref, s)
					}
				}
				l.dropThrough(upto)
				dropped = max(dropped, upto)
			default:
				from := dropped + uint64(r.IntN(100))
				var want []uint64
				for s := range ref {
					if s > from {
						want = append(want, s)
					}
				}
				slices.Sort(want)
				if got := l.after(from); !slices.Equal(got, want) {
					t.Fatalf("seed %d step %d: after(%d) = %v, want %v", seed, step, from, got, want)
				}
			}
			for i := range 20 {
				seq := dropped + uint64(i)*7 + uint64(r.IntN(7))
				if got := l.get(seq); got != ref[seq] {
					t.Fatalf("seed %d step %d: get(%d) = %v, want %v", seed, step, seq, got, ref[seq])
				}
			}
			for seq, d := range ref {
				if l.get(seq) != d {
					t.Fatalf("seed %d step %d: lost message %d", seed, step, seq)
				}
			}
		}
		if len(l.ring) > maxRing {
			t.Fatalf("seed %d: ring of %d slots, cap %d", seed, len(l.ring), maxRing)
		}
	}
}

// The ring, not a map, holds an ordinary stream: no allocation per message
// once the ring has grown to the stream's span.
func TestMsgLogStreamAllocatesNothingPerMessage(t *testing.T) {
	var l msgLog
	ds := make([]wire.Data, 4096)
	seq := uint64(0)
	put := func() {
		seq++
		d := &ds[seq%uint64(len(ds))]
		d.Seq = seq
		l.put(seq, d)
		if seq > 256 {
			l.dropThrough(seq - 256)
		}
	}
	for range 1000 {
		put()
	}
	if a := testing.AllocsPerRun(1000, put); a > 0 {
		t.Fatalf("%.2f allocations per message", a)
	}
	if l.overflow != nil {
		t.Fatalf("overflow used by a stream 256 deep: %d entries", len(l.overflow))
	}
}
