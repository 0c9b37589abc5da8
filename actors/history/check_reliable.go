package history

import (
	"cmp"
	"fmt"
	"slices"
)

// Property names used in Violation.Property.
const (
	PropIntegrity        = "integrity"
	PropValidity         = "validity"
	PropAgreement        = "agreement"
	PropUniformAgreement = "uniform-agreement"
	PropFIFO             = "fifo"
	PropCausal           = "causal"
	PropTotalOrder       = "total-order"
	PropTotalOrderPrefix = "total-order-prefix"
	PropViewAgreement    = "view-agreement"
	PropSelfInclusion    = "self-inclusion"
	PropMonotonicViews   = "monotonic-views"
	PropSendingView      = "sending-view-delivery"
	PropSelfDelivery     = "self-delivery"
	PropVirtualSynchrony = "virtual-synchrony"
	PropPrimaryComponent = "primary-component"
	PropIC1              = "IC1"
	PropIC2              = "IC2"
)

// CheckIntegrity checks uniform integrity (HT94 §3.1) at every process not
// marked Faulty, crashed ones included:
//   - no process delivers the same message twice;
//   - every delivered message was multicast by its sender (Msg.Sender), and
//     not after the delivery: a process may not deliver its own message
//     before multicasting it, and the history must admit an order in which
//     every multicast precedes its deliveries (a cycle of "delivered before
//     multicast" across processes is reported);
//   - a Deliver whose Value (payload digest) is set agrees with the
//     Multicast's Value when that is set too (no corruption).
//
// It also reports malformed multicasts, because every other checker relies
// on message ids being unique: a Multicast whose Process is not Msg.Sender,
// and a second Multicast of the same id.
func CheckIntegrity(h History) []Violation { return checkIntegrity(newFacts(h)) }

func checkIntegrity(f *facts) []Violation {
	h := f.h
	var out []Violation
	first := newMarks(len(f.msgs)) // first delivery of each message, per process
	for p, evs := range f.byProc {
		if f.faulty[p] {
			continue
		}
		first.next()
		for _, i := range evs {
			e := &h[i]
			m := f.evMsg[i]
			switch e.Kind {
			case Multicast:
				if e.Process != e.Msg.Sender {
					out = append(out, Violation{PropIntegrity,
						fmt.Sprintf("%s multicast %s, whose sender is %s", e.Process, e.Msg, e.Msg.Sender),
						f.events(i)})
				}
				if f.mcast[m] != i {
					out = append(out, Violation{PropIntegrity,
						fmt.Sprintf("message id %s multicast twice", e.Msg),
						f.events(f.mcast[m], i)})
				}
			case Deliver:
				mc := f.mcast[m]
				if mc < 0 {
					out = append(out, Violation{PropIntegrity,
						fmt.Sprintf("%s delivered %s, which was never multicast", e.Process, e.Msg),
						f.events(i)})
				} else if v, w := e.Value, h[mc].Value; v != "" && w != "" && v != w {
					out = append(out, Violation{PropIntegrity,
						fmt.Sprintf("%s delivered %s with value %q, but it was multicast with %q", e.Process, e.Msg, v, w),
						f.events(mc, i)})
				}
				if d, dup := first.get(m); dup {
					out = append(out, Violation{PropIntegrity,
						fmt.Sprintf("%s delivered %s twice", e.Process, e.Msg),
						f.events(d, i)})
				} else {
					first.set(m, i)
				}
			}
		}
	}
	_, stuck := f.schedule()
	for _, i := range stuck {
		e := &h[i]
		m := f.evMsg[i]
		if e.Process == e.Msg.Sender {
			out = append(out, Violation{PropIntegrity,
				fmt.Sprintf("%s delivered its own message %s before multicasting it", e.Process, e.Msg),
				f.events(i, f.mcast[m])})
		} else {
			out = append(out, Violation{PropIntegrity,
				fmt.Sprintf("%s delivered %s before it was multicast: the history's deliveries and multicasts form a cycle", e.Process, e.Msg),
				f.events(i, f.mcast[m])})
		}
	}
	return out
}

// CheckValidity checks validity (HT94 §3.1): every message multicast by a
// correct process is delivered by that process (in any view). It is a
// liveness property: it assumes the history is complete, recorded after a
// quiescent phase in which every pending message had its chance.
func CheckValidity(h History) []Violation { return checkValidity(newFacts(h)) }

func checkValidity(f *facts) []Violation {
	h := f.h
	delivered := newMarks(len(f.msgs))
	var out []Violation
	for p, evs := range f.byProc {
		if !f.correct(int32(p)) {
			continue
		}
		delivered.next()
		for _, i := range evs {
			if h[i].Kind == Deliver {
				delivered.set(f.evMsg[i], i)
			}
		}
		for _, i := range evs {
			e := &h[i]
			if e.Kind != Multicast {
				continue
			}
			if _, ok := delivered.get(f.evMsg[i]); ok {
				continue
			}
			out = append(out, Violation{PropValidity,
				fmt.Sprintf("correct %s multicast %s but never delivered it", e.Process, e.Msg),
				f.events(i)})
		}
	}
	return out
}

// CheckAgreement checks agreement (HT94 §3.1), scoped by views as virtual
// synchrony defines it (BSS91; CKV01). It is a liveness property and
// assumes a complete, quiescent history.
//
// Deliveries count in the view the Deliver event names (Event.View). Two
// processes are in the same "stint group" of view V if both were in V
// (see below) and both left V for the same next view, or both stayed in V to
// the end of the history. Then: if a correct process delivers m in V, every
// correct process of its stint group in V delivers m in V.
//
// Without views (no ViewInstall events) every process is in view 0 until the
// end, so this is exactly HT94 agreement over the whole run: a message
// delivered by a correct process is delivered by every correct process that
// appears in the history. With views, processes separated by a partition
// (different next views) are not compared, and a message whose sender
// crashed may be delivered by no one. A process is in view V if it installs
// V; it is in view 0 if it never installs a view or if it multicasts or
// delivers before its first install. Deliveries in a view the process was
// never in are ignored here (CheckSendingViewDelivery reports them).
func CheckAgreement(h History) []Violation { return checkAgreement(newFacts(h), false) }

func checkAgreementOnly(f *facts) []Violation { return checkAgreement(f, false) }

// CheckUniformAgreement checks uniform agreement (HT94 §3.1): as
// CheckAgreement, but a delivery by any process not marked Faulty, even one
// that later crashes, obliges the correct processes. A delivery by a process
// that crashed in view V (never left it) obliges every correct process that
// was in V, whatever view it moved to next; a delivery by a process that
// left V obliges the correct processes of its stint group.
func CheckUniformAgreement(h History) []Violation { return checkAgreement(newFacts(h), true) }

func checkUniformAgreement(f *facts) []Violation { return checkAgreement(f, true) }

func checkAgreement(f *facts, uniform bool) []Violation {
	h := f.h
	prop := PropAgreement
	if uniform {
		prop = PropUniformAgreement
	}
	// Deliveries sorted by (view, message) so that each (view, message)
	// is one run.
	var dl []int32
	for i := range h {
		if h[i].Kind == Deliver {
			dl = append(dl, int32(i))
		}
	}
	slices.SortStableFunc(dl, func(a, b int32) int {
		if c := cmp.Compare(h[a].View, h[b].View); c != 0 {
			return c
		}
		return cmp.Compare(f.evMsg[a], f.evMsg[b])
	})
	stints := f.stints()
	mark := make([]int32, len(f.procs)) // run number + 1 if the process delivered in this run
	markEv := make([]int32, len(f.procs))
	type obligation struct {
		next    uint64
		hasNext bool
		witness int32
	}
	var out []Violation
	for run, lo := int32(1), 0; lo < len(dl); run++ {
		hi := lo
		v, m := h[dl[lo]].View, f.evMsg[dl[lo]]
		for hi < len(dl) && h[dl[hi]].View == v && f.evMsg[dl[hi]] == m {
			p := f.evProc[dl[hi]]
			if mark[p] != run {
				mark[p], markEv[p] = run, dl[hi]
			}
			hi++
		}
		lo = hi
		var obliged []obligation
		all := int32(-1) // witness obliging every correct member of v
		for _, s := range stints[v] {
			if mark[s.proc] != run || f.faulty[s.proc] {
				continue
			}
			switch {
			case f.correct(s.proc) || (uniform && s.hasNext):
				obliged = append(obliged, obligation{s.next, s.hasNext, markEv[s.proc]})
			case uniform && all < 0:
				all = markEv[s.proc]
			}
		}
		if len(obliged) == 0 && all < 0 {
			continue
		}
		for _, s := range stints[v] {
			if mark[s.proc] == run || !f.correct(s.proc) {
				continue
			}
			w, why := all, "which crashed in that view"
			for _, o := range obliged {
				if o.hasNext == s.hasNext && o.next == s.next {
					w = o.witness
					if s.hasNext {
						why = fmt.Sprintf("and both moved on to view %d", s.next)
					} else {
						why = "and both stayed in that view to the end"
					}
					break
				}
			}
			if w < 0 {
				continue
			}
			id := f.msgs[m]
			out = append(out, Violation{prop,
				fmt.Sprintf("correct %s did not deliver %s in view %d, but %s did, %s",
					f.procs[s.proc], id, v, h[w].Process, why),
				f.events(f.mcast[m], w, s.leftAt)})
		}
	}
	return out
}
