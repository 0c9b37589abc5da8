package membership_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A Delivery the actor keeps never changes: the driver does not reuse them.
func TestKeptDeliveriesDoNotChange(t *testing.T) {
	const perSender = 300
	c := newCluster(t, 3)
	stop := make(chan struct{})
	defer close(stop)
	errs := c.streamAll(c.ids, perSender, stop)
	c.b.await(t, 20*time.Second, "every stream at every member", func() bool {
		return c.b.deliveredAll(c.ids, c.ids, perSender)
	})
	for range c.ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	for _, id := range c.ids {
		a := c.b.apps[id]
		if len(a.kept) < perSender*len(c.ids) {
			t.Fatalf("%s kept %d deliveries, want %d", id, len(a.kept), perSender*len(c.ids))
		}
		for i, k := range a.kept {
			if *k.ptr != k.seen {
				t.Fatalf("%s: delivery %d changed after it was handed over: was %+v, now %+v", id, i, k.seen, *k.ptr)
			}
		}
	}
}

// Multicasts made with MulticastFrom inside the member's own Receive reach
// everyone, in FIFO order, like those made from outside; from another
// context MulticastFrom is Multicast.
func TestMulticastFromInsideTheActor(t *testing.T) {
	const n = 200
	c := newCluster(t, 3)
	for i, id := range c.ids {
		c.node.Root().Send(c.groups[id].PID(), &fromInside{g: c.groups[id], n: n, base: uint64(i) * 1_000_000})
	}
	if err := c.groups[c.ids[0]].MulticastFrom(nil, wrapperspb.UInt64(9_000_001)); err != nil {
		t.Fatal(err)
	}
	c.b.await(t, 20*time.Second, "every member's multicasts everywhere", func() bool {
		for _, id := range c.ids {
			if c.b.apps[id].count < 3*n+1 {
				return false
			}
		}
		return true
	})
	c.b.mu.Lock()
	for _, id := range c.ids {
		if errs := c.b.apps[id].insideErrs; len(errs) > 0 {
			t.Errorf("%s: MulticastFrom failed %d times, first: %v", id, len(errs), errs[0])
		}
	}
	c.b.mu.Unlock()
	checkHistory(t, c.log.History())
}
