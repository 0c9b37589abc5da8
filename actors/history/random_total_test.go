package history

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// genTotalRun makes each process deliver a random subsequence of one global
// order of messages (a correct atomic run), then, with probability mutate,
// disturbs some process's sequence: a swap, or a random permutation. Some
// processes crash. Views are left out: delivery orders are chained across
// views anyway.
func genTotalRun(r *rand.Rand, mutate float64) History {
	n := 2 + r.IntN(4)
	nm := 2 + r.IntN(6)
	procs := make([]ProcessID, n)
	for i := range procs {
		procs[i] = ProcessID(string(rune('a' + i)))
	}
	var ids []MsgID
	perProc := make([]History, n)
	seq := map[ProcessID]uint64{}
	for range nm {
		p := r.IntN(n)
		seq[procs[p]]++
		id := MsgID{Sender: procs[p], Seq: seq[procs[p]]}
		ids = append(ids, id)
		perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Multicast, Msg: id})
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for p := range n {
		var mine []MsgID
		for _, id := range ids {
			if r.IntN(3) > 0 {
				mine = append(mine, id)
			}
		}
		if r.Float64() < mutate && len(mine) > 1 {
			if r.IntN(2) == 0 {
				i, j := r.IntN(len(mine)), r.IntN(len(mine))
				mine[i], mine[j] = mine[j], mine[i]
			} else {
				r.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			}
		}
		for _, id := range mine {
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Deliver, Msg: id})
		}
		if r.IntN(6) == 0 {
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Crash})
		}
	}
	return interleave(r, perProc)
}

// naiveGlobalTotal says whether the union of all correct processes'
// delivery orders (every earlier-later pair, not only neighbours) has a
// cycle, by depth-first search over the message graph.
func naiveGlobalTotal(h History) (acyclic bool) {
	f := newFacts(h)
	edges := map[int32]map[int32]bool{}
	for p, evs := range f.byProc {
		if !f.correct(int32(p)) {
			continue
		}
		var seq []int32
		for _, i := range evs {
			if h[i].Kind == Deliver && !slices.Contains(seq, f.evMsg[i]) {
				seq = append(seq, f.evMsg[i])
			}
		}
		for a := range seq {
			for b := a + 1; b < len(seq); b++ {
				if edges[seq[a]] == nil {
					edges[seq[a]] = map[int32]bool{}
				}
				edges[seq[a]][seq[b]] = true
			}
		}
	}
	const white, grey, black = 0, 1, 2
	color := map[int32]int{}
	var visit func(x int32) bool
	visit = func(x int32) bool {
		color[x] = grey
		for y := range edges[x] {
			if color[y] == grey || (color[y] == white && !visit(y)) {
				return false
			}
		}
		color[x] = black
		return true
	}
	for x := range edges {
		if color[x] == white && !visit(x) {
			return false
		}
	}
	return true
}

// naivePrefix says whether, for every view, of any two correct processes'
// delivery sequences in it one is a prefix of the other.
func naivePrefix(h History) bool {
	f := newFacts(h)
	type key struct {
		v uint64
		p int32
	}
	seqs := map[key][]int32{}
	for i := range h {
		p := f.evProc[i]
		k := key{h[i].View, p}
		if h[i].Kind == Deliver && f.correct(p) && !slices.Contains(seqs[k], f.evMsg[i]) {
			seqs[k] = append(seqs[k], f.evMsg[i])
		}
	}
	for k1, a := range seqs {
		for k2, b := range seqs {
			if k1.v != k2.v {
				continue
			}
			short := min(len(a), len(b))
			if !slices.Equal(a[:short], b[:short]) {
				return false
			}
		}
	}
	return true
}

// validCycle checks that a total-order violation's events are pairs of
// consecutive deliveries at one process that chain into a closed cycle.
func validCycle(h History, v Violation) error {
	evs := v.Events
	if len(evs) < 4 || len(evs)%2 != 0 {
		return fmt.Errorf("want an even number (≥4) of events, got %d", len(evs))
	}
	for k := 0; k < len(evs); k += 2 {
		x, y := evs[k], evs[k+1]
		if x.Process != y.Process || x.Kind != Deliver || y.Kind != Deliver || x.Index >= y.Index {
			return fmt.Errorf("pair %v, %v is not two deliveries at one process in order", x, y)
		}
		for i := x.Index + 1; i < y.Index; i++ {
			if h[i].Process == x.Process && h[i].Kind == Deliver && h[i].Msg != x.Msg && h[i].Msg != y.Msg {
				return fmt.Errorf("pair %v, %v is not consecutive", x, y)
			}
		}
		next := evs[(k+2)%len(evs)]
		if y.Msg != next.Msg {
			return fmt.Errorf("edge to %s is followed by an edge from %s", y.Msg, next.Msg)
		}
	}
	return nil
}

func TestTotalOrderAgainstNaiveReference(t *testing.T) {
	var cyclic, prefixBad, clean int
	forSeeds(t, 5000, func(t *testing.T, r *rand.Rand) string {
		mutate := []float64{0, 0.2, 0.6}[r.IntN(3)]
		h := genTotalRun(r, mutate)
		vs := CheckTotalOrder(h)
		if acyclic := naiveGlobalTotal(h); acyclic != (len(vs) == 0) {
			return fmt.Sprintf("total order: checker found %d cycles, reference says acyclic=%v\n%v\n%s", len(vs), acyclic, h, dump(vs))
		}
		for _, v := range vs {
			if err := validCycle(h, v); err != nil {
				return fmt.Sprintf("reported cycle is not a cycle: %v\n%v", err, v)
			}
		}
		ps := CheckTotalOrderPrefix(h)
		if ok := naivePrefix(h); ok != (len(ps) == 0) {
			return fmt.Sprintf("prefix: checker found %d violations, reference says ok=%v\n%v\n%s", len(ps), ok, h, dump(ps))
		}
		if mutate == 0 && len(vs) > 0 {
			return fmt.Sprintf("a run delivering subsequences of one order was rejected:\n%s", dump(vs))
		}
		switch {
		case len(vs) > 0:
			cyclic++
		case len(ps) > 0:
			prefixBad++
		default:
			clean++
		}
		return ""
	})
	if *seedFlag == 0 && (cyclic < *roundsFlag/10 || prefixBad < *roundsFlag/10 || clean < *roundsFlag/10) {
		t.Errorf("generator is unbalanced: %d cyclic, %d prefix-only, %d clean", cyclic, prefixBad, clean)
	}
	t.Logf("%d cyclic, %d prefix-only, %d clean histories", cyclic, prefixBad, clean)
}
