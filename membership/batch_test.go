package membership_test

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/membership"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Sender middleware (fault injection, tracing) makes protoactor wrap every
// send in an envelope, batches included: a view manager must unwrap a batch
// it receives that way, or everything batched by a member with middleware
// is lost and the group never converges. Every member streams a burst;
// every member must deliver all of it, and the middleware must have seen
// batches (else the test proves nothing).
func TestBatchesThroughSenderMiddleware(t *testing.T) {
	const n, each = 3, 3000
	var sends, batches atomic.Int64
	mw := func(next actor.SenderFunc) actor.SenderFunc {
		return func(c actor.SenderContext, target *actor.PID, env *actor.MessageEnvelope) {
			sends.Add(1)
			if _, ok := env.Message.(*outbox.Local); ok {
				batches.Add(1)
			}
			next(c, target, env)
		}
	}
	c := newCluster(t, n, membership.WithProps(actor.WithSenderMiddleware(mw)))
	stop := make(chan struct{})
	defer close(stop)
	errs := make(chan error, n)
	for i, id := range c.ids {
		go func() { errs <- burst(c.groups[id], i, each, stop) }()
	}
	c.b.await(t, 30*time.Second, "every stream at every member", func() bool {
		return c.b.deliveredAll(c.ids, c.ids, each)
	})
	for range c.ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if batches.Load() == 0 {
		t.Fatalf("the middleware saw %d sends and no batch: nothing was batched", sends.Load())
	}
	checkHistory(t, c.log.History())
}

// burst multicasts n values as fast as the member accepts them, retrying
// on back-pressure, until done or stop.
func burst(g *membership.Group, i, n int, stop <-chan struct{}) error {
	for k := 1; k <= n; {
		select {
		case <-stop:
			return nil
		default:
		}
		err := g.Multicast(wrapperspb.UInt64(uint64(i)*1_000_000 + uint64(k)))
		switch {
		case err == nil:
			k++
		case errors.Is(err, membership.ErrBackpressure):
			runtime.Gosched()
		default:
			return err
		}
	}
	return nil
}
