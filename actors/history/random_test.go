package history

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

var (
	seedFlag   = flag.Uint64("seed", 0, "replay the randomized checker tests from this seed only")
	roundsFlag = flag.Int("rounds", 3000, "random histories per randomized checker test")
)

// forSeeds runs body for each seed of a randomized test, and names the
// seed in any failure so that -seed=N replays it.
func forSeeds(t *testing.T, base uint64, body func(t *testing.T, r *rand.Rand) string) {
	t.Helper()
	forSeedsN(t, base, *roundsFlag, body)
}

// forSeedsN is forSeeds with its own number of rounds.
func forSeedsN(t *testing.T, base uint64, rounds int, body func(t *testing.T, r *rand.Rand) string) {
	t.Helper()
	seeds := []uint64{*seedFlag}
	if *seedFlag == 0 {
		seeds = seeds[:0]
		for k := range rounds {
			seeds = append(seeds, base+uint64(k)+1)
		}
	}
	for _, s := range seeds {
		r := rand.New(rand.NewPCG(s, s^0x5eed))
		if msg := body(t, r); msg != "" {
			t.Fatalf("seed %d (replay with -seed=%d): %s", s, s, msg)
		}
	}
}

// genCausalRun simulates n processes running a causal multicast (BSS91
// CBCAST rule per view) with random scheduling, crashes and, if views is
// set, view changes that may or may not flush. The result is then mutated
// (adjacent deliveries swapped, deliveries duplicated or dropped, arbitrary
// deliveries inserted) with probability mutate, and finally reinterleaved
// at random, keeping each process's own order.
func genCausalRun(r *rand.Rand, views bool, mutate float64) History {
	n := 2 + r.IntN(3)
	procs := make([]ProcessID, n)
	for i := range procs {
		procs[i] = ProcessID(string(rune('a' + i)))
	}
	type msg struct {
		id  MsgID
		src int
		vt  []int
	}
	view := uint64(0)
	if views {
		view = 1
	}
	perProc := make([]History, n)
	crashed := make([]bool, n)
	vt := make([][]int, n) // per process: delivered counts per sender, this view
	seq := make([]uint64, n)
	var sent []msg
	dl := make([]map[MsgID]bool, n)
	for p := range n {
		vt[p] = make([]int, n)
		dl[p] = map[MsgID]bool{}
		if views {
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: ViewInstall, View: view, Members: procs})
		}
	}
	deliver := func(p int, m msg) {
		perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Deliver, Msg: m.id, View: view})
		dl[p][m.id] = true
		if m.id.View == view {
			vt[p][m.src] = max(vt[p][m.src], m.vt[m.src])
		}
	}
	ready := func(p int) []msg {
		var out []msg
		for _, m := range sent {
			if m.id.View != view || dl[p][m.id] || m.vt[m.src] != vt[p][m.src]+1 {
				continue
			}
			ok := true
			for k := range n {
				if k != m.src && m.vt[k] > vt[p][k] {
					ok = false
				}
			}
			if ok {
				out = append(out, m)
			}
		}
		return out
	}
	steps := 5 + r.IntN(25)
	for range steps {
		p := r.IntN(n)
		if crashed[p] {
			continue
		}
		switch x := r.Float64(); {
		case x < 0.3:
			seq[p]++
			v := slices.Clone(vt[p])
			v[p] = int(seq[p]) // the own entry counts sends, not deliveries
			m := msg{MsgID{procs[p], view, seq[p]}, p, v}
			sent = append(sent, m)
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Multicast, Msg: m.id, View: view})
			if r.IntN(4) > 0 && v[p] == vt[p][p]+1 {
				deliver(p, m)
			}
		case x < 0.85:
			if rd := ready(p); len(rd) > 0 {
				deliver(p, rd[r.IntN(len(rd))])
			}
		case x < 0.9:
			if r.Float64() < mutate && len(sent) > 0 {
				deliver(p, sent[r.IntN(len(sent))]) // anything, ignoring causality
			}
		case x < 0.93:
			crashed[p] = true
			perProc[p] = append(perProc[p], Event{Process: procs[p], Kind: Crash})
		case views && x < 0.97:
			flush := r.IntN(3) > 0
			view++
			for q := range n {
				if crashed[q] {
					continue
				}
				for flush {
					rd := ready(q)
					if len(rd) == 0 {
						break
					}
					deliver(q, rd[0])
				}
			}
			for q := range n {
				if !crashed[q] {
					perProc[q] = append(perProc[q], Event{Process: procs[q], Kind: ViewInstall, View: view, Prev: view - 1, Members: procs})
				}
				clear(vt[q])
				seq[q] = 0
			}
		}
	}
	for p := range perProc {
		evs := perProc[p]
		for range 3 {
			if r.Float64() >= mutate || len(evs) < 2 {
				continue
			}
			k := r.IntN(len(evs) - 1)
			switch r.IntN(3) {
			case 0:
				if evs[k].Kind == Deliver && evs[k+1].Kind == Deliver {
					evs[k], evs[k+1] = evs[k+1], evs[k]
				}
			case 1:
				if evs[k].Kind == Deliver {
					evs = slices.Insert(evs, k+1, evs[k])
				}
			case 2:
				if evs[k].Kind == Deliver {
					evs = slices.Delete(evs, k, k+1)
				}
			}
		}
		perProc[p] = evs
	}
	return interleave(r, perProc)
}

// interleave merges per-process histories in a random order that keeps
// each process's own order.
func interleave(r *rand.Rand, perProc []History) History {
	var h History
	pos := make([]int, len(perProc))
	for {
		var live []int
		for p := range perProc {
			if pos[p] < len(perProc[p]) {
				live = append(live, p)
			}
		}
		if len(live) == 0 {
			return h
		}
		p := live[r.IntN(len(live))]
		e := perProc[p][pos[p]]
		pos[p]++
		e.Index, e.Time = int64(len(h)), int64(len(h))
		h = append(h, e)
	}
}

// naiveCausal judges causal order straight from its definition: it builds
// the happens-before graph of the events (process order, and each multicast
// before its deliveries), closes it by a search from every multicast, and
// then checks every first delivery of every correct process. It returns the
// positions of deliveries that miss a same-view predecessor, and whether
// any process delivers a message after one that causally follows it.
func naiveCausal(h History) (missing map[int32]bool, inverted bool) {
	f := newFacts(h)
	succ := make([][]int32, len(h))
	for _, evs := range f.byProc {
		for k := 1; k < len(evs); k++ {
			succ[evs[k-1]] = append(succ[evs[k-1]], evs[k])
		}
	}
	for i := range h {
		if h[i].Kind == Deliver && f.mcast[f.evMsg[i]] >= 0 {
			mc := f.mcast[f.evMsg[i]]
			succ[mc] = append(succ[mc], int32(i))
		}
	}
	// before[m'] = messages whose multicast happens before m''s.
	before := make(map[int32]map[int32]bool)
	for m, mc := range f.mcast {
		if mc < 0 {
			continue
		}
		seen := map[int32]bool{}
		stack := []int32{mc}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range succ[x] {
				if !seen[y] {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		for y := range seen {
			if h[y].Kind == Multicast && f.mcast[f.evMsg[y]] == y && f.evMsg[y] != int32(m) {
				if before[f.evMsg[y]] == nil {
					before[f.evMsg[y]] = map[int32]bool{}
				}
				before[f.evMsg[y]][int32(m)] = true
			}
		}
	}
	missing = map[int32]bool{}
	for p, evs := range f.byProc {
		if !f.correct(int32(p)) {
			continue
		}
		first := map[int32]int{} // message -> position in evs of first delivery
		for k, i := range evs {
			if h[i].Kind == Deliver {
				if _, ok := first[f.evMsg[i]]; !ok {
					first[f.evMsg[i]] = k
				}
			}
		}
		cur := uint64(0)
		for k, i := range evs {
			switch h[i].Kind {
			case ViewInstall:
				cur = h[i].View
			case Deliver:
				m2 := f.evMsg[i]
				if first[m2] != k || f.mcast[m2] < 0 {
					continue
				}
				for m := range before[m2] {
					at, ok := first[m]
					if ok && at < k {
						continue
					}
					if ok {
						inverted = true
					}
					if f.msgs[m].View == cur {
						missing[i] = true
					}
				}
			}
		}
	}
	return missing, inverted
}

func TestCausalAgainstNaiveReference(t *testing.T) {
	bad, good := 0, 0
	forSeeds(t, 1000, func(t *testing.T, r *rand.Rand) string {
		views := r.IntN(2) == 0
		mutate := []float64{0, 0.3, 1}[r.IntN(3)]
		h := genCausalRun(r, views, mutate)
		vs := CheckCausal(h)
		wantMissing, inverted := naiveCausal(h)
		gotMissing := map[int32]bool{}
		for _, v := range vs {
			last := v.Events[len(v.Events)-1]
			if v.Property != PropCausal || last.Kind != Deliver {
				return fmt.Sprintf("malformed violation %v", v)
			}
			if len(v.Events) == 3 && v.Events[1].Kind == Multicast {
				gotMissing[int32(last.Index)] = true
			}
		}
		if (len(vs) > 0) != (len(wantMissing) > 0 || inverted) {
			return fmt.Sprintf("checker found %d violations, reference says missing=%v inverted=%v\n%v\n%s", len(vs), wantMissing, inverted, h, dump(vs))
		}
		if !maps_equal(gotMissing, wantMissing) {
			return fmt.Sprintf("missing-predecessor deliveries: checker %v, reference %v\n%v\n%s", gotMissing, wantMissing, h, dump(vs))
		}
		if mutate == 0 && len(vs) > 0 {
			return fmt.Sprintf("an unmutated causal run was rejected:\n%v\n%s", h, dump(vs))
		}
		if len(vs) > 0 {
			bad++
		} else {
			good++
		}
		return ""
	})
	if *seedFlag == 0 && (bad < *roundsFlag/10 || good < *roundsFlag/10) {
		t.Errorf("generator is unbalanced: %d violating and %d clean histories", bad, good)
	}
	t.Logf("%d violating and %d clean histories", bad, good)
}

func maps_equal(a, b map[int32]bool) bool {
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

// naiveFIFO says whether, for every correct receiver, sender and view, the
// sequence numbers delivered are exactly 1, 2, ..., k in that order.
func naiveFIFO(h History) bool {
	bad := map[ProcessID]bool{}
	for _, e := range h {
		if e.Kind == Crash || e.Kind == Faulty {
			bad[e.Process] = true
		}
	}
	type key struct {
		q, s ProcessID
		v    uint64
	}
	seqs := map[key][]uint64{}
	for _, e := range h {
		if e.Kind == Deliver && !bad[e.Process] {
			k := key{e.Process, e.Msg.Sender, e.Msg.View}
			seqs[k] = append(seqs[k], e.Msg.Seq)
		}
	}
	for _, s := range seqs {
		for i, x := range s {
			if x != uint64(i+1) {
				return false
			}
		}
	}
	return true
}

// naiveIntegrity says whether no process (not Faulty) delivers a message
// twice or delivers one that nobody multicast.
func naiveIntegrity(h History) bool {
	faulty := map[ProcessID]bool{}
	sent := map[MsgID]bool{}
	for _, e := range h {
		switch e.Kind {
		case Faulty:
			faulty[e.Process] = true
		case Multicast:
			sent[e.Msg] = true
		}
	}
	type key struct {
		p ProcessID
		m MsgID
	}
	seen := map[key]bool{}
	for _, e := range h {
		if e.Kind != Deliver || faulty[e.Process] {
			continue
		}
		if seen[key{e.Process, e.Msg}] || !sent[e.Msg] {
			return false
		}
		seen[key{e.Process, e.Msg}] = true
	}
	return true
}

func TestFIFOAndIntegrityAgainstNaiveReference(t *testing.T) {
	var fifoBad, integrityBad int
	forSeeds(t, 20000, func(t *testing.T, r *rand.Rand) string {
		h := genCausalRun(r, r.IntN(2) == 0, []float64{0, 0.5}[r.IntN(2)])
		if r.IntN(4) == 0 { // deliveries of messages never multicast
			for k := range h {
				if h[k].Kind == Deliver && r.IntN(8) == 0 {
					h[k].Msg.Seq += 100
				}
			}
		}
		fifo, integ := CheckFIFO(h), CheckIntegrity(h)
		if ok := naiveFIFO(h); ok != (len(fifo) == 0) {
			return fmt.Sprintf("FIFO: checker found %d violations, reference says ok=%v\n%v\n%s", len(fifo), ok, h, dump(fifo))
		}
		if ok := naiveIntegrity(h); ok != (len(integ) == 0) {
			return fmt.Sprintf("integrity: checker found %d violations, reference says ok=%v\n%v\n%s", len(integ), ok, h, dump(integ))
		}
		if len(fifo) > 0 {
			fifoBad++
		}
		if len(integ) > 0 {
			integrityBad++
		}
		return ""
	})
	if *seedFlag == 0 && (fifoBad < *roundsFlag/10 || integrityBad < *roundsFlag/10) {
		t.Errorf("generator is unbalanced: %d FIFO and %d integrity violations in %d histories", fifoBad, integrityBad, *roundsFlag)
	}
}
