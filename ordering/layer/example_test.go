package layer_test

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Two members of a causal group: a multicasts, the driver carries a's Ready
// to b, and both deliver.
func ExampleMember() {
	view := []history.ProcessID{"a", "b"}
	members := map[history.ProcessID]*layer.Member{}
	for _, id := range view {
		cfg := layer.DefaultConfig()
		cfg.Self, cfg.Group, cfg.Members, cfg.Class = id, "demo", view, layer.Causal
		m, err := layer.New(cfg)
		if err != nil {
			panic(err)
		}
		members[id] = m
	}
	var drive func(m *layer.Member)
	drive = func(m *layer.Member) {
		if !m.HasReady() {
			return
		}
		rd := m.Ready()
		for _, e := range rd.Events {
			fmt.Println(m.ID(), e.Kind, e.Msg)
		}
		var next []*layer.Member
		for _, o := range rd.Messages {
			if err := members[o.To].Step(m.ID(), o.Msg); err != nil {
				panic(err)
			}
			next = append(next, members[o.To])
		}
		m.Advance(rd)
		for _, x := range next {
			drive(x)
		}
	}
	if _, err := members["a"].Multicast(&wire.Probe{N: 42}); err != nil {
		panic(err)
	}
	drive(members["a"])
	// Output:
	// a multicast a/v0/#1
	// a deliver a/v0/#1
	// b deliver a/v0/#1
}
