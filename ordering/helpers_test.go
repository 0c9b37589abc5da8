package ordering_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
)

// quietSystem is an actor system that logs nothing.
func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

// delivery is what a collector actor saw.
type delivery struct {
	to      history.ProcessID
	payload *wire.Probe
	meta    ordering.Meta
	hasMeta bool
}

// collector forwards every Probe it receives, with its metadata, to out;
// on a *multicastCmd it multicasts from inside the actor.
type collector struct {
	self  history.ProcessID
	group string
	out   chan<- delivery
	errs  chan<- error
}

// multicastCmd asks a collector to multicast n probes from inside.
type multicastCmd struct {
	n     int
	class *ordering.Class
}

func (c *collector) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *wire.Probe:
		meta, ok := ordering.MetaOf(ctx)
		c.out <- delivery{to: c.self, payload: m, meta: meta, hasMeta: ok}
	case *multicastCmd:
		for i := range m.n {
			var opts []ordering.MulticastOption
			if m.class != nil {
				opts = append(opts, ordering.WithClass(*m.class))
			}
			p := &wire.Probe{From: string(c.self), N: uint64(i + 1)}
			if err := ordering.Multicast(ctx, c.group, p, opts...); err != nil {
				c.errs <- err
			}
		}
	}
}

// cluster is n collectors in one actor system.
type cluster struct {
	sys     *actor.ActorSystem
	ids     []history.ProcessID
	pids    map[history.ProcessID]*actor.PID
	out     chan delivery
	errs    chan error
	handles map[history.ProcessID]*ordering.Group
}

func memberIDs(n int) []history.ProcessID {
	ids := make([]history.ProcessID, n)
	for i := range ids {
		ids[i] = history.ProcessID(fmt.Sprintf("p%d", i+1))
	}
	return ids
}

func startCluster(t *testing.T, n int, class ordering.Class, tweak func(*ordering.Config)) *cluster {
	t.Helper()
	return startClusterWith(t, n, class, tweak)
}

// startClusterWith is startCluster with extra Props options for every member.
func startClusterWith(t *testing.T, n int, class ordering.Class, tweak func(*ordering.Config), opts ...actor.PropsOption) *cluster {
	t.Helper()
	c := &cluster{
		sys: quietSystem(), ids: memberIDs(n), pids: map[history.ProcessID]*actor.PID{},
		out: make(chan delivery, 1<<16), errs: make(chan error, 1024), handles: map[history.ProcessID]*ordering.Group{},
	}
	for _, id := range c.ids {
		c.pids[id] = actor.NewPID(c.sys.Address(), string(id))
	}
	for _, id := range c.ids {
		cfg := ordering.DefaultConfig()
		cfg.Self, cfg.Group, cfg.Members, cfg.PIDs, cfg.Class = id, "g", c.ids, c.pids, class
		if tweak != nil {
			tweak(&cfg)
		}
		col := &collector{self: id, group: "g", out: c.out, errs: c.errs}
		props, err := ordering.Props(func() actor.Actor { return col }, ordering.Member(cfg), opts...)
		if err != nil {
			t.Fatalf("props for %s: %v", id, err)
		}
		pid, err := c.sys.Root.SpawnNamed(props, string(id))
		if err != nil {
			t.Fatalf("spawn %s: %v", id, err)
		}
		h, err := ordering.Handle(pid)
		if err != nil {
			t.Fatalf("handle %s: %v", id, err)
		}
		c.handles[id] = h
	}
	t.Cleanup(func() {
		for _, pid := range c.pids {
			_ = c.sys.Root.StopFuture(pid).Wait()
		}
		c.sys.Shutdown()
	})
	return c
}

// await collects exactly want deliveries or fails after timeout.
func (c *cluster) await(t *testing.T, want int, timeout time.Duration) []delivery {
	t.Helper()
	got := make([]delivery, 0, want)
	deadline := time.After(timeout)
	for len(got) < want {
		select {
		case d := <-c.out:
			got = append(got, d)
		case err := <-c.errs:
			t.Fatalf("multicast error after %d deliveries: %v", len(got), err)
		case <-deadline:
			t.Fatalf("timed out with %d of %d deliveries", len(got), want)
		}
	}
	return got
}
