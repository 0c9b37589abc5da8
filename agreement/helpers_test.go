package agreement

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// waitTimeout bounds every wait of this package's tests.
const waitTimeout = 20 * time.Second

// testRound is the round length of in-process tests. Rounds closed by the
// clock realise bounded delay, so a loyal message later than this is a
// loss: with three -race test binaries sharing 2 cores, 60 ms let some
// through late; 250 ms has not.
const testRound = 250 * time.Millisecond

// newTestNode starts a local node recording into rec (may be nil).
func newTestNode(t *testing.T, rec *history.Log) *actors.Node {
	t.Helper()
	var opts []actors.Option
	if rec != nil {
		opts = append(opts, actors.WithRecorder(rec))
	}
	n, err := actors.NewNode(actors.DefaultConfig(), opts...)
	if err != nil {
		t.Fatalf("NewNode: %v", err)
	}
	t.Cleanup(n.Close)
	return n
}

// generalIDs names n generals g0..g(n-1) on node.
func generalIDs(node *actors.Node, n int) []history.ProcessID {
	ids := make([]history.ProcessID, n)
	for i := range ids {
		ids[i] = node.ProcessID(fmt.Sprintf("g%d", i))
	}
	return ids
}

func newTestCouncil(t *testing.T, node *actors.Node, cfg Config, opts ...Option) *Council {
	t.Helper()
	c, err := NewCouncil(node, cfg, opts...)
	if err != nil {
		t.Fatalf("NewCouncil: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// checkIC fails the test if h violates IC1 or IC2, and returns the number
// of Decide events of loyal generals, so callers can check something was
// decided at all.
func checkIC(t *testing.T, h history.History, what string) int {
	t.Helper()
	for _, v := range history.CheckAll(h, history.CheckIC1, history.CheckIC2) {
		t.Errorf("%s: %v", what, v)
	}
	faulty := map[history.ProcessID]bool{}
	for _, e := range h {
		if e.Kind == history.Faulty || e.Kind == history.Crash {
			faulty[e.Process] = true
		}
	}
	decides := 0
	for _, e := range h {
		if e.Kind == history.Decide && !faulty[e.Process] {
			decides++
		}
	}
	return decides
}

func hasFaulty(h history.History, id history.ProcessID) bool {
	for _, e := range h {
		if e.Kind == history.Faulty && e.Process == id {
			return true
		}
	}
	return false
}
