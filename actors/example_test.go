package actors_test

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// collector is an actor that hands every probe it receives to a channel.
func collector(got chan<- *wire.Probe) actor.Producer {
	return func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			if p, ok := c.Message().(*wire.Probe); ok {
				got <- p
			}
		})
	}
}

func ExampleNode() {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Close()

	got := make(chan *wire.Probe, 1)
	pid, err := node.Spawn("alice", collector(got))
	if err != nil {
		fmt.Println(err)
		return
	}
	id := actors.ProcessIDOf(pid) // the id views and histories use
	back, _ := actors.PIDOf(id)   // and back to a PID
	node.Root().Send(back, &wire.Probe{From: "example", N: 1})
	fmt.Println(id, (<-got).N)
	// Output: nonhost/alice 1
}

func ExampleFaults() {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Close()

	// tx loses about half of what it sends, from its third message on; the
	// choice is a function of the seed and tx's name.
	f, err := node.NewFaults(faults.Spec{Model: faults.SendOmission, Rate: 0.5, Start: faults.Trigger{AfterMessages: 2}, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	got := make(chan *wire.Probe, 10)
	rx, _ := node.Spawn("rx", collector(got))
	sent := make(chan struct{})
	_, _ = node.SpawnProps("tx", actor.PropsFromProducer(func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			if _, ok := c.Message().(*actor.Started); ok {
				for n := uint64(1); n <= 10; n++ {
					c.Send(rx, &wire.Probe{N: n})
				}
				close(sent)
			}
		})
	}, f.PropsOptions()...))
	<-sent
	node.Root().Send(rx, &wire.Probe{N: 0}) // from the root: always arrives, after tx's
	for p := range got {
		if p.N == 0 {
			break
		}
		fmt.Print(p.N, " ")
	}
	fmt.Println("|", f.Stats().Dropped, "dropped")
	// Output: 1 2 3 6 7 9 10 | 3 dropped
}
