package ordering_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// The multi-process test: a coordinator here and three member processes,
// all protoactor remote nodes on loopback. For every class the coordinator
// hands the members the group (setup), waits until each has spawned its
// ordered member actor (ready), starts them (go) and waits until each has
// delivered everything (done). Every member multicasts half of its
// messages from inside its actor and half from outside through a Group
// handle. The members record their histories as JSON lines; the merged
// history must pass each class's checkers.

const (
	envCoordinator = "LOCKSTEP_ORDERING_COORDINATOR"
	remotePerSide  = 100 // multicasts per member per class, from inside and from outside each
	remoteMembers  = 3
	remoteTimeout  = 60 * time.Second
)

// Control messages between coordinator and members are Probes, so remote
// carries them without extra types: N says which step, From names the class,
// Body lists the members.
const (
	stepSetup = iota + 1
	stepReady
	stepGo
	stepDone
	// stepStop quiesces the members before the processes exit: the pinned
	// protoactor remote races (a data race the detector reports) when a
	// node shuts down while messages still arrive, and members keep
	// exchanging heartbeats until they are stopped.
	stepStop
	stepStopped
)

func TestOrderingHelperProcess(t *testing.T) {
	role, ok := proctest.Role()
	if !ok || role != "ordering-member" {
		t.Skip("helper process for TestMultiProcessClasses")
	}
	hist, err := proctest.CreateHistory()
	if err != nil {
		t.Fatal(err)
	}
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	coord, err := actors.PIDOf(history.ProcessID(os.Getenv(envCoordinator)))
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 16)
	if _, err := node.Spawn("control", func() actor.Actor {
		return &remoteControl{node: node, coord: coord, rec: hist, failed: failed}
	}); err != nil {
		t.Fatal(err)
	}
	if err := proctest.Announce(os.Stdout, node.Address()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proctest.StdinClosed():
	case err := <-failed:
		t.Error(err)
	}
	// The node is left to die with the process: the pinned protoactor
	// remote has a data race between Shutdown and a stream still reading
	// (endpointReader.suspended), which the race detector reports when
	// peers shut down at the same moment.
	if err := hist.Close(); err != nil {
		t.Fatal(err)
	}
}

// remoteControl runs in a member process: it spawns one ordered member per
// class on setup and starts it on go.
type remoteControl struct {
	node    *actors.Node
	coord   *actor.PID
	rec     history.Recorder
	failed  chan<- error
	members map[string]*actor.PID
}

func (c *remoteControl) Receive(ctx actor.Context) {
	p, ok := ctx.Message().(*wire.Probe)
	if !ok {
		return
	}
	if c.members == nil {
		c.members = map[string]*actor.PID{}
	}
	class := p.From
	switch p.N {
	case stepSetup:
		if err := c.setup(class, strings.Split(string(p.Body), ",")); err != nil {
			c.failed <- err
			return
		}
		ctx.Send(c.coord, &wire.Probe{From: class, N: stepReady})
	case stepGo:
		pid := c.members[class]
		ctx.Send(pid, &multicastCmd{n: remotePerSide})
		g, err := ordering.Handle(pid)
		if err != nil {
			c.failed <- err
			return
		}
		for i := range remotePerSide {
			if err := g.Multicast(&wire.Probe{From: "outside", N: uint64(i + 1)}); err != nil {
				c.failed <- err
				return
			}
		}
	case stepStop:
		for _, pid := range c.members {
			if err := c.node.Root().StopFuture(pid).Wait(); err != nil {
				c.failed <- err
				return
			}
		}
		ctx.Send(c.coord, &wire.Probe{N: stepStopped})
	}
}

func (c *remoteControl) setup(className string, ids []string) error {
	class, err := ordering.ParseClass(className)
	if err != nil {
		return err
	}
	name := "member-" + className
	cfg := ordering.DefaultConfig()
	cfg.Self, cfg.Group, cfg.Class, cfg.Recorder = c.node.ProcessID(name), "g-"+className, class, c.rec
	cfg.PIDs = map[history.ProcessID]*actor.PID{}
	for _, id := range ids {
		pid, err := actors.PIDOf(history.ProcessID(id))
		if err != nil {
			return err
		}
		cfg.Members = append(cfg.Members, history.ProcessID(id))
		cfg.PIDs[history.ProcessID(id)] = pid
	}
	coord, want := c.coord, remoteMembers*2*remotePerSide
	got := 0
	props, err := ordering.Props(func() actor.Actor {
		return actor.ReceiveFunc(func(ctx actor.Context) {
			switch m := ctx.Message().(type) {
			case *multicastCmd:
				for i := range m.n {
					if err := ordering.Multicast(ctx, cfg.Group, &wire.Probe{From: "inside", N: uint64(i + 1)}); err != nil {
						c.failed <- err
					}
				}
			case *wire.Probe:
				if got++; got == want {
					ctx.Send(coord, &wire.Probe{From: className, N: stepDone})
				}
			}
		})
	}, ordering.Member(cfg))
	if err != nil {
		return err
	}
	pid, err := c.node.SpawnProps(name, props)
	if err != nil {
		return err
	}
	c.members[className] = pid
	return nil
}

func TestMultiProcessClasses(t *testing.T) {
	if !proctest.Isolate(t, 3*remoteTimeout) {
		return
	}
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	replies := make(chan *wire.Probe, 64)
	if _, err := node.Spawn("coord", func() actor.Actor {
		return actor.ReceiveFunc(func(ctx actor.Context) {
			if p, ok := ctx.Message().(*wire.Probe); ok {
				replies <- p
			}
		})
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	children, err := proctest.StartN(remoteMembers, func(i int) proctest.Spec {
		return proctest.Spec{Run: "TestOrderingHelperProcess", Role: "ordering-member", Index: i,
			Env: []string{envCoordinator + "=" + string(node.ProcessID("coord"))}, HistoryDir: dir}
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			for _, c := range children {
				c.Kill()
			}
		}
	}()
	controls := make([]*actor.PID, len(children))
	for i, c := range children {
		controls[i] = actor.NewPID(c.Addr(), "control")
	}
	await := func(class string, step uint64) {
		t.Helper()
		deadline := time.After(remoteTimeout)
		for range children {
			select {
			case p := <-replies:
				if p.From != class || p.N != step {
					t.Fatalf("coordinator got %s/%d, want %s/%d", p.From, p.N, class, step)
				}
			case <-deadline:
				t.Fatalf("%s: members did not reach step %d within %v", class, step, remoteTimeout)
			}
		}
	}
	for _, class := range layer.Classes {
		var ids []string
		for _, c := range children {
			ids = append(ids, c.Addr()+"/member-"+class.String())
		}
		for _, ctl := range controls {
			node.Root().Send(ctl, &wire.Probe{From: class.String(), N: stepSetup, Body: []byte(strings.Join(ids, ","))})
		}
		await(class.String(), stepReady)
		for _, ctl := range controls {
			node.Root().Send(ctl, &wire.Probe{From: class.String(), N: stepGo})
		}
		await(class.String(), stepDone)
	}
	for _, ctl := range controls {
		node.Root().Send(ctl, &wire.Probe{N: stepStop})
	}
	await("", stepStopped)
	stopped = true
	if err := proctest.StopAll(children, remoteTimeout); err != nil {
		t.Fatal(err)
	}
	h, err := proctest.ReadHistories(children)
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range layer.Classes {
		var hc history.History
		for _, e := range h {
			if e.Class == class.String() {
				hc = append(hc, e)
			}
		}
		if want := remoteMembers * (1 + remoteMembers) * 2 * remotePerSide; len(hc) != want {
			t.Errorf("%s: %d events in the merged history, want %d multicasts and deliveries", class, len(hc), want)
		}
		if v := history.CheckAll(hc, history.ChecksFor(class.String())...); len(v) > 0 {
			t.Errorf("%s over 3 processes: %d violations, first: %v", class, len(v), v[0])
		}
	}
	t.Logf("%d processes, %d classes, %d events checked", remoteMembers, len(layer.Classes), len(h))
}
