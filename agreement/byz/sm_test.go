package byz_test

import (
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// TestSMThreeGeneralsHolds: SM(1) with three generals and one traitor,
// against every adversary (the one where OM(1) fails included).
func TestSMThreeGeneralsHolds(t *testing.T) {
	runs := exhaustive(t, byz.SignedMessages, 3, 1)
	t.Logf("SM(1), n=3: IC1 and IC2 held in all %d exhaustive adversaries", runs)
}

func TestSMExhaustiveN4M1(t *testing.T) {
	runs := exhaustive(t, byz.SignedMessages, 4, 1)
	t.Logf("SM(1), n=4: IC1 and IC2 held in all %d exhaustive adversaries", runs)
}

// TestSMRandom runs SM(m) against seeded random and structured adversaries
// with up to m colluding traitors (they share their keys), including
// group sizes where OM(m) fails (n <= 3m).
func TestSMRandom(t *testing.T) {
	cases := []struct{ n, m, runs int }{{7, 2, 200}, {4, 2, 200}, {6, 2, 200}, {5, 3, 100}}
	for _, c := range cases {
		runs := c.runs
		if raceBuild {
			runs /= 4
		}
		if *runsFlag > 0 {
			runs = *runsFlag
		}
		keys := byztest.NewKeys(byztest.IDs(c.n))
		for i := range runs {
			seed := *seedFlag + uint64(i)
			s := randomSetup(byz.SignedMessages, c.n, c.m, seed, i%10 == 0)
			s.Keys = keys
			check(t, s, fmt.Sprintf("go test ./agreement/byz/ -run 'TestSMRandom$' -byz.seed=%d -byz.runs=1", seed))
		}
		t.Logf("SM(%d), n=%d: IC1 and IC2 held in %d random runs", c.m, c.n, runs)
	}
}

func TestSMLoyalCountsAndRounds(t *testing.T) {
	for _, c := range []struct{ n, m int }{{3, 0}, {3, 1}, {4, 1}, {7, 2}, {10, 3}} {
		s := byztest.Setup{Algorithm: byz.SignedMessages, N: c.n, M: c.m}
		v, err := judge(s)
		if err != nil || len(v.problems()) > 0 {
			t.Fatalf("%s: %v %v", describe(s), err, v.problems())
		}
		// SM has no message count to close a round early, so the run
		// takes m+1 rounds of RoundTicks ticks.
		if want := (c.m + 1) * 2; v.res.Ticks != want {
			t.Fatalf("%s: %d ticks, want %d", describe(s), v.res.Ticks, want)
		}
		t.Logf("SM(%d) n=%d: rounds=%d messages=%d per round %v ticks=%d",
			c.m, c.n, v.res.Rounds, v.res.Sent, v.res.SentPerRound, v.res.Ticks)
	}
}

func TestInteractiveSM(t *testing.T) {
	keys := byztest.NewKeys(byztest.IDs(4))
	for i := range 40 {
		s := randomSetup(byz.SignedMessages, 4, 2, *seedFlag+uint64(i), true)
		s.Keys = keys
		v, err := judge(s)
		if err != nil || len(v.problems()) > 0 {
			t.Fatalf("%s: %v %v", describe(s), err, v.problems())
		}
		assertVectors(t, s, v.res)
	}
}
