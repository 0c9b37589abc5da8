package history

import "fmt"

// CheckFIFO checks gap-free FIFO order (HT94 §3.2, with sequence numbers):
// for each correct receiver q, sender s and view V, the sequence numbers of
// the messages of s's view V (Msg.View, the domain of the numbering) that q
// delivers are 1, 2, 3, ... in that order. A delivery that skips numbers is a gap; one whose number is
// not above the last is a reorder or duplicate. After a gap the checker
// carries on from the number delivered, so one lost message is reported once.
// It does not ask that q delivers everything s sent (that is agreement).
// Wrap it with Uniform to judge crashed processes too.
func CheckFIFO(h History) []Violation { return checkFIFO(newFacts(h)) }

func checkFIFO(f *facts) []Violation {
	h := f.h
	type key struct {
		q, s int32
		v    uint64
	}
	type last struct {
		seq uint64
		ev  int32
	}
	seen := make(map[key]last)
	var out []Violation
	for i := range h {
		e := &h[i]
		q := f.evProc[i]
		if e.Kind != Deliver || !f.correct(q) {
			continue
		}
		k := key{q, f.procID[e.Msg.Sender], e.Msg.View}
		l, ok := seen[k]
		if !ok {
			l.ev = -1
		}
		switch want := l.seq + 1; {
		case e.Msg.Seq == want:
		case e.Msg.Seq > want:
			out = append(out, Violation{PropFIFO,
				fmt.Sprintf("%s delivered %s from %s in view %d after #%d: gap, #%d..#%d missing",
					e.Process, e.Msg, e.Msg.Sender, e.Msg.View, l.seq, want, e.Msg.Seq-1),
				f.events(l.ev, int32(i))})
		default:
			out = append(out, Violation{PropFIFO,
				fmt.Sprintf("%s delivered %s from %s in view %d after #%d: out of order or duplicate",
					e.Process, e.Msg, e.Msg.Sender, e.Msg.View, l.seq),
				f.events(l.ev, int32(i))})
			continue
		}
		seen[k] = last{e.Msg.Seq, int32(i)}
	}
	return out
}
