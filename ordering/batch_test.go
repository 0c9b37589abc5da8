package ordering_test

import (
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering"
)

// Sender middleware (fault injection, tracing) makes protoactor wrap every
// send in an envelope, batches included: a member must unwrap a batch it
// receives that way, or everything batched from a member with middleware is
// lost. Each member multicasts from inside its actor, so its sends are
// gathered into batches; every delivery must arrive, and the middleware
// must have seen batches (else the test proves nothing). The members pack
// their in-process data (PackLocal), so that every multicast is a message
// of its own in the batches: unpacked, a Ready's multicasts share one
// carrier, and a destination may get nothing else to batch it with.
// (TestInProcessLossIsRepaired has those carriers pass a middleware.)
func TestBatchesThroughSenderMiddleware(t *testing.T) {
	const n, each = 3, 200
	var sends, batches atomic.Int64
	mw := func(next actor.SenderFunc) actor.SenderFunc {
		return func(c actor.SenderContext, target *actor.PID, env *actor.MessageEnvelope) {
			sends.Add(1)
			if isBatch(env.Message) {
				batches.Add(1)
			}
			next(c, target, env)
		}
	}
	for _, class := range []ordering.Class{ordering.ClassFIFO, ordering.ClassAtomic} {
		t.Run(class.String(), func(t *testing.T) {
			batches.Store(0)
			pack := func(cfg *ordering.Config) { cfg.PackLocal = true }
			c := startClusterWith(t, n, class, pack, actor.WithSenderMiddleware(mw))
			for _, id := range c.ids {
				c.sys.Root.Send(c.pids[id], &multicastCmd{n: each})
			}
			got := c.await(t, n*n*each, awaitTimeout)
			if len(got) != n*n*each {
				t.Fatalf("%d deliveries, want %d", len(got), n*n*each)
			}
			if batches.Load() == 0 {
				t.Fatalf("the middleware saw %d sends and no batch: nothing was batched", sends.Load())
			}
		})
	}
}

func isBatch(msg any) bool {
	_, ok := msg.(*outbox.Local)
	return ok
}
