package history

import (
	"reflect"
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
// order of the checkers. The package's own checkers share one index of the
// history instead of building one each, which matters for long histories.
func CheckAll(h History, checkers ...Checker) []Violation {
	var out []Violation
	var f *facts
	for _, c := range checkers {
		if onFacts := indexed[reflect.ValueOf(c).Pointer()]; onFacts != nil {
			if f == nil {
				f = newFacts(h)
			}
			out = append(out, onFacts(f)...)
			continue
		}
		out = append(out, c(h)...)
	}
	return out
}

// indexed maps each exported checker (by code address) to its body, which
// works on a prebuilt, read-only index of the history.
var indexed = map[uintptr]func(*facts) []Violation{}

func init() {
	for _, c := range []struct {
		check Checker
		body  func(*facts) []Violation
	}{
		{CheckIntegrity, checkIntegrity}, {CheckValidity, checkValidity},
		{CheckAgreement, checkAgreementOnly}, {CheckUniformAgreement, checkUniformAgreement},
		{CheckFIFO, checkFIFO}, {CheckCausal, checkCausal},
		{CheckTotalOrder, checkTotalOrder}, {CheckTotalOrderPrefix, checkTotalOrderPrefix},
		{CheckViewAgreement, checkViewAgreement}, {CheckSelfInclusion, checkSelfInclusion},
		{CheckMonotonicViews, checkMonotonicViews}, {CheckSendingViewDelivery, checkSendingViewDelivery},
		{CheckSelfDelivery, checkSelfDelivery}, {CheckVirtualSynchrony, checkVirtualSynchrony},
		{CheckPrimaryComponent, checkPrimaryComponent}, {CheckIC1, checkIC1}, {CheckIC2, checkIC2},
	} {
		indexed[reflect.ValueOf(c.check).Pointer()] = c.body
	}
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
