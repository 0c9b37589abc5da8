package agreement_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// Four generals on one node run OM(1); the third is a two-faced traitor.
// The loyal lieutenants still follow the loyal commander.
func Example() {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer node.Close()

	cfg := agreement.DefaultConfig()
	for _, name := range []string{"g0", "g1", "g2", "g3"} {
		cfg.Generals = append(cfg.Generals, node.ProcessID(name))
	}
	traitor := cfg.Generals[2]
	council, err := agreement.NewCouncil(node, cfg, agreement.WithTraitor(traitor, byz.TwoFaced{}, 1))
	if err != nil {
		panic(err)
	}
	defer council.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := council.Propose(ctx, byz.Attack)
	if err != nil {
		panic(err)
	}
	value, agreed := out.Value(council.Commander())
	fmt.Println("agreed:", agreed, "value:", value)
	fmt.Println("rounds:", out.Rounds, "messages:", out.Messages, "traitors:", len(out.Traitors))
	// Output:
	// agreed: true value: ATTACK
	// rounds: 2 messages: 9 traitors: 1
}

// Interactive consistency: every general commands its own value, and
// every loyal general decides the same vector.
func ExampleCouncil_Start() {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer node.Close()

	cfg := agreement.DefaultConfig()
	cfg.Interactive = true
	values := map[history.ProcessID]string{}
	for i, v := range []string{"ATTACK", "RETREAT", "ATTACK", "HOLD"} {
		id := node.ProcessID(fmt.Sprintf("g%d", i))
		cfg.Generals = append(cfg.Generals, id)
		values[id] = v
	}
	council, err := agreement.NewCouncil(node, cfg)
	if err != nil {
		panic(err)
	}
	defer council.Close()

	run, err := council.Start(values)
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := run.Wait(ctx)
	if err != nil {
		panic(err)
	}
	vector, agreed := out.Vector()
	fmt.Println("agreed:", agreed)
	for i, id := range cfg.Generals {
		fmt.Printf("g%d: %s\n", i, vector[id])
	}
	// Output:
	// agreed: true
	// g0: ATTACK
	// g1: RETREAT
	// g2: ATTACK
	// g3: HOLD
}
