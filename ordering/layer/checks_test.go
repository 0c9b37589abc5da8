package layer

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// Minimal checkers over a history in which no process crashed, used until the
// shared checkers of the history package are available to this package's
// tests. Each returns one line per violation.

type check func(h history.History, procs []history.ProcessID) []string

func checkReliable(h history.History, procs []history.ProcessID) []string {
	var out []string
	sent := map[history.MsgID]bool{}
	got := map[history.ProcessID]map[history.MsgID]bool{}
	for _, p := range procs {
		got[p] = map[history.MsgID]bool{}
	}
	for _, e := range h {
		switch e.Kind {
		case history.Multicast:
			sent[e.Msg] = true
		case history.Deliver:
			if !sent[e.Msg] {
				out = append(out, fmt.Sprintf("integrity: %s delivered %s never multicast", e.Process, e.Msg))
			}
			if got[e.Process][e.Msg] {
				out = append(out, fmt.Sprintf("integrity: %s delivered %s twice", e.Process, e.Msg))
			}
			got[e.Process][e.Msg] = true
		}
	}
	for m := range sent {
		for _, p := range procs {
			if !got[p][m] {
				out = append(out, fmt.Sprintf("agreement: %s never delivered %s", p, m))
			}
		}
	}
	return out
}

func checkFIFO(h history.History, _ []history.ProcessID) []string {
	var out []string
	next := map[[2]history.ProcessID]uint64{}
	for _, e := range h {
		if e.Kind != history.Deliver {
			continue
		}
		k := [2]history.ProcessID{e.Process, e.Msg.Sender}
		if e.Msg.Seq != next[k]+1 {
			out = append(out, fmt.Sprintf("fifo: %s delivered %s after seq %d", e.Process, e.Msg, next[k]))
		}
		next[k] = max(next[k], e.Msg.Seq)
	}
	return out
}

// checkCausal is the oracle of the spec notes: causality computed from the
// history itself (multicasts and deliveries), never from timestamps.
func checkCausal(h history.History, procs []history.ProcessID) []string {
	var out []string
	rank := map[history.ProcessID]int{}
	for i, p := range procs {
		rank[p] = i
	}
	n := len(procs)
	vc := map[history.ProcessID][]uint64{}
	del := map[history.ProcessID][]uint64{}
	for _, p := range procs {
		vc[p], del[p] = make([]uint64, n), make([]uint64, n)
	}
	ts := map[history.MsgID][]uint64{}
	for _, e := range h {
		switch e.Kind {
		case history.Multicast:
			v := vc[e.Process]
			v[rank[e.Process]]++
			ts[e.Msg] = append([]uint64(nil), v...)
		case history.Deliver:
			t, s, d := ts[e.Msg], rank[e.Msg.Sender], del[e.Process]
			if t[s] != d[s]+1 {
				out = append(out, fmt.Sprintf("causal: %s delivered %s out of sender order (had %d)", e.Process, e.Msg, d[s]))
			}
			for k := range n {
				if k != s && t[k] > d[k] {
					out = append(out, fmt.Sprintf("causal: %s delivered %s before %d-th message of %s (had %d)", e.Process, e.Msg, t[k], procs[k], d[k]))
				}
			}
			d[s]++
			v := vc[e.Process]
			for k := range n {
				v[k] = max(v[k], t[k])
			}
		}
	}
	return out
}

// checkTotal: every process's delivery sequence is a prefix of the longest.
func checkTotal(h history.History, procs []history.ProcessID) []string {
	var out []string
	seqs := map[history.ProcessID][]history.MsgID{}
	var longest []history.MsgID
	for _, e := range h {
		if e.Kind == history.Deliver {
			seqs[e.Process] = append(seqs[e.Process], e.Msg)
			if len(seqs[e.Process]) > len(longest) {
				longest = seqs[e.Process]
			}
		}
	}
	for _, p := range procs {
		for i, m := range seqs[p] {
			if m != longest[i] {
				out = append(out, fmt.Sprintf("total: %s delivered %s at position %d where another delivered %s", p, m, i, longest[i]))
				break
			}
		}
	}
	return out
}

// checksFor returns the local checks a class must pass.
func checksFor(c Class) []check {
	cs := []check{checkReliable}
	switch c {
	case FIFO:
		cs = append(cs, checkFIFO)
	case Causal:
		cs = append(cs, checkFIFO, checkCausal)
	case Atomic:
		cs = append(cs, checkTotal)
	case FIFOAtomic:
		cs = append(cs, checkFIFO, checkTotal)
	case CausalAtomic:
		cs = append(cs, checkFIFO, checkCausal, checkTotal)
	}
	return cs
}
