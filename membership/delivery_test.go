package membership_test

import (
	"testing"
	"time"
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
