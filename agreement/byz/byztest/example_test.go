package byztest_test

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// OM(1) with four generals: the commander g0 orders ATTACK and lieutenant
// g3 is two-faced; the loyal lieutenants still attack.
func ExampleRun() {
	res, err := byztest.Run(byztest.Setup{
		Algorithm: byz.OralMessages, N: 4, M: 1,
		Values:   []string{byz.Attack},
		Traitors: map[int]byz.Traitor{3: byz.TwoFaced{}},
	})
	if err != nil {
		panic(err)
	}
	for _, id := range res.Generals[1:3] {
		fmt.Println(id, res.Decisions[id]["g0"])
	}
	fmt.Println("rounds", res.Rounds, "messages per round", res.SentPerRound)
	// Output:
	// g1 ATTACK
	// g2 ATTACK
	// rounds 2 messages per round [3 6]
}

// Interactive consistency over SM(1) with three generals, g2 a traitor
// that lies to everyone: g0 and g1 end with the same vector.
func ExampleRun_interactive() {
	res, err := byztest.Run(byztest.Setup{
		Algorithm: byz.SignedMessages, N: 3, M: 1, Interactive: true,
		Values:   []string{byz.Attack, byz.Retreat, byz.Attack},
		Traitors: map[int]byz.Traitor{2: byz.AlwaysLie{}},
	})
	if err != nil {
		panic(err)
	}
	for _, id := range res.Generals[:2] {
		d := res.Decisions[id]
		fmt.Println(id, d["g0"], d["g1"], d["g2"])
	}
	fmt.Println("forgeries rejected:", res.Rejected[byz.ErrForged])
	// Output:
	// g0 ATTACK RETREAT RETREAT
	// g1 ATTACK RETREAT RETREAT
	// forgeries rejected: 2
}
