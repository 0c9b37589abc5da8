package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
)

// TestDemo runs the demo and checks that every failure model had the effect
// it names, as both the middleware and the receivers saw it.
func TestDemo(t *testing.T) {
	const seed = 1
	var out bytes.Buffer
	rounds, err := run(&out, seed)
	if err != nil {
		t.Fatalf("seed %d: %v\n%s", seed, err, out.String())
	}
	if len(rounds) != len(faults.Models)+1 {
		t.Fatalf("seed %d: %d rounds, want %d", seed, len(rounds), len(faults.Models)+1)
	}
	const total = probes * receivers
	for _, r := range rounds {
		in, s := r.Injected, r.Seen
		if !strings.Contains(out.String(), r.Model.String()) {
			t.Errorf("output lacks a row for %v", r.Model)
		}
		var ok bool
		switch r.Model {
		case faults.None:
			ok = s.Received == total && s.Missing == 0 && s.BadValue == 0
		case faults.Crash:
			ok = in.Crashed == 1 && s.Received == healthyFor && s.Missing == total-healthyFor
		case faults.SendOmission, faults.ReceiveOmission:
			ok = in.Dropped > 0 && s.Missing == in.Dropped && s.Received == total-in.Dropped
		case faults.Timing:
			ok = in.Delayed > 0 && s.Late >= in.Delayed && s.Received == total && s.OutOfOrder == 0
		case faults.Value:
			ok = in.Corrupted > 0 && s.BadValue == in.Corrupted && s.Received == total
		case faults.StateTransition:
			ok = in.Replayed > 0 && s.Duplicate == in.Replayed && s.OutOfOrder > 0
		case faults.Arbitrary:
			ok = in.Forged > 0 && in.Forged < total && s.BadValue == in.Forged
		}
		if !ok {
			t.Errorf("seed %d, %v: middleware %v, receivers saw %+v", seed, r.Model, in, s)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}
