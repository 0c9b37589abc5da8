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
func CheckCausal(h History) []Violation { return checkCausal(newFacts(h)) }

func checkCausal(f *facts) []Violation {
	h := f.h
	n, nm := len(f.procs), len(f.msgs)

	// Number each process's multicasts in its own order (1, 2, ...); the
	// vector clocks below count them. span gives, per (process, view), the
	// numbers of the process's multicasts in that view.
	num := make([]uint32, nm) // 0: never multicast
	bySender := make([][]int32, n)
	span := make(map[[2]uint64]numRange)
	for p, evs := range f.byProc {
		for _, i := range evs {
			m := f.evMsg[i]
			if h[i].Kind != Multicast || f.mcast[m] != i {
				continue
			}
			bySender[p] = append(bySender[p], m)
			k := uint32(len(bySender[p]))
			num[m] = k
			key := [2]uint64{uint64(p), h[i].Msg.View}
			if r, ok := span[key]; ok {
				r.hi = k
				span[key] = r
			} else {
				span[key] = numRange{k, k}
			}
		}
	}

	tsOf := make([]int32, nm) // row of a processed multicast's timestamp in ts, -1 before
	for m := range tsOf {
		tsOf[m] = -1
	}
	var ts []uint32            // timestamps, n entries per multicast
	vc := make([]uint32, n*n)  // per process: multicasts it knows of, per process
	cur := make([]uint64, n)   // per process: current view
	dlv := make([][]uint64, n) // per process: bitset of messages delivered
	for p := range dlv {
		dlv[p] = make([]uint64, (nm+63)/64)
	}
	delivered := func(q, m int32) bool { return dlv[q][m/64]&(1<<(uint(m)%64)) != 0 }
	// Per (q, k): k multicast in view pv[qk] (has) with numbers up to hi,
	// and q has delivered all of those up to number ptr.
	pv := make([]uint64, n*n)
	pvSet := make([]bool, n*n)
	has := make([]bool, n*n)
	hi, ptr := make([]uint32, n*n), make([]uint32, n*n)
	// Per (q, k): the highest number of k's multicasts that something q
	// delivered causally depends on, and that delivery.
	maxDep := make([]uint32, n*n)
	maxDepEv := make([]int32, n*n)
	flagged := make(map[int32]bool)

	order, _ := f.schedule()
	var out []Violation
	for _, i := range order {
		e := &h[i]
		p, m := f.evProc[i], f.evMsg[i]
		switch e.Kind {
		case ViewInstall:
			cur[p] = e.View
		case Multicast:
			if f.mcast[m] != i {
				continue
			}
			row := vc[int(p)*n : int(p)*n+n]
			row[p] = num[m]
			tsOf[m] = int32(len(ts) / n)
			ts = append(ts, row...)
		case Deliver:
			if tsOf[m] < 0 {
				continue // never multicast, or not yet (a Faulty process)
			}
			s := f.evProc[f.mcast[m]]
			t := ts[int(tsOf[m])*n : int(tsOf[m])*n+n]
			if f.correct(p) && !delivered(p, m) {
				// Inversion: something delivered earlier depends on m.
				if qs := int(p)*n + int(s); num[m] <= maxDep[qs] && !flagged[maxDepEv[qs]] {
					w := maxDepEv[qs]
					out = append(out, Violation{PropCausal,
						fmt.Sprintf("%s delivered %s after %s, but the multicast of %s causally precedes that of %s",
							e.Process, e.Msg, h[w].Msg, e.Msg, h[w].Msg),
						f.events(f.mcast[m], w, i)})
				}
				// Missing predecessors in the current view.
				v := cur[p]
				for k := range n {
					dep := t[k]
					if int32(k) == s {
						dep--
					}
					qk := int(p)*n + k
					if !pvSet[qk] || pv[qk] != v {
						r, ok := span[[2]uint64{uint64(k), v}]
						pvSet[qk], pv[qk], has[qk] = true, v, ok
						hi[qk], ptr[qk] = r.hi, r.lo-1
					}
					if !has[qk] {
						continue
					}
					for need := min(dep, hi[qk]); ptr[qk] < need; ptr[qk]++ {
						x := bySender[k][ptr[qk]] // number ptr+1
						if f.msgs[x].View == v && !delivered(p, x) {
							flagged[i] = true
							out = append(out, Violation{PropCausal,
								fmt.Sprintf("%s delivered %s before %s, whose multicast causally precedes it (both in view %d)",
									e.Process, e.Msg, f.msgs[x], v),
								f.events(f.mcast[x], f.mcast[m], i)})
							break
						}
					}
				}
			}
			dlv[p][m/64] |= 1 << (uint(m) % 64)
			row := vc[int(p)*n : int(p)*n+n]
			for k, x := range t {
				row[k] = max(row[k], x)
				dep := x
				if int32(k) == s {
					dep--
				}
				if qk := int(p)*n + k; dep > maxDep[qk] {
					maxDep[qk], maxDepEv[qk] = dep, i
				}
			}
		}
	}
	return out
}

// numRange is a range of a process's multicast numbers, both ends included.
type numRange struct{ lo, hi uint32 }
