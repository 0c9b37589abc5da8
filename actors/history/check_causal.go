package history

import "fmt"

// CheckCausal checks causal order (HT94 §3.3; BSS91 for views) at every
// correct process, with causality computed from the history itself, never
// from timestamps an implementation may have recorded.
//
// Causality: mc(m) → mc(m') if the multicast of m happens before that of m'
// (Lamport): a process's events are ordered as it performed them (its events
// before a view install precede its events after it), and a multicast
// precedes every delivery of its message. Deliveries of messages that were
// never multicast carry no causality.
//
// The property: if mc(m) → mc(m') and a correct process q delivers m', then
//   - q does not deliver m after m' (no inversion), and
//   - if m was multicast in the view q is in when it delivers m', q has
//     already delivered m (no missing predecessor).
//
// Without views this is exactly HT94's "no correct process delivers m'
// unless it has previously delivered m". With views, a predecessor from a
// view q is no longer in (or never was in) may legitimately never reach q:
// its sender crashed, or q was on the other side of a partition, or q
// joined later; whether q should have had it is for CheckAgreement and
// CheckVirtualSynchrony to say. Causal order implies FIFO order, so a
// sender's own earlier messages count as predecessors.
//
// Cost: O(E·n) time and O(M·n) memory for E events, M messages, n processes.
// Wrap it with Uniform to judge crashed processes too.
func CheckCausal(h History) []Violation {
	f := newFacts(h)
	order, _ := f.schedule()
	n := len(f.procs)
	nm := len(f.msgs)

	// Numbering of each sender's multicasts in its own order (1-based).
	num := make([]uint32, nm)            // per message, 0 if not (yet) multicast
	bySender := make([][]int32, n)       // per sender, its messages in order
	ts := make([]uint32, 0)              // per multicast message, n entries
	tsOf := make([]int32, nm)            // offset of a message's row in ts / n
	span := make(map[[2]uint64]numRange) // (sender, view) -> range of numbers
	vc := make([]uint32, n*n)
	cur := make([]uint64, n)
	dlv := make([][]uint64, n) // per process, bitset over messages delivered
	for p := range dlv {
		dlv[p] = make([]uint64, (nm+63)/64)
	}
	ptr := make([]uint32, n*n) // per (q, k): contiguous delivered prefix of k's messages in ptrView
	ptrView := make([]uint64, n*n)
	ptrOK := make([]bool, n*n)
	maxDep := make([]uint32, n*n)
	maxDepEv := make([]int32, n*n)
	flagged := make(map[int32]bool)
	isDelivered := func(q int32, m int32) bool { return dlv[q][m/64]&(1<<(uint(m)%64)) != 0 }

	var out []Violation
	for _, i := range order {
		e := &h[i]
		p := f.evProc[i]
		m := f.evMsg[i]
		switch e.Kind {
		case ViewInstall:
			cur[p] = e.View
		case Multicast:
			if f.mcast[m] != i {
				continue
			}
			row := vc[int(p)*n : int(p)*n+n]
			row[p]++
			num[m] = row[p]
			bySender[p] = append(bySender[p], m)
			tsOf[m] = int32(len(ts) / n)
			ts = append(ts, row...)
			key := [2]uint64{uint64(p), e.Msg.View}
			if r, ok := span[key]; ok {
				r.hi = row[p]
				span[key] = r
			} else {
				span[key] = numRange{row[p], row[p]}
			}
		case Deliver:
			if num[m] == 0 {
				continue // never multicast, or not yet (a Faulty process)
			}
			s := f.proc(f.msgs[m].Sender)
			j := num[m]
			t := ts[int(tsOf[m])*n : int(tsOf[m])*n+n]
			dup := isDelivered(p, m)
			if f.correct(p) && !dup {
				qk := int(p)*n + int(s)
				if j <= maxDep[qk] && !flagged[maxDepEv[qk]] {
					w := maxDepEv[qk]
					out = append(out, Violation{PropCausal,
						fmt.Sprintf("%s delivered %s after %s, but the multicast of %s causally precedes that of %s",
							e.Process, e.Msg, h[w].Msg, e.Msg, h[w].Msg),
						f.events(f.mcast[m], w, i)})
				}
				for k := range n {
					dep := t[k]
					if int32(k) == s {
						dep--
					}
					miss := missing(f, bySender[k], span, ptr, ptrView, ptrOK, int(p)*n+k, uint64(k), cur[p], dep, func(x int32) bool { return isDelivered(p, x) })
					if miss >= 0 {
						flagged[i] = true
						out = append(out, Violation{PropCausal,
							fmt.Sprintf("%s delivered %s before %s, whose multicast causally precedes it (both in view %d)",
								e.Process, e.Msg, f.msgs[miss], cur[p]),
							f.events(f.mcast[miss], f.mcast[m], i)})
					}
				}
			}
			dlv[p][m/64] |= 1 << (uint(m) % 64)
			row := vc[int(p)*n : int(p)*n+n]
			for k, x := range t {
				if x > row[k] {
					row[k] = x
				}
				qk := int(p)*n + k
				dep := x
				if int32(k) == s {
					dep--
				}
				if dep > maxDep[qk] {
					maxDep[qk], maxDepEv[qk] = dep, i
				}
			}
		}
	}
	return out
}

// numRange is a range of a sender's multicast numbers, both ends included.
type numRange struct{ lo, hi uint32 }

// missing returns a message of sender k, multicast in view v among k's
// first dep multicasts, that q has not delivered (-1 if there is none).
// It keeps, per (q, k), the longest prefix of k's view-v multicasts that q
// has delivered, so that repeated queries cost amortised O(1).
func missing(f *facts, msgs []int32, span map[[2]uint64]numRange, ptr []uint32, ptrView []uint64, ptrOK []bool,
	qk int, k uint64, v uint64, dep uint32, delivered func(int32) bool) int32 {
	if dep == 0 {
		return -1
	}
	r, ok := span[[2]uint64{k, v}]
	if !ok || r.lo > dep {
		return -1
	}
	if !ptrOK[qk] || ptrView[qk] != v {
		ptrOK[qk], ptrView[qk], ptr[qk] = true, v, r.lo-1
	}
	need := min(dep, r.hi)
	for ptr[qk] < need {
		next := msgs[ptr[qk]] // number ptr+1 is at position ptr
		if f.msgs[next].View == v && !delivered(next) {
			return next
		}
		ptr[qk]++
	}
	return -1
}
