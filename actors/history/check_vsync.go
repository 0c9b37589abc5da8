package history

import "fmt"

// CheckSendingViewDelivery checks sending-view delivery (CKV01; BSS91):
// a message is delivered in the view it was multicast in. Concretely, for
// every process not marked Faulty:
//   - a Deliver's Event.View equals its Msg.View, and a Multicast's too;
//   - once a process has installed a view, its multicasts and deliveries
//     happen in its current view (Event.View is the view it last installed).
//
// The weaker same-view delivery is implied by the first rule.
func CheckSendingViewDelivery(h History) []Violation { return checkSendingViewDelivery(newFacts(h)) }

func checkSendingViewDelivery(f *facts) []Violation {
	h := f.h
	var out []Violation
	for p, evs := range f.byProc {
		if f.faulty[p] {
			continue
		}
		cur, installed := uint64(0), false
		for _, i := range evs {
			e := &h[i]
			switch e.Kind {
			case ViewInstall:
				cur, installed = e.View, true
				continue
			case Multicast, Deliver:
			default:
				continue
			}
			if e.View != e.Msg.View {
				evs := f.events(i)
				if mc := f.mcast[f.evMsg[i]]; e.Kind == Deliver && mc >= 0 {
					evs = f.events(mc, i)
				}
				out = append(out, Violation{PropSendingView,
					fmt.Sprintf("%s's %s of %s is recorded in view %d, but the message belongs to view %d",
						e.Process, e.Kind, e.Msg, e.View, e.Msg.View),
					evs})
			}
			if installed && e.View != cur {
				out = append(out, Violation{PropSendingView,
					fmt.Sprintf("%s's %s of %s is recorded in view %d while %s was in view %d",
						e.Process, e.Kind, e.Msg, e.View, e.Process, cur),
					f.events(i)})
			}
		}
	}
	return out
}

// CheckSelfDelivery checks self delivery (CKV01): if a process multicasts
// m and later installs a view, it delivered m before that install. (A
// correct process that never installs another view must still deliver m:
// that is CheckValidity.)
func CheckSelfDelivery(h History) []Violation { return checkSelfDelivery(newFacts(h)) }

func checkSelfDelivery(f *facts) []Violation {
	h := f.h
	var out []Violation
	for p, evs := range f.byProc {
		if f.faulty[p] {
			continue
		}
		pending := make(map[int32]int32) // message -> its multicast event
		var order []int32
		for _, i := range evs {
			e := &h[i]
			m := f.evMsg[i]
			switch e.Kind {
			case Multicast:
				pending[m] = i
				order = append(order, m)
			case Deliver:
				delete(pending, m)
			case ViewInstall:
				for _, m := range order {
					mc, ok := pending[m]
					if !ok {
						continue
					}
					out = append(out, Violation{PropSelfDelivery,
						fmt.Sprintf("%s multicast %s in view %d but installed view %d without delivering it",
							e.Process, h[mc].Msg, h[mc].View, e.View),
						f.events(mc, i)})
				}
				clear(pending)
				order = order[:0]
			}
		}
	}
	return out
}

// CheckVirtualSynchrony checks virtual synchrony (BSS91; CKV01): processes
// that move from view V to the same next view V' (installs of V' whose Prev
// is V) delivered the same set of messages in V (deliveries whose Event.View
// is V). It judges every process not marked Faulty. Sets are compared by a
// hash first and exactly only when hashes differ, so the cost is O(E).
func CheckVirtualSynchrony(h History) []Violation { return checkVirtualSynchrony(newFacts(h)) }

func checkVirtualSynchrony(f *facts) []Violation {
	h := f.h
	type dset struct {
		hash  uint64
		count int
		evs   []int32 // deliveries in the view
	}
	type member struct {
		p       int32
		install int32
		set     *dset
	}
	type move struct{ from, to uint64 }
	groups := make(map[move][]member)
	var moves []move
	// seen marks a process's delivered messages with the view of their
	// first delivery; more views for one message (rare) go to seenMore.
	type viewMsg struct {
		v uint64
		m int32
	}
	seen := newMarks(len(f.msgs))
	seenView := make([]uint64, len(f.msgs))
	for p, evs := range f.byProc {
		if f.faulty[p] {
			continue
		}
		sets := make(map[uint64]*dset)
		seen.next()
		var seenMore map[viewMsg]bool
		for _, i := range evs {
			e := &h[i]
			switch e.Kind {
			case Deliver:
				m := f.evMsg[i]
				if _, ok := seen.get(m); !ok {
					seen.set(m, i)
					seenView[m] = e.View
				} else if seenView[m] == e.View || seenMore[viewMsg{e.View, m}] {
					continue // a duplicate is an integrity matter
				} else {
					if seenMore == nil {
						seenMore = make(map[viewMsg]bool)
					}
					seenMore[viewMsg{e.View, m}] = true
				}
				d := sets[e.View]
				if d == nil {
					d = &dset{}
					sets[e.View] = d
				}
				d.hash += mix64(uint64(m))
				d.count++
				d.evs = append(d.evs, i)
			case ViewInstall:
				mv := move{e.Prev, e.View}
				d := sets[e.Prev]
				if d == nil {
					d = &dset{}
				}
				if _, ok := groups[mv]; !ok {
					moves = append(moves, mv)
				}
				groups[mv] = append(groups[mv], member{int32(p), i, d})
			}
		}
	}
	var out []Violation
	for _, mv := range moves {
		g := groups[mv]
		ref := g[0]
		for _, o := range g[1:] {
			if o.set.hash == ref.set.hash && o.set.count == ref.set.count {
				continue
			}
			onlyRef, onlyO := setDiff(f, ref.set.evs, o.set.evs), setDiff(f, o.set.evs, ref.set.evs)
			evs := f.events(ref.install, o.install)
			evs = append(evs, f.events(onlyRef...)...)
			evs = append(evs, f.events(onlyO...)...)
			out = append(out, Violation{PropVirtualSynchrony,
				fmt.Sprintf("%s and %s both moved from view %d to view %d but delivered different messages in view %d: only %s: %s; only %s: %s",
					f.procs[ref.p], f.procs[o.p], mv.from, mv.to, mv.from,
					f.procs[ref.p], msgList(f, onlyRef), f.procs[o.p], msgList(f, onlyO)),
				evs})
		}
	}
	return out
}

// setDiff returns the deliveries of a whose message no delivery of b has.
func setDiff(f *facts, a, b []int32) []int32 {
	in := make(map[int32]bool, len(b))
	for _, i := range b {
		in[f.evMsg[i]] = true
	}
	var out []int32
	for _, i := range a {
		if !in[f.evMsg[i]] {
			out = append(out, i)
		}
	}
	return out
}

func msgList(f *facts, evs []int32) string {
	ids := make([]string, len(evs))
	for k, i := range evs {
		ids[k] = f.h[i].Msg.String()
	}
	return fmt.Sprint(ids)
}

// mix64 scrambles x (splitmix64's finaliser) so that sums of mixed values
// make a good hash of a set.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
