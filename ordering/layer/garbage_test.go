package layer

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

var sentinels = []error{ErrNotMember, ErrWrongGroup, ErrWrongView, ErrWrongClass, ErrBadSeq, ErrBeyondWindow,
	ErrBadTimestamp, ErrBadReport, ErrNotSequencer, ErrBadOrder, ErrUnknownMessage, ErrBadPayload}

// randomMessage draws a message of any kind with fields that are mostly
// plausible and sometimes extreme.
func randomMessage(r *rand.Rand, class Class) proto.Message {
	num := func() uint64 {
		switch r.IntN(6) {
		case 0:
			return 0
		case 1:
			return math.MaxUint64 - uint64(r.IntN(3))
		case 2:
			return r.Uint64()
		default:
			return uint64(r.IntN(6))
		}
	}
	nums := func() []uint64 {
		out := make([]uint64, r.IntN(5))
		for i := range out {
			out[i] = num()
		}
		return out
	}
	who := func() string { return string(ids3[r.IntN(3)]) + []string{"", "", "", "x"}[r.IntN(4)] }
	group, view := []string{"g", "g", "g", "h"}[r.IntN(4)], []uint64{1, 1, 1, 0}[r.IntN(4)]
	switch r.IntN(6) {
	case 0, 1:
		var payload *anypb.Any
		if r.IntN(4) > 0 {
			payload, _ = anypb.New(&wire.Probe{N: num()})
		}
		return &wire.Data{Group: group, View: view, Sender: who(), Seq: num(), Vt: nums(), Class: []string{class.String(), "fifo"}[r.IntN(2)], Payload: payload}
	case 2:
		return &Nak{Group: group, View: view, Sender: who(), Target: who(), Seqs: nums()}
	case 3:
		return &Status{Group: group, View: view, Sender: who(), High: num(), Delivered: nums(), Stable: nums(), OrderHigh: num(), OrderDelivered: num(), OrderStable: num()}
	case 4:
		ranks := make([]uint32, r.IntN(4))
		for i := range ranks {
			ranks[i] = uint32(r.IntN(4))
		}
		return &Order{Group: group, View: view, First: num(), Ranks: ranks, Seqs: nums()}
	default:
		return &OrderNak{Group: group, View: view, Sender: who(), From: num(), To: num()}
	}
}

// Garbage never panics, and every rejection wraps one of the sentinels.
func TestRandomGarbageIsRejectedCleanly(t *testing.T) {
	for _, class := range Classes {
		for seed := uint64(1); seed <= 200; seed++ {
			r := rand.New(rand.NewPCG(seed, 7))
			m := newMember(t, ids3[r.IntN(3)], ids3, class, func(c *Config) { c.Window = 4 })
			for i := range 200 {
				msg := randomMessage(r, class)
				from := history.ProcessID(ids3[r.IntN(3)])
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("class %s seed %d step %d: panic on %T %v: %v", class, seed, i, msg, msg, p)
						}
					}()
					if err := m.Step(from, msg); err != nil {
						known := false
						for _, s := range sentinels {
							known = known || errors.Is(err, s)
						}
						if !known {
							t.Fatalf("class %s seed %d: error %v wraps no sentinel", class, seed, err)
						}
					}
					if r.IntN(8) == 0 {
						m.Multicast(&wire.Probe{})
					}
					if r.IntN(4) == 0 {
						m.Tick()
					}
					take(m)
				}()
			}
		}
	}
}
