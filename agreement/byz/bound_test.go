package byz_test

import (
	"testing"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// The bound has teeth: with n <= 3m, OM(m) must fail against some
// adversary, and the search below must find one. A search that finds none
// means the adversaries are too weak to trust the passing tests above.

// TestOMThreeGeneralsFails searches every adversary of OM(1) with three
// generals and one traitor, and requires violations, among them the
// paper's scenario: loyal commander says ATTACK, traitor lieutenant g2
// tells g1 that the commander said RETREAT.
func TestOMThreeGeneralsFails(t *testing.T) {
	const n, m = 3, 1
	ids := byztest.IDs(n)
	found, runs := 0, 0
	var first string
	for _, value := range []string{byz.Attack, byz.Retreat} {
		for traitor := range n {
			for script := range byztest.Scripts(byz.OMSlots(ids, ids[0], ids[traitor], m)) {
				s := byztest.Setup{Algorithm: byz.OralMessages, N: n, M: m, Values: []string{value},
					Traitors: map[int]byz.Traitor{traitor: script}}
				v, err := judge(s)
				if err != nil || len(v.broken) > 0 {
					t.Fatalf("%s: the run itself went wrong: %v %v", describe(s), err, v.broken)
				}
				runs++
				if len(v.ic) > 0 {
					found++
					if first == "" {
						first = describe(s) + ": " + v.ic[0]
					}
				}
			}
		}
	}
	if found == 0 {
		t.Fatalf("no adversary among %d broke OM(1) with 3 generals: the search is too weak", runs)
	}
	t.Logf("OM(1), n=3: %d of %d adversaries break IC1 or IC2; first: %s", found, runs, first)

	classic := byztest.Setup{Algorithm: byz.OralMessages, N: n, M: m, Values: []string{byz.Attack},
		Traitors: map[int]byz.Traitor{2: byz.Scripted{Script: map[byz.Slot]byz.Action{
			{To: ids[1], Path: "g0/g2"}: byz.Send(byz.Retreat)}}}}
	v, err := judge(classic)
	if err != nil || len(v.ic) == 0 {
		t.Fatalf("the three-generals scenario did not break OM(1): %v %v", err, v.problems())
	}
	t.Logf("three-generals scenario: %v", v.ic)
}

// TestOMSixGeneralsTwoTraitorsFails searches pairs of traitor positions and
// structured strategies and requires that some break OM(2) with six
// generals, by omission and by lies alone.
func TestOMSixGeneralsTwoTraitorsFails(t *testing.T) {
	const n, m = 6, 2
	ids := byztest.IDs(n)
	col := byz.NewColluding(ids, newRand(1))
	strategies := structured(col)
	runs, found := 0, 0
	var firstSilent, firstLying string
	for _, value := range []string{byz.Attack, byz.Retreat} {
		for a := range n {
			for b := a + 1; b < n; b++ {
				for _, sa := range strategies {
					for _, sb := range strategies {
						s := byztest.Setup{Algorithm: byz.OralMessages, N: n, M: m, Values: []string{value},
							Traitors: map[int]byz.Traitor{a: sa, b: sb}}
						v, err := judge(s)
						if err != nil || len(v.broken) > 0 {
							t.Fatalf("%s: the run itself went wrong: %v %v", describe(s), err, v.broken)
						}
						runs++
						if len(v.ic) == 0 {
							continue
						}
						found++
						_, silentA := sa.(byz.Silent)
						_, silentB := sb.(byz.Silent)
						switch {
						case (silentA || silentB) && firstSilent == "":
							firstSilent = describe(s) + ": " + v.ic[0]
						case !silentA && !silentB && firstLying == "":
							firstLying = describe(s) + ": " + v.ic[0]
						}
					}
				}
			}
		}
	}
	if found == 0 || firstLying == "" {
		t.Fatalf("OM(2), n=6: %d of %d adversaries broke it, none by lying alone: the search is too weak", found, runs)
	}
	t.Logf("OM(2), n=6: %d of %d structured adversaries break IC1 or IC2", found, runs)
	t.Logf("with a silent traitor: %s", firstSilent)
	t.Logf("by lying alone: %s", firstLying)
}
