package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// waitTimeout bounds every wait of this package's tests.
const waitTimeout = 10 * time.Second

// isolateTimeout bounds a test re-run in a process of its own. Every test
// that starts a remote node runs isolated: see proctest's package doc.
const isolateTimeout = 60 * time.Second

// newNode starts a node for a test and closes it when the test ends.
func newNode(t *testing.T, opts ...Option) *Node {
	t.Helper()
	n, err := NewNode(DefaultConfig(), opts...)
	if err != nil {
		t.Fatalf("NewNode: %v", err)
	}
	t.Cleanup(n.Close)
	return n
}

// arrival is one message an inbox actor received.
type arrival struct {
	msg    any
	sender *actor.PID
}

// inbox is an actor that hands every application message it receives to a
// channel, so tests can await arrivals instead of sleeping.
func inbox(ch chan<- arrival) actor.Producer {
	return func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			if !isAppMessage(c.Message()) {
				return
			}
			ch <- arrival{msg: c.Message(), sender: c.Sender()}
		})
	}
}

// await returns the next arrival, failing the test after waitTimeout.
func await(t *testing.T, ch <-chan arrival, what string) arrival {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		return arrival{}
	}
}

// awaitProbe is await for a *wire.Probe.
func awaitProbe(t *testing.T, ch <-chan arrival, what string) *wire.Probe {
	t.Helper()
	a := await(t, ch, what)
	p, ok := a.msg.(*wire.Probe)
	if !ok {
		t.Fatalf("%s: got %T, want *wire.Probe", what, a.msg)
	}
	return p
}

// expectNothing fails if ch holds an arrival. Callers first await a later
// message on a FIFO path, so nothing earlier can still be in flight.
func expectNothing(t *testing.T, ch <-chan arrival, what string) {
	t.Helper()
	select {
	case a := <-ch:
		t.Fatalf("%s: unexpected arrival %T %v", what, a.msg, a.msg)
	default:
	}
}
