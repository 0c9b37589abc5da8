package byz_test

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// icViolations judges a history by IC1 and IC2. It is a local stand-in
// for history.CheckIC1/CheckIC2 with the same reading: a process is loyal
// unless the history marks it Faulty or Crash; an instance is named by its
// commander (Propose.Process, Decide.Peer).
func icViolations(h history.History) []string {
	faulty := map[history.ProcessID]bool{}
	for _, e := range h {
		if e.Kind == history.Faulty || e.Kind == history.Crash {
			faulty[e.Process] = true
		}
	}
	proposal := map[history.ProcessID]string{}
	decided := map[history.ProcessID]map[string][]history.ProcessID{}
	for _, e := range h {
		if faulty[e.Process] {
			continue
		}
		switch e.Kind {
		case history.Propose:
			if _, ok := proposal[e.Process]; !ok {
				proposal[e.Process] = e.Value
			}
		case history.Decide:
			if decided[e.Peer] == nil {
				decided[e.Peer] = map[string][]history.ProcessID{}
			}
			decided[e.Peer][e.Value] = append(decided[e.Peer][e.Value], e.Process)
		}
	}
	var out []string
	for c, byValue := range decided {
		if len(byValue) > 1 {
			out = append(out, fmt.Sprintf("IC1: loyal generals decided differently for commander %s: %v", c, byValue))
		}
		v, loyal := proposal[c]
		if !loyal {
			continue
		}
		for w, who := range byValue {
			if w != v {
				out = append(out, fmt.Sprintf("IC2: loyal %v decided %q for loyal commander %s, which proposed %q", who, w, c, v))
			}
		}
	}
	return out
}
