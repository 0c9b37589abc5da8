package history

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// genViewRun simulates processes that multicast and deliver inside views
// that split (partitions) and merge, with crashes. At a view change the
// members of the new view flush (each delivers what any of them delivered
// in the old view) with probability 1-mutate; deliveries of random messages
// of the current view, and occasional duplicates or deliveries across
// views, make the rest of the violations.
func genViewRun(r *rand.Rand, mutate float64) History {
	n := 2 + r.IntN(4)
	procs := make([]ProcessID, n)
	for i := range procs {
		procs[i] = ProcessID(string(rune('a' + i)))
	}
	perProc := make([]History, n)
	cur := make([]uint64, n)
	alive := make([]bool, n)
	delivered := make([]map[MsgID]bool, n)
	seq := map[[2]uint64]uint64{}
	var sent []MsgID
	nextView := uint64(1)
	install := func(group []int, prevs []uint64) {
		nextView++
		var members []ProcessID
		for _, p := range group {
			members = append(members, procs[p])
		}
		for k, p := range group {
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: ViewInstall, View: nextView, Prev: prevs[k], Members: members})
			cur[p] = nextView
		}
	}
	deliver := func(p int, id MsgID, view uint64) {
		perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Deliver, Msg: id, View: view})
		delivered[p][id] = true
	}
	all := make([]int, n)
	for p := range n {
		all[p], alive[p], cur[p] = p, true, 1
		delivered[p] = map[MsgID]bool{}
	}
	nextView = 0
	install(all, make([]uint64, n))
	for range 10 + r.IntN(30) {
		p := r.IntN(n)
		if !alive[p] {
			continue
		}
		switch x := r.Float64(); {
		case x < 0.3:
			k := [2]uint64{uint64(p), cur[p]}
			seq[k]++
			id := MsgID{procs[p], cur[p], seq[k]}
			sent = append(sent, id)
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Multicast, Msg: id, View: cur[p]})
			if r.IntN(3) > 0 {
				deliver(p, id, cur[p])
			}
		case x < 0.7:
			var cand []MsgID
			for _, id := range sent {
				if id.View == cur[p] && !delivered[p][id] {
					cand = append(cand, id)
				}
			}
			if len(cand) > 0 {
				deliver(p, cand[r.IntN(len(cand))], cur[p])
			}
		case x < 0.73:
			if r.Float64() < mutate && len(sent) > 0 {
				deliver(p, sent[r.IntN(len(sent))], cur[p])
			}
		case x < 0.78:
			alive[p] = false
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Crash})
		case x < 0.9:
			// Split p's view: the live members go to one or two new views.
			var side [2][]int
			for q := range n {
				if alive[q] && cur[q] == cur[p] {
					s := 0
					if r.IntN(3) == 0 {
						s = 1
					}
					side[s] = append(side[s], q)
				}
			}
			for _, g := range side {
				if len(g) == 0 {
					continue
				}
				v := cur[g[0]]
				if r.Float64() >= mutate {
					for _, q := range g {
						for _, o := range g {
							for id := range delivered[o] {
								if id.View == v && !delivered[q][id] {
									deliver(q, id, v)
								}
							}
						}
					}
				}
				prevs := make([]uint64, len(g))
				for k := range prevs {
					prevs[k] = v
				}
				install(g, prevs)
			}
		default:
			// Merge all live processes into one view.
			var g []int
			var prevs []uint64
			for q := range n {
				if alive[q] {
					g = append(g, q)
					prevs = append(prevs, cur[q])
				}
			}
			install(g, prevs)
		}
	}
	return interleave(r, perProc)
}

// naiveStints lists, per process, the views it was in, in order, straight
// from the definition in CheckAgreement's comment.
func naiveStints(h History) map[ProcessID][]uint64 {
	out := map[ProcessID][]uint64{}
	traffic := map[ProcessID]bool{}
	installed := map[ProcessID]bool{}
	for _, e := range h {
		out[e.Process] = out[e.Process]
		switch e.Kind {
		case Multicast, Deliver:
			if !installed[e.Process] {
				traffic[e.Process] = true
			}
		case ViewInstall:
			if !installed[e.Process] && traffic[e.Process] {
				out[e.Process] = append(out[e.Process], 0)
			}
			installed[e.Process] = true
			out[e.Process] = append(out[e.Process], e.View)
		}
	}
	for p := range out {
		if !installed[p] {
			out[p] = []uint64{0}
		}
	}
	return out
}

// naiveAgreement returns "r m v" for every correct r that agreement
// (uniform or not) says should have delivered m in view v, by looping over
// every view, message, deliverer and process.
func naiveAgreement(h History, uniform bool) map[string]bool {
	crashed, faulty := map[ProcessID]bool{}, map[ProcessID]bool{}
	type dk struct {
		p ProcessID
		m MsgID
		v uint64
	}
	dl := map[dk]bool{}
	for _, e := range h {
		switch e.Kind {
		case Crash:
			crashed[e.Process] = true
		case Faulty:
			faulty[e.Process] = true
		case Deliver:
			dl[dk{e.Process, e.Msg, e.View}] = true
		}
	}
	correct := func(p ProcessID) bool { return !crashed[p] && !faulty[p] }
	stints := naiveStints(h)
	succ := func(p ProcessID, v uint64) (uint64, bool, bool) { // next, hasNext, wasIn
		s := stints[p]
		k := slices.Index(s, v)
		if k < 0 {
			return 0, false, false
		}
		if k+1 < len(s) {
			return s[k+1], true, true
		}
		return 0, false, true
	}
	out := map[string]bool{}
	for d := range dl {
		q := d.p
		qn, qh, qin := succ(q, d.v)
		if !qin || faulty[q] || (!correct(q) && !uniform) {
			continue
		}
		for r := range stints {
			rn, rh, rin := succ(r, d.v)
			if !rin || !correct(r) || dl[dk{r, d.m, d.v}] {
				continue
			}
			sameGroup := qh == rh && qn == rn
			crashedIn := uniform && !correct(q) && !qh
			if sameGroup || crashedIn {
				out[fmt.Sprintf("%s %s %d", r, d.m, d.v)] = true
			}
		}
	}
	return out
}

// naiveVirtualSynchrony returns "v->v'" for every pair of views between
// which two processes moved having delivered different sets in v.
func naiveVirtualSynchrony(h History) map[string]bool {
	faulty := map[ProcessID]bool{}
	for _, e := range h {
		if e.Kind == Faulty {
			faulty[e.Process] = true
		}
	}
	sets := map[ProcessID]map[uint64][]MsgID{}
	type mover struct {
		p    ProcessID
		from uint64
		set  []MsgID
	}
	moves := map[uint64][]mover{}
	for _, e := range h {
		if faulty[e.Process] {
			continue
		}
		if sets[e.Process] == nil {
			sets[e.Process] = map[uint64][]MsgID{}
		}
		switch e.Kind {
		case Deliver:
			if !slices.Contains(sets[e.Process][e.View], e.Msg) {
				sets[e.Process][e.View] = append(sets[e.Process][e.View], e.Msg)
			}
		case ViewInstall:
			moves[e.View] = append(moves[e.View], mover{e.Process, e.Prev, slices.Clone(sets[e.Process][e.Prev])})
		}
	}
	out := map[string]bool{}
	for to, ms := range moves {
		for _, a := range ms {
			for _, b := range ms {
				if a.from == b.from && !sameSet(a.set, b.set) {
					out[fmt.Sprintf("%d->%d", a.from, to)] = true
				}
			}
		}
	}
	return out
}

func sameSet(a, b []MsgID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func TestAgreementAndVirtualSynchronyAgainstNaiveReference(t *testing.T) {
	var broken, clean int
	forSeeds(t, 9000, func(t *testing.T, r *rand.Rand) string {
		mutate := []float64{0, 0.3, 0.8}[r.IntN(3)]
		h := genViewRun(r, mutate)
		for _, uniform := range []bool{false, true} {
			vs := checkAgreement(newFacts(h), uniform)
			got := map[string]bool{}
			for _, v := range vs {
				var p, m string
				var view uint64
				if _, err := fmt.Sscanf(v.Detail, "correct %s did not deliver %s in view %d", &p, &m, &view); err != nil {
					return fmt.Sprintf("unparsable detail %q: %v", v.Detail, err)
				}
				got[fmt.Sprintf("%s %s %d", p, m, view)] = true
			}
			want := naiveAgreement(h, uniform)
			if !sameKeys(got, want) || len(got) != len(vs) {
				return fmt.Sprintf("agreement (uniform=%v): checker %v (%d violations), reference %v\n%v", uniform, got, len(vs), want, h)
			}
		}
		got := map[string]bool{}
		for _, v := range CheckVirtualSynchrony(h) {
			var a, b string
			var from, to uint64
			if _, err := fmt.Sscanf(v.Detail, "%s and %s both moved from view %d to view %d", &a, &b, &from, &to); err != nil {
				return fmt.Sprintf("unparsable detail %q: %v", v.Detail, err)
			}
			got[fmt.Sprintf("%d->%d", from, to)] = true
		}
		want := naiveVirtualSynchrony(h)
		if !sameKeys(got, want) {
			return fmt.Sprintf("virtual synchrony: checker %v, reference %v\n%v", got, want, h)
		}
		if len(want) > 0 {
			broken++
		} else {
			clean++
		}
		return ""
	})
	if *seedFlag == 0 && (broken < *roundsFlag/10 || clean < *roundsFlag/10) {
		t.Errorf("generator is unbalanced: %d broken and %d clean histories", broken, clean)
	}
	t.Logf("%d histories breaking virtual synchrony, %d keeping it", broken, clean)
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// naiveSelfDelivery counts the multicasts whose sender (not Faulty)
// installs a view after them without delivering them in between, by
// scanning forward from every multicast.
func naiveSelfDelivery(h History) int {
	faulty := map[ProcessID]bool{}
	for _, e := range h {
		if e.Kind == Faulty {
			faulty[e.Process] = true
		}
	}
	n := 0
	for i, e := range h {
		if e.Kind != Multicast || faulty[e.Process] {
			continue
		}
		for _, later := range h[i+1:] {
			if later.Process != e.Process {
				continue
			}
			if later.Kind == Deliver && later.Msg == e.Msg {
				break
			}
			if later.Kind == ViewInstall {
				n++
				break
			}
		}
	}
	return n
}

func TestSelfDeliveryAgainstNaiveReference(t *testing.T) {
	var bad int
	forSeeds(t, 30000, func(t *testing.T, r *rand.Rand) string {
		h := genViewRun(r, []float64{0, 0.5}[r.IntN(2)])
		// Drop some deliveries so that senders miss their own messages.
		kept := h[:0:0]
		for _, e := range h {
			if e.Kind != Deliver || r.IntN(6) > 0 {
				kept = append(kept, e)
			}
		}
		got, want := len(CheckSelfDelivery(kept)), naiveSelfDelivery(kept)
		if got != want {
			return fmt.Sprintf("self delivery: checker found %d, reference %d\n%v\n%s", got, want, kept, dump(CheckSelfDelivery(kept)))
		}
		if got > 0 {
			bad++
		}
		return ""
	})
	if *seedFlag == 0 && bad < *roundsFlag/10 {
		t.Errorf("generator is unbalanced: %d of %d histories break self delivery", bad, *roundsFlag)
	}
}
