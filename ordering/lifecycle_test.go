package ordering_test

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/internal/gctest"
	"github.com/lockstep-actors/lockstep/ordering"
)

// spawnIdleGroup starts n members of class FIFO in a fresh actor system,
// makes one multicast round so every member has run, and returns the
// system and the members' PIDs.
func spawnIdleGroup(t *testing.T, n int) (*actor.ActorSystem, []*actor.PID) {
	t.Helper()
	sys, ids := quietSystem(), memberIDs(n)
	pids := map[history.ProcessID]*actor.PID{}
	for _, id := range ids {
		pids[id] = actor.NewPID(sys.Address(), string(id))
	}
	out, errs := make(chan delivery, n*n), make(chan error, n)
	var spawned []*actor.PID
	for _, id := range ids {
		cfg := ordering.DefaultConfig()
		cfg.Self, cfg.Group, cfg.Members, cfg.PIDs, cfg.Class = id, "g", ids, pids, ordering.ClassFIFO
		cfg.TickInterval = 5 * time.Millisecond
		col := &collector{self: id, group: "g", out: out, errs: errs}
		props, err := ordering.Props(func() actor.Actor { return col }, ordering.Member(cfg))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := sys.Root.SpawnNamed(props, string(id))
		if err != nil {
			t.Fatal(err)
		}
		spawned = append(spawned, pid)
	}
	for _, pid := range spawned { // from inside, so the actor's own Self is looked up
		sys.Root.Send(pid, &multicastCmd{n: 1})
	}
	for range n * n {
		select {
		case <-out:
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(10 * time.Second):
			t.Fatal("the group did not deliver its first round")
		}
	}
	return sys, spawned
}

// A group whose members are stopped and whose system is shut down leaves
// nothing behind: no registry entry keeps a driver, and through it the
// actor system, alive.
func TestStoppedGroupIsCollected(t *testing.T) {
	sys, pids := spawnIdleGroup(t, 3)
	for _, pid := range pids {
		if err := sys.Root.StopFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	sys.Shutdown()
	gctest.AwaitCollected(t, sys, 10*time.Second, "the actor system of a stopped group")
}

// protoactor does not stop actors when their system shuts down: the
// members notice at their next tick and end themselves.
func TestGroupOfAShutDownSystemIsCollected(t *testing.T) {
	sys, _ := spawnIdleGroup(t, 3)
	sys.Shutdown()
	gctest.AwaitCollected(t, sys, 10*time.Second, "the actor system of a group shut down without stopping its members")
}
