package byz_test

import (
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// exhaustive runs alg with commander g0 over every commander value, every
// traitor position and every script of that traitor's messages with
// actions from {ATTACK, RETREAT, omit}, and fails on any problem.
func exhaustive(t *testing.T, alg byz.Algorithm, n, m int) (runs int) {
	t.Helper()
	ids := byztest.IDs(n)
	keys := byztest.NewKeys(ids)
	for _, value := range []string{byz.Attack, byz.Retreat} {
		for traitor := range n {
			slots := byz.OMSlots(ids, ids[0], ids[traitor], m)
			for script := range byztest.Scripts(slots) {
				s := byztest.Setup{Algorithm: alg, N: n, M: m, Values: []string{value},
					Traitors: map[int]byz.Traitor{traitor: script}, Keys: keys}
				v, err := judge(s)
				if err != nil {
					t.Fatalf("%s: %v", describe(s), err)
				}
				if p := v.problems(); len(p) > 0 {
					t.Fatalf("%s:\n%v", describe(s), p)
				}
				runs++
			}
		}
	}
	return runs
}

func TestOMExhaustiveN4M1(t *testing.T) {
	runs := exhaustive(t, byz.OralMessages, 4, 1)
	// 2 values x (27 scripts of a traitor commander + 3 x 9 of a traitor lieutenant).
	if runs != 2*(27+3*9) {
		t.Fatalf("ran %d adversaries, want %d", runs, 2*(27+3*9))
	}
	t.Logf("OM(1), n=4: IC1 and IC2 held in all %d exhaustive adversaries", runs)
}

func TestOMExhaustiveN5M1(t *testing.T) {
	runs := exhaustive(t, byz.OralMessages, 5, 1)
	if want := 2 * (81 + 4*27); runs != want {
		t.Fatalf("ran %d adversaries, want %d", runs, want)
	}
	t.Logf("OM(1), n=5: IC1 and IC2 held in all %d exhaustive adversaries", runs)
}

// TestOMLoyalCountsAndRounds checks the cost figures with no traitor: the
// message count of every round is the formula's, and OM takes m+1 rounds,
// closed early (no tick needed) because every expected message arrives.
func TestOMLoyalCountsAndRounds(t *testing.T) {
	for _, c := range []struct{ n, m int }{{3, 0}, {4, 1}, {5, 1}, {7, 1}, {7, 2}, {10, 2}, {10, 3}} {
		s := byztest.Setup{Algorithm: byz.OralMessages, N: c.n, M: c.m}
		v, err := judge(s)
		if err != nil || len(v.problems()) > 0 {
			t.Fatalf("%s: %v %v", describe(s), err, v.problems())
		}
		for r := 1; r <= c.m+1; r++ {
			if got, want := v.res.SentPerRound[r-1], byz.OMRoundMessages(c.n, r); got != want {
				t.Fatalf("n=%d m=%d round %d: %d messages, want %d", c.n, c.m, r, got, want)
			}
		}
		if v.res.Waves != c.m+1 || v.res.Ticks != 0 {
			t.Fatalf("n=%d m=%d: %d waves and %d ticks, want %d waves and no tick", c.n, c.m, v.res.Waves, v.res.Ticks, c.m+1)
		}
		t.Logf("OM(%d) n=%d: rounds=%d messages=%d per round %v (formula %d)",
			c.m, c.n, v.res.Rounds, v.res.Sent, v.res.SentPerRound, byz.OMMessageCount(c.n, c.m))
	}
}

// TestOMRandomN7M2 runs OM(2) with 7 generals against structured
// adversaries (every pair of traitor positions with every pair of named
// strategies) and at least 10,000 seeded random ones.
func TestOMRandomN7M2(t *testing.T) {
	const n, m = 7, 2
	ids := byztest.IDs(n)
	structuredRuns := 0
	if *runsFlag == 0 {
		col := byz.Colluding{AttackTo: map[history.ProcessID]bool{ids[0]: true, ids[2]: true, ids[4]: true}}
		strategies := structured(col)
		for a := range n {
			for b := a + 1; b < n; b++ {
				for _, sa := range strategies {
					for _, sb := range strategies {
						for _, value := range []string{byz.Attack, byz.Retreat} {
							s := byztest.Setup{Algorithm: byz.OralMessages, N: n, M: m, Values: []string{value},
								Traitors: map[int]byz.Traitor{a: sa, b: sb}}
							check(t, s, "")
							structuredRuns++
						}
					}
				}
			}
		}
	}
	runs := *runsFlag
	if runs == 0 {
		runs = 10000
	}
	for i := range runs {
		seed := *seedFlag + uint64(i)
		s := randomSetup(byz.OralMessages, n, m, seed, i%50 == 0)
		check(t, s, fmt.Sprintf("go test ./agreement/byz/ -run 'TestOMRandomN7M2$' -byz.seed=%d -byz.runs=1", seed))
	}
	t.Logf("OM(2), n=7: IC1 and IC2 held in %d structured and %d random runs (seeds %d..%d)",
		structuredRuns, runs, *seedFlag, *seedFlag+uint64(runs)-1)
}

func check(t *testing.T, s byztest.Setup, replay string) {
	t.Helper()
	v, err := judge(s)
	if err == nil && len(v.problems()) == 0 {
		return
	}
	if replay != "" {
		replay = "\nreplay: " + replay
	}
	t.Fatalf("%s: %v %v%s", describe(s), err, v.problems(), replay)
}

// TestInteractiveOM checks interactive consistency over OM(1) with n=4 and
// OM(2) with n=7: every loyal general ends with the same vector, whose
// entry for each loyal general is its own value.
func TestInteractiveOM(t *testing.T) {
	for i := range 300 {
		seed := *seedFlag + uint64(i)
		for _, c := range []struct{ n, m int }{{4, 1}, {7, 2}} {
			if c.n == 7 && i%5 != 0 {
				continue
			}
			s := randomSetup(byz.OralMessages, c.n, c.m, seed, true)
			v, err := judge(s)
			if err != nil || len(v.problems()) > 0 {
				t.Fatalf("%s: %v %v", describe(s), err, v.problems())
			}
			assertVectors(t, s, v.res)
		}
	}
}

// assertVectors checks IC directly on the decided vectors, besides the
// history checkers.
func assertVectors(t *testing.T, s byztest.Setup, res byztest.Result) {
	t.Helper()
	var first map[history.ProcessID]string
	for i, id := range res.Generals {
		if _, traitor := s.Traitors[i]; traitor {
			continue
		}
		vec := res.Decisions[id]
		if len(vec) != s.N {
			t.Fatalf("%s: %s decided %d entries, want %d", describe(s), id, len(vec), s.N)
		}
		for j, jd := range res.Generals {
			if _, traitor := s.Traitors[j]; !traitor && vec[jd] != s.Values[j] {
				t.Fatalf("%s: %s has %q for loyal %s, whose value is %q", describe(s), id, vec[jd], jd, s.Values[j])
			}
		}
		if first == nil {
			first = vec
			continue
		}
		for k, x := range first {
			if vec[k] != x {
				t.Fatalf("%s: vectors differ at %s: %q and %q", describe(s), k, x, vec[k])
			}
		}
	}
}

// TestInteractiveOMExhaustiveN4M1: interactive consistency over OM(1)
// with four generals and traitor g3, against every script of all its
// messages in all four instances at once (3^9 adversaries; a ninth of them,
// evenly spread, under -race).
func TestInteractiveOMExhaustiveN4M1(t *testing.T) {
	const n, m, traitor = 4, 1, 3
	ids := byztest.IDs(n)
	var slots []byz.Slot
	for c := range n {
		slots = append(slots, byz.OMSlots(ids, ids[c], ids[traitor], m)...)
	}
	stride := 1
	if raceBuild {
		stride = 9
	}
	runs, i := 0, 0
	for script := range byztest.Scripts(slots) {
		i++
		if i%stride != 0 {
			continue
		}
		s := byztest.Setup{Algorithm: byz.OralMessages, N: n, M: m, Interactive: true,
			Values:   []string{byz.Attack, byz.Retreat, byz.Attack, byz.Attack},
			Traitors: map[int]byz.Traitor{traitor: script}}
		v, err := judge(s)
		if err != nil || len(v.problems()) > 0 {
			t.Fatalf("%s: %v %v", describe(s), err, v.problems())
		}
		assertVectors(t, s, v.res)
		runs++
	}
	t.Logf("interactive OM(1), n=4: IC held in %d of the %d adversaries over %d slots", runs, i, len(slots))
}

// TestArbitraryValues: values other than ATTACK and RETREAT are agreed on
// like any other; RETREAT is only the default.
func TestArbitraryValues(t *testing.T) {
	for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
		for seed := range uint64(50) {
			s := randomSetup(alg, 4, 1, seed, seed%2 == 0)
			for i := range s.Values {
				s.Values[i] = []string{"flank left", "hold the bridge", byz.Attack}[(int(seed)+i)%3]
			}
			v, err := judge(s)
			if err != nil || len(v.problems()) > 0 {
				t.Fatalf("%s: %v %v", describe(s), err, v.problems())
			}
			if s.Interactive {
				assertVectors(t, s, v.res)
			}
		}
	}
}
