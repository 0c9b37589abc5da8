package byz_test

import (
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

const simMaxDelay = 4

// simRun runs s in the foundation's simulator, where messages take
// 1..simMaxDelay ticks, overtake each other and are sometimes duplicated,
// until every loyal general has decided. It returns the history and the
// virtual time of the last decision.
func simRun(t *testing.T, s byztest.Setup) (history.History, int64, error) {
	t.Helper()
	grp, err := byztest.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sim.DefaultConfig()
	cfg.Seed = s.Seed
	cfg.Net = sim.NetConfig{MinDelay: 1, MaxDelay: simMaxDelay, Reorder: true, Duplicate: 0.1}
	sm, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A commander queues its round-1 messages when it is built, and sim.Add
	// carries out a machine's Ready at once, when its peers may not have
	// been added yet: hold every machine's output until all are in.
	held := make([]*heldMachine, len(grp.Machines))
	for i, m := range grp.Machines {
		held[i] = &heldMachine{Machine: m}
		if err := sm.Add(held[i]); err != nil {
			t.Fatal(err)
		}
	}
	sm.Do(0, func(*sim.Sim) error {
		for _, h := range held {
			h.started = true
		}
		return nil
	})
	err = sm.RunUntil(func(*sim.Sim) bool { return grp.Done() })
	return sm.History(), sm.Now(), err
}

// heldMachine hides its machine's output until started.
type heldMachine struct {
	step.Machine
	started bool
}

func (h *heldMachine) HasReady() bool { return h.started && h.Machine.HasReady() }

// TestInSimulator: bounded delay (A3) with RoundTicks = simMaxDelay+1. IC1
// and IC2 must hold against traitors, and every loyal general must decide
// by the close of round m+1.
func TestInSimulator(t *testing.T) {
	cases := []struct {
		alg  byz.Algorithm
		n, m int
		runs int
	}{
		{byz.OralMessages, 4, 1, 200}, {byz.OralMessages, 7, 2, 100},
		{byz.SignedMessages, 4, 1, 40}, {byz.SignedMessages, 5, 2, 40},
	}
	for _, c := range cases {
		keys := byztest.NewKeys(byztest.IDs(c.n))
		for i := range c.runs {
			s := randomSetup(c.alg, c.n, c.m, *seedFlag+uint64(i), i%4 == 0)
			s.RoundTicks, s.Keys = simMaxDelay+1, keys
			h, end, err := simRun(t, s)
			problem := ""
			switch v := icViolations(h); {
			case err != nil:
				problem = err.Error()
			case end > int64((c.m+1)*s.RoundTicks):
				problem = fmt.Sprintf("decided at time %d, after the last round closed at %d", end, (c.m+1)*s.RoundTicks)
			case len(v) > 0:
				problem = fmt.Sprint(v)
			}
			if problem != "" {
				t.Fatalf("%s: %s\nreplay: go test ./agreement/byz/ -run 'TestInSimulator$' -byz.seed=%d", describe(s), problem, s.Seed)
			}
		}
		t.Logf("%v(%d), n=%d: IC1 and IC2 held in %d simulated runs with delays 1..%d, reordering and duplicates",
			c.alg, c.m, c.n, c.runs, simMaxDelay)
	}
}

// TestInSimulatorNeedsBoundedDelay: when messages may take longer than a
// round, loyal messages count as missing and agreement breaks even with no
// traitor, which is why RoundTicks must exceed the delay bound.
func TestInSimulatorNeedsBoundedDelay(t *testing.T) {
	for seed := range uint64(200) {
		s := byztest.Setup{Algorithm: byz.OralMessages, N: 4, M: 1, Values: []string{byz.Attack},
			RoundTicks: simMaxDelay - 2, Seed: seed}
		h, _, err := simRun(t, s)
		if err != nil {
			t.Fatal(err)
		}
		if v := icViolations(h); len(v) > 0 {
			t.Logf("with RoundTicks=%d and delays up to %d, seed %d: %v", s.RoundTicks, simMaxDelay, seed, v)
			return
		}
	}
	t.Fatal("no run broke with rounds shorter than the delay bound: the simulated network is too kind to trust TestInSimulator")
}
