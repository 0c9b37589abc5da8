package history

import (
	"strings"
)

// Violation is one breach of a property found in a history.
type Violation struct {
	// Property names the property broken, e.g. "integrity" or "fifo".
	Property string
	// Detail says in one sentence what went wrong.
	Detail string
	// Events are the events involved, in history order where that matters.
	Events []Event
}

// String renders the violation with its events, one per line.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Property)
	b.WriteString(": ")
	b.WriteString(v.Detail)
	for _, e := range v.Events {
		b.WriteString("\n\t")
		b.WriteString(e.String())
	}
	return b.String()
}

// Checker judges a history and returns every violation it finds (nil if none).
type Checker func(History) []Violation

// CheckAll runs each checker on h and returns all their violations, in the
// order of the checkers.
func CheckAll(h History, checkers ...Checker) []Violation {
	var out []Violation
	for _, c := range checkers {
		out = append(out, c(h)...)
	}
	return out
}

// Uniform turns a checker of a safety property (integrity, FIFO, causal or
// total order, prefix) into its uniform variant, which also judges processes
// that crashed: it runs c on h with the Crash events removed, so crashed
// processes count as correct. Processes marked Faulty stay excluded. Do not
// wrap liveness checkers (validity, agreement) with it: a crashed process
// cannot be expected to deliver what it never lived to receive.
func Uniform(c Checker) Checker {
	return func(h History) []Violation {
		kept := make(History, 0, len(h))
		for _, e := range h {
			if e.Kind != Crash {
				kept = append(kept, e)
			}
		}
		return c(kept)
	}
}
