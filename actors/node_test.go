package actors

import (
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	bad := []func(*Config){
		func(c *Config) { c.Remote, c.Host = true, "localhost" },
		func(c *Config) { c.Port = -1 },
		func(c *Config) { c.Port = 70000 },
		func(c *Config) { c.KeepaliveTime = 0 },
		func(c *Config) { c.KeepaliveTimeout = -time.Second },
		func(c *Config) { c.ConnectRetries = 0 },
		func(c *Config) { c.PeerQueue = 0 },
		func(c *Config) { c.StreamWindow = 1 << 10 },
		func(c *Config) { c.StreamBuffer = 0 },
		func(c *Config) { c.ShutdownTimeout = 0 },
		func(c *Config) { c.FaultTick = 0 },
	}
	for i, mutate := range bad {
		c := DefaultConfig()
		mutate(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("case %d: Validate = %v, want ErrInvalidConfig", i, err)
		}
		if _, err := NewNode(c); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("case %d: NewNode error = %v, want ErrInvalidConfig", i, err)
		}
	}
}

func TestProcessIDRoundTrip(t *testing.T) {
	for _, id := range []history.ProcessID{"127.0.0.1:4000/alice", "nonhost/a/b", "[::1]:1/x"} {
		pid, err := PIDOf(id)
		if err != nil {
			t.Fatalf("PIDOf(%q): %v", id, err)
		}
		if got := ProcessIDOf(pid); got != id {
			t.Errorf("ProcessIDOf(PIDOf(%q)) = %q", id, got)
		}
	}
	for _, id := range []history.ProcessID{"", "alice", "/alice", "127.0.0.1:1/"} {
		if _, err := PIDOf(id); !errors.Is(err, ErrBadProcessID) {
			t.Errorf("PIDOf(%q) error = %v, want ErrBadProcessID", id, err)
		}
	}
	if ProcessIDOf(nil) != "" {
		t.Error("ProcessIDOf(nil) is not empty")
	}
}

func TestLocalNodeIdentity(t *testing.T) {
	n := newNode(t)
	if n.Address() != LocalAddress || n.ID() != LocalAddress {
		t.Fatalf("local node address %q id %q, want %q", n.Address(), n.ID(), LocalAddress)
	}
	ch := make(chan arrival, 1)
	pid, err := n.Spawn("alice", inbox(ch))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ProcessIDOf(pid), n.ProcessID("alice"); got != want {
		t.Fatalf("ProcessIDOf(spawned) = %q, want %q", got, want)
	}
	back, err := PIDOf(n.ProcessID("alice"))
	if err != nil {
		t.Fatal(err)
	}
	n.Root().Send(back, &wire.Probe{N: 7})
	if p := awaitProbe(t, ch, "probe via PIDOf"); p.N != 7 {
		t.Fatalf("got probe %d, want 7", p.N)
	}
	if _, err := n.Spawn("alice", inbox(ch)); err == nil {
		t.Fatal("spawning a second alice succeeded")
	}
}

// TestRemoteNodeServesRawPeer shows a remote node bound to a kernel-chosen
// loopback port receives protobuf messages over protoactor's wire protocol.
func TestRemoteNodeServesRawPeer(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	n := newNode(t, WithRemote("127.0.0.1", 0))
	host, port, err := net.SplitHostPort(n.Address())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("address %q: want 127.0.0.1 with a bound port (err %v)", n.Address(), err)
	}
	if n.ID() != history.ProcessID(n.Address()) {
		t.Fatalf("ID %q differs from Address %q", n.ID(), n.Address())
	}
	ch := make(chan arrival, 100)
	if _, err := n.Spawn("sink", inbox(ch)); err != nil {
		t.Fatal(err)
	}
	target, err := PIDOf(n.ProcessID("sink"))
	if err != nil {
		t.Fatal(err)
	}
	peer := dialRaw(t, n.Address())
	const count = 50
	for i := 1; i <= count; i++ {
		peer.sendProto(t, &wire.Probe{From: "raw", N: uint64(i), Body: []byte("x")}, target)
	}
	for i := 1; i <= count; i++ {
		p := awaitProbe(t, ch, "remote probe")
		if p.N != uint64(i) || p.From != "raw" || string(p.Body) != "x" {
			t.Fatalf("probe %d: got n=%d from=%q body=%q", i, p.N, p.From, p.Body)
		}
	}
}

// A connection to a peer costs little at rest: protoactor's default queue
// for a peer's outgoing messages is a 16 MB array of pointers, which
// Config.PeerQueue replaces with a small one that grows when needed.
func TestPeerQueueIsSmallAtRest(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	cfg := DefaultConfig()
	cfg.ShutdownTimeout = 500 * time.Millisecond // the peer never answers gRPC: do not wait for it
	n, err := NewNode(cfg, WithRemote("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	before := heap()
	// The endpoint writer, with its queue, exists once it dials the peer.
	n.Root().Send(actor.NewPID(ln.Addr().String(), "nobody"), &wire.Probe{N: 1})
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the node never dialled the peer")
	}
	if grew := heap() - before; grew > 4<<20 {
		t.Fatalf("one peer connection holds %d bytes of heap, want under 4 MB", grew)
	}
}

func TestNewNodeListenFailure(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	port := lis.Addr().(*net.TCPAddr).Port
	_, err = NewNode(DefaultConfig(), WithRemote("127.0.0.1", port))
	if !errors.Is(err, ErrListen) {
		t.Fatalf("node on busy port %d: error %v, want ErrListen", port, err)
	}
}

// TestCloseLeavesNoGoroutines runs two remote nodes that talk, closes them,
// and waits (bounded) for the goroutine count to fall back.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	before := runtime.NumGoroutine()
	func() {
		n, err := NewNode(DefaultConfig(), WithRemote("127.0.0.1", 0))
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		// Traffic both ways: a raw peer writes to the node's server, and the
		// node's endpoint writer dials a fake remote.
		fake := startFakeRemote(t)
		ch := make(chan arrival, 10)
		pid, err := n.Spawn("sink", inbox(ch))
		if err != nil {
			t.Fatal(err)
		}
		peer := dialRaw(t, n.Address())
		peer.sendProto(t, &wire.Probe{N: 1}, pid)
		awaitProbe(t, ch, "raw peer -> node")
		n.Root().Send(actor.NewPID(fake.addr, "x"), &wire.Probe{N: 2})
		select {
		case <-fake.batches:
		case <-time.After(waitTimeout):
			t.Fatal("node -> fake remote: no batch")
		}
		peer.close()
		fake.srv.Stop()
	}()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, trimStacks(string(buf)))
		}
		<-tick.C
	}
}

// trimStacks keeps a goroutine dump readable in a failure message.
func trimStacks(s string) string {
	if len(s) > 20000 {
		return s[:20000] + "\n..."
	}
	return strings.TrimSpace(s)
}

func TestClosedNodeRefusesSpawn(t *testing.T) {
	n, err := NewNode(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	n.Close() // idempotent
	if _, err := n.Spawn("late", inbox(make(chan arrival))); !errors.Is(err, ErrClosed) {
		t.Fatalf("Spawn after Close: %v, want ErrClosed", err)
	}
}

// TestKeepaliveClosesSilentPeer connects a peer that speaks just enough
// HTTP/2 to open a connection and then answers nothing, the way a peer
// behind a half-open connection looks. The node's keepalive pings go
// unanswered and the node closes the connection, long before gRPC's
// 120-second handshake timeout could.
func TestKeepaliveClosesSilentPeer(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	cfg := DefaultConfig()
	cfg.KeepaliveTime = time.Second
	cfg.KeepaliveTimeout = 500 * time.Millisecond
	n, err := NewNode(cfg, WithRemote("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	conn, err := net.Dial("tcp", n.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	preface := "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	emptySettings := []byte{0, 0, 0, 4, 0, 0, 0, 0, 0}
	if _, err := conn.Write(append([]byte(preface), emptySettings...)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := conn.SetReadDeadline(start.Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("connection of a silent peer still open after %v", waitTimeout)
			}
			t.Logf("node closed the silent peer's connection after %v (%v)", time.Since(start).Round(time.Millisecond), err)
			return
		}
	}
}
