package history

import (
	"fmt"
	"sort"
	"strings"
)

// The Byzantine checkers follow Lamport, Shostak & Pease (1982). A process
// is loyal iff it is correct: the history has no Faulty and no Crash event
// for it. An agreement instance is named by its commander (Propose.Process,
// Decide.Peer) and Event.View, which distinguishes successive instances led
// by the same commander (0 when there is only one).

type instance struct {
	commander ProcessID
	view      uint64
}

// CheckIC1 checks interactive consistency condition IC1: in each instance,
// all loyal processes that decide, decide the same value (and none decides
// twice differently). One violation per instance lists its loyal decisions.
func CheckIC1(h History) []Violation { return checkIC1(newFacts(h)) }

func checkIC1(f *facts) []Violation {
	h := f.h
	decisions := make(map[instance][]int32)
	var keys []instance
	for i := range h {
		e := &h[i]
		if e.Kind != Decide || !f.correct(f.evProc[i]) {
			continue
		}
		k := instance{e.Peer, e.View}
		if _, ok := decisions[k]; !ok {
			keys = append(keys, k)
		}
		decisions[k] = append(decisions[k], int32(i))
	}
	var out []Violation
	for _, k := range keys {
		ds := decisions[k]
		byValue := make(map[string][]string)
		for _, i := range ds {
			byValue[h[i].Value] = append(byValue[h[i].Value], string(h[i].Process))
		}
		if len(byValue) < 2 {
			continue
		}
		var parts []string
		for v, ps := range byValue {
			parts = append(parts, fmt.Sprintf("%q by %v", v, ps))
		}
		sort.Strings(parts)
		out = append(out, Violation{PropIC1,
			fmt.Sprintf("loyal processes decided differently for commander %s (instance %d): %s",
				k.commander, k.view, strings.Join(parts, ", ")),
			f.events(ds...)})
	}
	return out
}

// CheckIC2 checks interactive consistency condition IC2: if the commander
// of an instance is loyal, every loyal process that decides in it decides
// the commander's value (its first Propose for the instance).
func CheckIC2(h History) []Violation { return checkIC2(newFacts(h)) }

func checkIC2(f *facts) []Violation {
	h := f.h
	proposal := make(map[instance]int32)
	for i := range h {
		e := &h[i]
		if e.Kind != Propose || !f.correct(f.evProc[i]) {
			continue
		}
		k := instance{e.Process, e.View}
		if _, ok := proposal[k]; !ok {
			proposal[k] = int32(i)
		}
	}
	var out []Violation
	for i := range h {
		e := &h[i]
		if e.Kind != Decide || !f.correct(f.evProc[i]) {
			continue
		}
		pi, ok := proposal[instance{e.Peer, e.View}]
		if !ok || h[pi].Value == e.Value {
			continue
		}
		out = append(out, Violation{PropIC2,
			fmt.Sprintf("loyal %s decided %q for loyal commander %s, which proposed %q",
				e.Process, e.Value, e.Peer, h[pi].Value),
			f.events(pi, int32(i))})
	}
	return out
}
