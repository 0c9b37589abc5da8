package ordering_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Each of the six classes, run by real actors in one process with every
// member multicasting concurrently from outside and from inside, passes
// the class's checkers on the recorded history.
func TestSixClassesInProcess(t *testing.T) {
	for _, class := range layer.Classes {
		for _, mode := range []ordering.HoldBack{ordering.HoldInInvoker, ordering.HoldAtPost} {
			t.Run(fmt.Sprintf("%s/mode=%d", class, mode), func(t *testing.T) {
				testClassInProcess(t, class, mode)
			})
		}
	}
}

func testClassInProcess(t *testing.T, class ordering.Class, mode ordering.HoldBack) {
	const n, outside, inside = 3, 150, 150
	log := history.NewLog()
	c := startCluster(t, n, class, func(cfg *ordering.Config) {
		cfg.Recorder, cfg.Mode = log, mode
	})
	var wg sync.WaitGroup
	for _, id := range c.ids {
		c.sys.Root.Send(c.pids[id], &multicastCmd{n: inside})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range outside {
				if err := c.handles[id].Multicast(&wire.Probe{From: string(id), N: uint64(1000 + i)}); err != nil {
					c.errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	c.await(t, n*n*(outside+inside), awaitTimeout)
	h := log.History()
	if v := history.CheckAll(h, history.ChecksFor(class.String())...); len(v) > 0 {
		t.Fatalf("%s: %d violations in %d events, first: %v", class, len(v), len(h), v[0])
	}
	var delivers int
	for _, e := range h {
		if e.Kind == history.Deliver {
			delivers++
		}
	}
	if delivers != n*n*(outside+inside) {
		t.Fatalf("history holds %d deliveries, want %d", delivers, n*n*(outside+inside))
	}
}
