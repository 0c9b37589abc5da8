package main

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// The default demo (OM(1), four generals on actors, a two-faced
// commander) satisfies IC1 and IC2, the pure replay of its cores decides
// what the actors decided, and the output carries the decision table.
func TestDefaultHolds(t *testing.T) {
	o := DefaultOptions()
	var out bytes.Buffer
	rep, err := run(&out, o)
	if err != nil {
		t.Fatalf("seed %d: %v\n%s", o.Seed, err, out.String())
	}
	r := rep.Runs[0]
	if r.Driver != Actors || len(r.IC1)+len(r.IC2) != 0 {
		t.Errorf("seed %d: driver %s, IC1 %v, IC2 %v", o.Seed, r.Driver, r.IC1, r.IC2)
	}
	if len(r.outcome.Decisions) != 3 {
		t.Errorf("seed %d: %d loyal decisions, want 3", o.Seed, len(r.outcome.Decisions))
	}
	for _, want := range []string{"round 2: 6 messages (all loyal: 6)", "IC1 (", "g3       lieutenant  loyal", "9 messages sent"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "replay differs") {
		t.Errorf("pure replay disagrees with the actors")
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

// Above the bound, with every strategy a traitor can play, OM and SM and
// their interactive forms hold on the pure driver; SM on actors too.
func TestRunsWithinBoundHold(t *testing.T) {
	for _, name := range strategyNames {
		for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
			for _, ic := range []bool{false, true} {
				o := DefaultOptions()
				o.N, o.M, o.Algorithm, o.Interactive, o.Driver = 7, 2, alg, ic, Pure
				o.Traitors = map[int]string{0: name, 4: name}
				var out bytes.Buffer
				rep, err := run(&out, o)
				if err != nil {
					t.Fatalf("%v ic=%v %s: %v", alg, ic, name, err)
				}
				if r := rep.Runs[0]; len(r.IC1)+len(r.IC2) != 0 {
					t.Errorf("%v ic=%v %s seed %d: IC1 %v IC2 %v\n%s", alg, ic, name, o.Seed, r.IC1, r.IC2, out.String())
				}
			}
		}
	}
	o := DefaultOptions()
	o.Algorithm, o.Traitors = byz.SignedMessages, map[int]string{2: "lie"}
	var out bytes.Buffer
	rep, err := run(&out, o)
	if err != nil || len(rep.Runs[0].IC1)+len(rep.Runs[0].IC2) != 0 || rep.Runs[0].outcome.Rejected[byz.ErrForged] == 0 {
		t.Errorf("SM on actors: err %v, report %+v\n%s", err, rep.Runs[0], out.String())
	}
}

// With every general loyal, each round sends what the formula says.
func TestMessagesPerRoundMatchFormula(t *testing.T) {
	for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
		o := DefaultOptions()
		o.N, o.M, o.Algorithm, o.Traitors = 7, 2, alg, nil
		res, err := runPure(o, byztest.IDs(o.N))
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= o.M+1; r++ {
			n := 0
			for _, s := range res.Sent {
				if len(s.Path) == r {
					n++
				}
			}
			if n != formula(o, r) {
				t.Errorf("%v round %d: %d messages, formula %d", alg, r, n, formula(o, r))
			}
		}
	}
}

// The demo's pure driver agrees with package byztest's harness.
func TestPureDriverMatchesHarness(t *testing.T) {
	o := DefaultOptions()
	o.N, o.M, o.Traitors = 7, 2, map[int]string{3: "two-faced", 5: "silent"}
	mine, err := runPure(o, byztest.IDs(o.N))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := byztest.Run(byztest.Setup{Algorithm: o.Algorithm, N: o.N, M: o.M, Values: []string{o.Value},
		Traitors: map[int]byz.Traitor{3: byz.TwoFaced{}, 5: byz.Silent{}}, RoundTicks: 1, Session: session})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(mine.Decisions, theirs.Decisions, maps.Equal) || len(mine.Sent) != theirs.Sent {
		t.Errorf("demo: %v, %d sent; byztest: %v, %d sent", mine.Decisions, len(mine.Sent), theirs.Decisions, theirs.Sent)
	}
}

// -show-bound: OM(1) among three generals breaks IC2 in scenario (a), the
// checkers say so, g1 cannot tell (a) from (b), and SM(1) holds in (c).
func TestShowBoundFindsViolation(t *testing.T) {
	o := DefaultOptions()
	o.ShowBound = true
	var out bytes.Buffer
	rep, err := run(&out, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(rep.Runs) != 3 {
		t.Fatalf("%d runs, want 3", len(rep.Runs))
	}
	a, b, c := rep.Runs[0], rep.Runs[1], rep.Runs[2]
	if len(a.IC2) == 0 || a.IC2[0].Property != history.PropIC2 {
		t.Errorf("(a): IC2 violations %v, want one", a.IC2)
	}
	if len(b.IC1)+len(b.IC2) != 0 || len(c.IC1)+len(c.IC2) != 0 {
		t.Errorf("(b) %v %v, (c) %v %v: want none", b.IC1, b.IC2, c.IC1, c.IC2)
	}
	if got, want := a.outcome.received("g1"), b.outcome.received("g1"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("g1 received %v in (a) and %v in (b): the scenarios should look alike to it", got, want)
	}
	if !strings.Contains(out.String(), "VIOLATED") || !strings.Contains(out.String(), "cannot tell (a) from (b)") {
		t.Errorf("output lacks the violation or the explanation:\n%s", out.String())
	}
}

func TestOptionErrors(t *testing.T) {
	for _, f := range []func(*Options){
		func(o *Options) { o.N = 1 },
		func(o *Options) { o.M = 3 },
		func(o *Options) { o.Traitors = map[int]string{9: "silent"} },
		func(o *Options) { o.Traitors = map[int]string{1: "sneaky"} },
		func(o *Options) { o.Driver = "carrier-pigeon" },
	} {
		o := DefaultOptions()
		f(&o)
		if _, err := run(&bytes.Buffer{}, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := parseTraitors("3-two-faced"); err == nil {
		t.Error("parseTraitors accepted 3-two-faced")
	}
}
