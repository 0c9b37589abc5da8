package actors

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// envParentAddr tells a probe-peer child where the parent's node listens.
const envParentAddr = "LOCKSTEP_TEST_PARENT_ADDR"

// Counts of the two-process exchange: probes the parent sends (each echoed)
// and probes the child sends on its own.
const (
	parentProbes = 200
	childProbes  = 200
)

// TestHelperProcess is not a test: it is the body of the child processes
// other tests start with proctest.
func TestHelperProcess(t *testing.T) {
	role, ok := proctest.Role()
	if !ok {
		t.Skip("helper process for the multi-process tests")
	}
	switch role {
	case "probe-peer":
		runProbePeer(t)
	case "tls-probe-peer":
		runProbePeer(t, tlsPeerOptions(t)...)
	default:
		t.Fatalf("unknown role %q", role)
	}
}

// runProbePeer starts a remote node with an "echo" actor that answers every
// probe with the body reversed and records its delivery, sends childProbes
// probes of its own to the parent's "sink", announces its address and serves
// until its standard input closes.
// opts replace the default remote on a kernel-chosen port.
func runProbePeer(t *testing.T, opts ...Option) {
	hist, err := proctest.CreateHistory()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := hist.Close(); err != nil {
			t.Errorf("history: %v", err)
		}
	}()
	if len(opts) == 0 {
		opts = []Option{WithRemote("127.0.0.1", 0)}
	}
	n, err := NewNode(DefaultConfig(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	self := n.ProcessID("echo")
	_, err = n.Spawn("echo", func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			p, ok := c.Message().(*wire.Probe)
			if !ok {
				return
			}
			hist.Record(history.Event{
				Time: time.Now().UnixNano(), Process: self, Kind: history.Deliver,
				Msg: history.MsgID{Sender: history.ProcessID(p.From), Seq: p.N},
			})
			c.Respond(&wire.Probe{From: string(self), N: p.N, Body: reversed(p.Body)})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := PIDOf(history.ProcessID(os.Getenv(envParentAddr) + "/sink"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= childProbes; i++ {
		n.Root().Send(sink, &wire.Probe{From: string(self), N: uint64(i), Body: []byte("from child")})
	}
	if err := proctest.Announce(os.Stdout, n.Address()); err != nil {
		t.Fatal(err)
	}
	<-proctest.StdinClosed()
}

func reversed(b []byte) []byte {
	out := slices.Clone(b)
	slices.Reverse(out)
	return out
}

// TestTwoProcessesExchangeProbes runs a node here and one in a child OS
// process, both with protoactor remote on loopback, and checks the protobuf
// probes each sends reach the other, complete and in order.
func TestTwoProcessesExchangeProbes(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	n := newNode(t, WithRemote("127.0.0.1", 0))
	ch := make(chan arrival, parentProbes+childProbes)
	sink, err := n.Spawn("sink", inbox(ch))
	if err != nil {
		t.Fatal(err)
	}
	child, err := proctest.Start(proctest.Spec{
		Run: "TestHelperProcess", Role: "probe-peer",
		Env:        []string{envParentAddr + "=" + n.Address()},
		HistoryDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			child.Kill()
		}
	}()
	childEcho := history.ProcessID(child.Addr() + "/echo")
	echo, err := PIDOf(childEcho)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= parentProbes; i++ {
		body := fmt.Sprintf("ping-%03d", i)
		n.Root().RequestWithCustomSender(echo, &wire.Probe{From: string(ProcessIDOf(sink)), N: uint64(i), Body: []byte(body)}, sink)
	}

	var fromChild, echoes []uint64
	for range parentProbes + childProbes {
		p := awaitProbe(t, ch, "probe from the child process")
		if p.From != string(childEcho) {
			t.Fatalf("probe from %q, want %q", p.From, childEcho)
		}
		if string(p.Body) == "from child" {
			fromChild = append(fromChild, p.N)
			continue
		}
		if want := string(reversed(fmt.Appendf(nil, "ping-%03d", p.N))); string(p.Body) != want {
			t.Fatalf("echo %d has body %q, want %q", p.N, p.Body, want)
		}
		echoes = append(echoes, p.N)
	}
	want := func(k int) []uint64 {
		out := make([]uint64, k)
		for i := range out {
			out[i] = uint64(i + 1)
		}
		return out
	}
	if !slices.Equal(fromChild, want(childProbes)) {
		t.Fatalf("child's own probes arrived as %v", fromChild)
	}
	if !slices.Equal(echoes, want(parentProbes)) {
		t.Fatalf("echoes arrived as %v", echoes)
	}

	stopped = true
	if err := child.Stop(waitTimeout); err != nil {
		t.Fatal(err)
	}
	h, err := proctest.ReadHistories([]*proctest.Child{child})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, e := range h {
		if e.Kind != history.Deliver || e.Process != childEcho || e.Msg.Sender != ProcessIDOf(sink) {
			t.Fatalf("unexpected event in the child's history: %+v", e)
		}
		seqs = append(seqs, e.Msg.Seq)
	}
	if !slices.Equal(seqs, want(parentProbes)) {
		t.Fatalf("child's history delivered %v", seqs)
	}
	t.Logf("exchanged %d probes each way with child %s; its history has %d deliveries", parentProbes, child.Addr(), len(h))
}

// TestSendOmissionAcrossProcesses puts a send-omission failure on an actor
// whose peer lives in another OS process: the echoes that come back are
// exactly the probes the injector let through.
func TestSendOmissionAcrossProcesses(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	n := newNode(t, WithRemote("127.0.0.1", 0))
	ch := make(chan arrival, 2*parentProbes+childProbes)
	sink, err := n.Spawn("sink", inbox(ch))
	if err != nil {
		t.Fatal(err)
	}
	child, err := proctest.Start(proctest.Spec{
		Run: "TestHelperProcess", Role: "probe-peer",
		Env: []string{envParentAddr + "=" + n.Address()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer child.Kill()
	echo, err := PIDOf(history.ProcessID(child.Addr() + "/echo"))
	if err != nil {
		t.Fatal(err)
	}
	const seed = 11
	f, err := n.NewFaults(faults.Spec{Model: faults.SendOmission, Rate: 0.3, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan struct{})
	_, err = n.SpawnProps("tx", actor.PropsFromProducer(func() actor.Actor {
		return actor.ReceiveFunc(func(c actor.Context) {
			if _, ok := c.Message().(*actor.Started); !ok {
				return
			}
			for i := 1; i <= parentProbes; i++ {
				c.RequestWithCustomSender(echo, &wire.Probe{N: uint64(i), Body: []byte("x")}, sink)
			}
			close(sent)
		})
	}, f.PropsOptions()...))
	if err != nil {
		t.Fatal(err)
	}
	<-sent
	// The root's probe 0 travels the same connection after tx's probes, so
	// its echo is the last one.
	n.Root().RequestWithCustomSender(echo, &wire.Probe{N: 0, Body: []byte("x")}, sink)
	var echoes []uint64
	for done := false; !done; {
		p := awaitProbe(t, ch, "echo")
		switch {
		case string(p.Body) == "from child":
		case p.N == 0:
			done = true
		default:
			echoes = append(echoes, p.N)
		}
	}
	st := f.Stats()
	if st.Dropped == 0 || len(echoes) != parentProbes-st.Dropped || !slices.IsSorted(echoes) {
		t.Fatalf("seed %d: %d echoes (sorted %v) for %d probes of which %d dropped", seed, len(echoes), slices.IsSorted(echoes), parentProbes, st.Dropped)
	}
	if err := child.Stop(waitTimeout); err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d of %d probes dropped by the injector, %d echoed by the other process", seed, st.Dropped, parentProbes, len(echoes))
}
