package ordering_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering"
)

// In one process every member receives the very payload the sender
// multicast (no packing, no copy); with PackLocal each receiver gets its
// own unpacked copy, as from a remote member. Both paths deliver to all.
func TestInProcessPayloadByPointer(t *testing.T) {
	for _, pack := range []bool{false, true} {
		name := map[bool]string{false: "by-pointer", true: "pack-local"}[pack]
		t.Run(name, func(t *testing.T) {
			c := startCluster(t, 3, ordering.ClassCausal, func(cfg *ordering.Config) { cfg.PackLocal = pack })
			p := &wire.Probe{From: "p1", N: 1}
			if err := c.handles["p1"].Multicast(p); err != nil {
				t.Fatal(err)
			}
			for _, d := range c.await(t, 3, awaitTimeout) {
				if d.payload.From != "p1" || d.payload.N != 1 {
					t.Fatalf("%s received %v, want p1's probe 1", d.to, d.payload)
				}
				shared := d.payload == p
				if want := !pack || d.to == "p1"; shared != want {
					t.Errorf("%s: payload is the sender's pointer: %v, want %v", d.to, shared, want)
				}
			}
		})
	}
}

// In-process loss is repaired too: a middleware drops the first of every
// four batches that carry data from p1 to p2 (the first holds every
// multicast of p1's first Ready). p2 NAKs; p1 resends those multicasts
// as Data built on demand (its own multicasts never became Data), which
// reach p2 with the payload pointer. Every delivery arrives and the
// history passes the class's checkers.
func TestInProcessLossIsRepaired(t *testing.T) {
	const n, each = 3, 200
	for _, class := range []ordering.Class{ordering.ClassFIFO, ordering.ClassCausalAtomic} {
		t.Run(class.String(), func(t *testing.T) {
			var dataBatches, dropped atomic.Int64
			const p2 = "p2"
			mw := func(next actor.SenderFunc) actor.SenderFunc {
				return func(c actor.SenderContext, target *actor.PID, env *actor.MessageEnvelope) {
					if c.Self() != nil && c.Self().Id == "p1" && target.Id == p2 && carriesData(env.Message) {
						if dataBatches.Add(1)%4 == 1 {
							dropped.Add(1)
							return
						}
					}
					next(c, target, env)
				}
			}
			log := history.NewLog()
			c := startClusterWith(t, n, class, func(cfg *ordering.Config) {
				cfg.Recorder = log
				cfg.TickInterval = 5 * time.Millisecond // repair within the await
			}, actor.WithSenderMiddleware(mw))
			for _, id := range c.ids {
				c.sys.Root.Send(c.pids[id], &multicastCmd{n: each})
			}
			c.await(t, n*n*each, awaitTimeout)
			if dropped.Load() == 0 {
				t.Fatalf("no data batch from p1 to p2 was dropped (%d seen): the test proves nothing", dataBatches.Load())
			}
			if v := history.CheckAll(log.History(), history.ChecksFor(class.String())...); len(v) > 0 {
				t.Fatalf("%d violations, first: %v", len(v), v[0])
			}
		})
	}
}

// carriesData reports whether msg, an in-process send of a member, holds
// a multicast (the unexported in-process carrier) and not only control
// traffic.
func carriesData(msg any) bool {
	items := []any{msg}
	if l, ok := msg.(*outbox.Local); ok {
		items = l.Items
	}
	for _, it := range items {
		if fmt.Sprintf("%T", it) == "*ordering.localData" {
			return true
		}
	}
	return false
}
