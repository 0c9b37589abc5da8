package ordering_test

import (
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering"
)

const awaitTimeout = 20 * time.Second

// Three members in one process: multicasts from outside (a Group handle)
// and from inside actors all reach every member exactly once, unwrapped,
// with their metadata, in each sender's order.
func TestThreeMembersInProcess(t *testing.T) {
	for name, mode := range map[string]ordering.HoldBack{"in-invoker": ordering.HoldInInvoker, "at-post": ordering.HoldAtPost} {
		t.Run(name, func(t *testing.T) { testThreeMembers(t, mode) })
	}
}

func testThreeMembers(t *testing.T, mode ordering.HoldBack) {
	const perSender = 200
	c := startCluster(t, 3, ordering.ClassFIFO, func(cfg *ordering.Config) { cfg.Mode = mode })
	for i := range perSender {
		if err := c.handles["p1"].Multicast(&wire.Probe{From: "p1", N: uint64(i + 1)}); err != nil {
			t.Fatalf("outside multicast %d: %v", i, err)
		}
	}
	c.sys.Root.Send(c.pids["p2"], &multicastCmd{n: perSender})
	c.sys.Root.Send(c.pids["p3"], &multicastCmd{n: perSender})

	got := c.await(t, 3*3*perSender, awaitTimeout)
	next := map[[2]history.ProcessID]uint64{} // (receiver, sender) -> last seq
	for _, d := range got {
		if !d.hasMeta {
			t.Fatalf("%s received %v without metadata", d.to, d.payload)
		}
		if string(d.meta.Sender) != d.payload.From || d.meta.Seq != d.payload.N {
			t.Fatalf("%s: metadata %+v does not match payload %v", d.to, d.meta, d.payload)
		}
		if d.meta.Group != "g" || d.meta.Class != "fifo" {
			t.Fatalf("%s: metadata %+v: want group g, class fifo", d.to, d.meta)
		}
		k := [2]history.ProcessID{d.to, d.meta.Sender}
		if d.meta.Seq != next[k]+1 {
			t.Fatalf("%s delivered %s#%d after #%d", d.to, d.meta.Sender, d.meta.Seq, next[k])
		}
		next[k] = d.meta.Seq
	}
	for _, to := range c.ids {
		for _, from := range c.ids {
			if n := next[[2]history.ProcessID{to, from}]; n != perSender {
				t.Errorf("%s delivered %d messages of %s, want %d", to, n, from, perSender)
			}
		}
	}
	if s := c.handles["p1"].Stats(); s.Multicasts != perSender || s.Delivered != 3*perSender || s.Rejected != 0 {
		t.Errorf("p1 stats %+v: want %d multicasts, %d deliveries, no rejections", s, perSender, 3*perSender)
	}
}

// Messages that are not ordering traffic reach the actor as usual, with no
// metadata; Lockstep wire messages from outside the group are dropped and counted.
func TestOrdinaryMessagesPassThrough(t *testing.T) {
	c := startCluster(t, 3, ordering.ClassReliable, nil)
	stranger := actor.NewPID(c.sys.Address(), "stranger#reliable")
	c.sys.Root.RequestWithCustomSender(c.pids["p1"], &wire.Data{Group: "g", Sender: "p9", Seq: 1}, stranger)
	c.sys.Root.RequestWithCustomSender(c.pids["p1"], &wire.Probe{From: "client", N: 7}, actor.NewPID(c.sys.Address(), "client"))
	got := c.await(t, 1, awaitTimeout)
	if got[0].hasMeta || got[0].payload.From != "client" || got[0].payload.N != 7 {
		t.Fatalf("got %+v, want the client's probe without metadata", got[0])
	}
	// The probe was posted after the forged Data, so the Data has been handled.
	if s := c.handles["p1"].Stats(); s.UnknownSender != 1 || s.Delivered != 0 {
		t.Fatalf("stats %+v: want the forged Data counted as unknown sender and nothing delivered", s)
	}
}

// A member carrying two classes delivers each message in the class it was
// sent in, and refuses classes it does not carry.
func TestPerMessageClass(t *testing.T) {
	c := startCluster(t, 3, ordering.ClassCausal, func(cfg *ordering.Config) {
		cfg.Classes = []ordering.Class{ordering.ClassAtomic}
	})
	atomic := ordering.ClassAtomic
	c.sys.Root.Send(c.pids["p1"], &multicastCmd{n: 5, class: &atomic})
	if err := c.handles["p2"].Multicast(&wire.Probe{From: "p2", N: 1}); err != nil {
		t.Fatal(err)
	}
	got := c.await(t, 3*6, awaitTimeout)
	classes := map[string]int{}
	for _, d := range got {
		classes[d.meta.Class]++
		if want := map[string]string{"p1": "atomic", "p2": "causal"}[d.payload.From]; d.meta.Class != want {
			t.Fatalf("%s got %v in class %q, want %q", d.to, d.payload, d.meta.Class, want)
		}
	}
	if classes["atomic"] != 15 || classes["causal"] != 3 {
		t.Fatalf("classes delivered %v, want 15 atomic and 3 causal", classes)
	}
	err := c.handles["p1"].Multicast(&wire.Probe{}, ordering.WithClass(ordering.ClassFIFO))
	if !errors.Is(err, ordering.ErrClassNotEnabled) {
		t.Fatalf("multicast in a class not carried: got %v, want ErrClassNotEnabled", err)
	}
}

func TestMisuseIsReported(t *testing.T) {
	c := startCluster(t, 3, ordering.ClassReliable, nil)
	if _, err := ordering.Handle(actor.NewPID(c.sys.Address(), "nobody")); !errors.Is(err, ordering.ErrNotMember) {
		t.Errorf("Handle of a non-member: got %v, want ErrNotMember", err)
	}
	errc := make(chan error, 1)
	props := actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*wire.Probe); ok {
			errc <- ordering.Multicast(ctx, "g", &wire.Probe{})
		}
	})
	plain := c.sys.Root.Spawn(props)
	c.sys.Root.Send(plain, &wire.Probe{})
	select {
	case err := <-errc:
		if !errors.Is(err, ordering.ErrNotMember) {
			t.Errorf("Multicast from a plain actor: got %v, want ErrNotMember", err)
		}
	case <-time.After(awaitTimeout):
		t.Fatal("plain actor never answered")
	}

	base := ordering.DefaultConfig()
	base.Self, base.Group, base.Members, base.PIDs = "p1", "g", c.ids, c.pids
	bad := map[string]func(*ordering.Config){
		"no self":        func(c *ordering.Config) { c.Self = "" },
		"no group":       func(c *ordering.Config) { c.Group = "" },
		"self not in":    func(c *ordering.Config) { c.Self = "p9" },
		"missing PID":    func(c *ordering.Config) { c.PIDs = map[history.ProcessID]*actor.PID{"p1": c.PIDs["p1"]} },
		"negative limit": func(c *ordering.Config) { c.PendingLimit = -1 },
		"bad class":      func(c *ordering.Config) { c.Class = ordering.Class(42) },
	}
	for name, tweak := range bad {
		cfg := base
		tweak(&cfg)
		if _, err := ordering.Decorate(actor.Unbounded(), cfg); !errors.Is(err, ordering.ErrConfig) {
			t.Errorf("%s: Decorate returned %v, want ErrConfig", name, err)
		}
	}
	if _, err := ordering.Decorate(actor.Unbounded(), base); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

func TestStackComposesTheSixClasses(t *testing.T) {
	cfg := ordering.DefaultConfig()
	m := ordering.Member(cfg)
	cases := []struct {
		s    ordering.Stack
		want string
	}{
		{m, "reliable"},
		{ordering.FIFO(m), "fifo"},
		{ordering.Causal(m), "causal"},
		{ordering.Causal(ordering.FIFO(m)), "causal"},
		{ordering.Total(m), "atomic"},
		{ordering.Total(ordering.FIFO(m)), "fifo-atomic"},
		{ordering.FIFO(ordering.Total(m)), "fifo-atomic"},
		{ordering.Total(ordering.Causal(m)), "causal-atomic"},
	}
	for _, tc := range cases {
		if got := tc.s.Class().String(); got != tc.want {
			t.Errorf("stack class %q, want %q", got, tc.want)
		}
	}
}
