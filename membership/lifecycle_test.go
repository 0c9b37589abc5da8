package membership_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/internal/gctest"
	"github.com/lockstep-actors/lockstep/membership"
)

// startIdleGroup founds a group of n members on a fresh node and waits for
// its first view everywhere.
func startIdleGroup(t *testing.T, n int) *actors.Node {
	t.Helper()
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	b := newBoard()
	var ids []history.ProcessID
	for i := range n {
		ids = append(ids, node.ProcessID(fmt.Sprintf("m%d", i)))
	}
	for i, id := range ids {
		cfg := testConfig(ids)
		cfg.Name = fmt.Sprintf("m%d", i)
		if _, err := membership.Start(node, cfg, b.producer(id)); err != nil {
			t.Fatal(err)
		}
	}
	b.await(t, 10*time.Second, "view 1 everywhere", func() bool { return b.inView(ids, ids) })
	return node
}

// A closed node leaves nothing of its group behind.
func TestClosedNodeIsCollected(t *testing.T) {
	node := startIdleGroup(t, 3)
	sys := node.System()
	node.Close()
	node = nil
	gctest.AwaitCollected(t, sys, 10*time.Second, "the actor system of a closed node")
}

// protoactor does not stop actors when their system shuts down: members
// notice at their next tick and end themselves, so nothing keeps the
// system alive.
func TestMembersOfAShutDownSystemAreCollected(t *testing.T) {
	node := startIdleGroup(t, 3)
	sys := node.System()
	node = nil
	sys.Shutdown()
	gctest.AwaitCollected(t, sys, 10*time.Second, "the actor system of a group shut down without stopping its members")
}
