package history

import (
	"fmt"
	"strings"
)

// CheckTotalOrder checks global total order (DSU04 §2; HT94 §3.4 in its
// pairwise form): the union of the delivery orders of the correct processes
// is acyclic. Each process contributes an edge x→y for every two messages it
// delivers one right after the other (first deliveries only: duplicates are
// an integrity matter). Deliveries of all views are chained, so the order
// must also be consistent across view changes.
//
// This is stronger than the pairwise wording ("any two processes that both
// deliver m and m' deliver them in the same order") when processes deliver
// different subsets: a before b at p, b before c at q and c before a at r is
// pairwise consistent but has no total order. Each strongly connected
// component of the order graph is reported once, with one of its cycles.
// Cost: O(E) time and memory. Wrap it with Uniform to judge crashed processes.
func CheckTotalOrder(h History) []Violation { return checkTotalOrder(newFacts(h)) }

func checkTotalOrder(f *facts) []Violation {
	h := f.h
	nm := len(f.msgs)
	// Edges x→y with the two delivery events that witness them.
	type edge struct {
		to       int32
		from, at int32 // events: dl(q,x), dl(q,y)
	}
	adj := make([][]edge, nm)
	seen := newMarks(nm)
	for p, evs := range f.byProc {
		if !f.correct(int32(p)) {
			continue
		}
		seen.next()
		prev := int32(-1)
		for _, i := range evs {
			if h[i].Kind != Deliver {
				continue
			}
			m := f.evMsg[i]
			if _, dup := seen.get(m); dup {
				continue
			}
			seen.set(m, i)
			if prev >= 0 {
				x := f.evMsg[prev]
				adj[x] = append(adj[x], edge{m, prev, i})
			}
			prev = i
		}
	}

	// Tarjan's strongly connected components, iteratively.
	index := make([]int32, nm)
	low := make([]int32, nm)
	onStack := make([]bool, nm)
	comp := make([]int32, nm)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	var stack []int32
	type frame struct{ v, next int32 }
	var call []frame
	var next, ncomp int32
	var out []Violation
	for root := range int32(nm) {
		if index[root] >= 0 {
			continue
		}
		call = append(call, frame{root, 0})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			fr := &call[len(call)-1]
			v := fr.v
			if int(fr.next) < len(adj[v]) {
				w := adj[v][fr.next].to
				fr.next++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			size := 0
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp[w] = ncomp
				size++
				if w == v {
					break
				}
			}
			if size > 1 {
				// Find a cycle through v inside the component by BFS.
				parent := map[int32]edge{}
				from := map[int32]int32{}
				queue := []int32{v}
				var closing edge
				var last int32 = -1
			bfs:
				for len(queue) > 0 {
					x := queue[0]
					queue = queue[1:]
					for _, e := range adj[x] {
						if comp[e.to] != ncomp {
							continue
						}
						if e.to == v {
							closing, last = e, x
							break bfs
						}
						if _, ok := parent[e.to]; !ok {
							parent[e.to], from[e.to] = e, x
							queue = append(queue, e.to)
						}
					}
				}
				var evs []Event
				var steps []string
				cycle := []edge{closing}
				for x := last; x != v; x = from[x] {
					cycle = append(cycle, parent[x])
				}
				for k := len(cycle) - 1; k >= 0; k-- {
					e := cycle[k]
					evs = append(evs, h[e.from], h[e.at])
					steps = append(steps, fmt.Sprintf("%s before %s at %s", h[e.from].Msg, h[e.at].Msg, h[e.at].Process))
				}
				out = append(out, Violation{PropTotalOrder,
					fmt.Sprintf("deliveries admit no total order (%d messages in a cycle): %s",
						size, strings.Join(steps, ", ")), evs})
			}
			ncomp++
		}
	}
	return out
}

// CheckTotalOrderPrefix checks prefix agreement, the form of total order a
// replicated state machine needs (HT94 §3.11 discusses the contamination it
// rules out): in each view, the sequence of messages each correct process
// delivers in that view (first deliveries, by Event.View) is a prefix of the
// longest such sequence. It catches reorders, gaps (a process that skipped
// a message and went on) and a process that delivered a message nobody
// else did. Without views the whole run is view 0. Processes that moved to
// different views are not compared. Wrap it with Uniform to judge crashed
// processes too.
func CheckTotalOrderPrefix(h History) []Violation { return checkTotalOrderPrefix(newFacts(h)) }

func checkTotalOrderPrefix(f *facts) []Violation {
	h := f.h
	type key struct {
		v uint64
		p int32
	}
	seqs := make(map[key][]int32) // delivery events
	var keys []key
	seen := newMarks(len(f.msgs))
	for p, evs := range f.byProc {
		if !f.correct(int32(p)) {
			continue
		}
		seen.next()
		for _, i := range evs {
			m := f.evMsg[i]
			if h[i].Kind != Deliver {
				continue
			}
			if _, dup := seen.get(m); dup {
				continue
			}
			seen.set(m, i)
			k := key{h[i].View, int32(p)}
			if _, ok := seqs[k]; !ok {
				keys = append(keys, k)
			}
			seqs[k] = append(seqs[k], i)
		}
	}
	longest := make(map[uint64]key)
	for _, k := range keys {
		if l, ok := longest[k.v]; !ok || len(seqs[k]) > len(seqs[l]) {
			longest[k.v] = k
		}
	}
	var out []Violation
	for _, k := range keys {
		ref := longest[k.v]
		if ref == k {
			continue
		}
		a, b := seqs[k], seqs[ref]
		for j := range a {
			if f.evMsg[a[j]] == f.evMsg[b[j]] {
				continue
			}
			out = append(out, Violation{PropTotalOrderPrefix,
				fmt.Sprintf("in view %d, delivery %d of %s is %s but of %s is %s: not a prefix of the longest sequence",
					k.v, j+1, f.procs[k.p], h[a[j]].Msg, f.procs[ref.p], h[b[j]].Msg),
				f.events(b[j], a[j])})
			break
		}
	}
	return out
}
