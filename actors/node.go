package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/sirupsen/logrus"
)

// ErrClosed is returned by operations on a Node that has been closed.
var ErrClosed = errors.New("actors: node closed")

// ErrListen wraps the error of a remote server that could not listen.
var ErrListen = errors.New("actors: remote cannot listen")

// Node is one Lockstep process: a protoactor ActorSystem, optionally
// reachable from other processes through protoactor remote, with a process
// identity, guarded remote input, and optional failure injection into the
// actors it spawns. A Node is safe for concurrent use.
type Node struct {
	cfg      Config
	log      *logrus.Entry
	clock    Clock
	recorder Recorder
	system   *actor.ActorSystem
	remote   *remote.Remote
	guard    *streamGuard
	faults   *Faults

	// endpointMu orders protoactor's handling of endpoint events before a
	// shutdown; see stopRemote.
	endpointMu     sync.Mutex
	endpointEvents int
	endpointSub    *eventstream.Subscription

	mu        sync.Mutex
	closed    bool
	spawned   []*actor.PID
	faultSets []*Faults
	closeOnce sync.Once
}

// Stats counts what a node's remote guard has refused.
type Stats struct {
	// RejectedMessages counts incoming remote batches the node refused,
	// because they would have crashed the pinned protoactor (for example a
	// message type this process has not registered) or because their
	// handling panicked. Each refusal closed the peer's stream, nothing else.
	RejectedMessages uint64
	// RecoveredPanics counts the refusals that were panics caught in the
	// gRPC handler rather than batches caught before protoactor saw them.
	RecoveredPanics uint64
	// CheckRefusals counts the refusals by a BatchCheck (AddBatchCheck),
	// for example a batch whose envelope sender contradicts the peer's
	// certificate.
	CheckRefusals uint64
	// Unauthenticated counts inbound streams refused under TLS because the
	// peer's verified certificate names no node address. (A peer without
	// a valid certificate fails the TLS handshake and opens no stream.)
	Unauthenticated uint64
}

// NewNode starts a node configured by cfg and then opts. With remote on, the
// server is listening when NewNode returns.
func NewNode(cfg Config, opts ...Option) (*Node, error) {
	o := options{cfg: cfg}
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:      o.cfg,
		log:      o.logger,
		clock:    o.clock,
		recorder: o.recorder,
	}
	if n.log == nil {
		n.log = discardLogger()
	}
	if n.clock == nil {
		n.clock = WallClock{}
	}
	protoLog := slog.New(slog.DiscardHandler)
	if n.cfg.ProtoactorLogs {
		protoLog = slog.New(newLogrusHandler(n.log.WithField("lib", "protoactor")))
	}
	n.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return protoLog }))
	n.guard = &streamGuard{log: n.log, checkBatches: !o.skipBatchCheck, authenticate: n.cfg.TLS != nil}
	if n.cfg.Remote {
		if err := n.startRemote(); err != nil {
			n.system.Shutdown()
			return nil, err
		}
	}
	if n.cfg.TLS != nil {
		if err := checkOwnCertificate(n.cfg.TLS, n.Address()); err != nil {
			n.Close()
			return nil, err
		}
	}
	n.log = n.log.WithField("node", n.Address())
	n.guard.setLogger(n.log)
	if o.faults != nil {
		f, err := n.NewFaults(*o.faults)
		if err != nil {
			n.Close()
			return nil, err
		}
		n.faults = f
	}
	return n, nil
}

// startRemote configures and starts protoactor remote; remote.Start panics
// when it cannot listen, which becomes ErrListen here.
func (n *Node) startRemote() (err error) {
	rc := remote.Configure(n.cfg.Host, n.cfg.Port,
		remote.WithServerOptions(serverOptions(n.cfg, n.guard)...),
		remote.WithDialOptions(dialOptions(n.cfg)...),
		remote.WithEndpointWriterQueueSize(n.cfg.PeerQueue),
	)
	rc.MaxRetryCount = n.cfg.ConnectRetries
	r := remote.NewRemote(n.system, rc)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s:%d: %v", ErrListen, n.cfg.Host, n.cfg.Port, p)
		}
	}()
	if remoteStarts.Add(1) > 1 {
		n.log.Warn("a second protoactor remote is starting in this process: its start writes grpc-go's " +
			"global logger without synchronisation, a data race with the gRPC goroutines already running " +
			"(harmless in practice, reported under -race); prefer one remote node per process")
	}
	r.Start()
	n.remote = r
	// Registered after remote.Start, so it runs after the endpoint manager's
	// own handler in every Publish, on the same goroutine; see stopRemote.
	n.endpointSub = n.system.EventStream.SubscribeWithPredicate(func(any) {
		n.endpointMu.Lock()
		n.endpointEvents++
		n.endpointMu.Unlock()
	}, isEndpointEvent)
	return nil
}

func isEndpointEvent(evt any) bool {
	switch evt.(type) {
	case *remote.EndpointTerminatedEvent, *remote.EndpointConnectedEvent:
		return true
	}
	return false
}

// remoteStarts counts the protoactor remotes started in this process.
var remoteStarts atomic.Int64

// ID is the node's process identity: its Address. The actors it hosts have
// ids of the form ID()/name (see ProcessIDOf).
func (n *Node) ID() history.ProcessID { return history.ProcessID(n.Address()) }

// Address is where the node's actors are reached: host:port with the port
// actually bound when remote is on, LocalAddress otherwise.
func (n *Node) Address() string { return n.system.Address() }

// ProcessID returns the process id of the actor called name on this node.
func (n *Node) ProcessID(name string) history.ProcessID {
	return history.ProcessID(n.Address() + "/" + name)
}

// System is the node's protoactor actor system.
func (n *Node) System() *actor.ActorSystem { return n.system }

// Root is the node's root context, for sending from outside any actor.
func (n *Node) Root() *actor.RootContext { return n.system.Root }

// Logger is the node's logger.
func (n *Node) Logger() *logrus.Entry { return n.log }

// Faults returns the failure injection WithFaults set up for every actor
// Spawn starts, or nil.
func (n *Node) Faults() *Faults { return n.faults }

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	return Stats{
		RejectedMessages: n.guard.rejected.Load(),
		RecoveredPanics:  n.guard.panics.Load(),
		CheckRefusals:    n.guard.checkRefusals.Load(),
		Unauthenticated:  n.guard.unauthenticated.Load(),
	}
}

// Spawn starts an actor called name from producer and opts, with the
// node-wide fault middleware (WithFaults) appended last. Close stops it.
func (n *Node) Spawn(name string, producer actor.Producer, opts ...actor.PropsOption) (*actor.PID, error) {
	if n.faults != nil {
		opts = append(append([]actor.PropsOption(nil), opts...), n.faults.PropsOptions()...)
	}
	return n.SpawnProps(name, actor.PropsFromProducer(producer, opts...))
}

// SpawnProps starts an actor called name from props as they are. Close
// stops it.
func (n *Node) SpawnProps(name string, props *actor.Props) (*actor.PID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, ErrClosed
	}
	pid, err := n.system.Root.SpawnNamed(props, name)
	if err != nil {
		return nil, fmt.Errorf("actors: spawn %q: %w", name, err)
	}
	n.spawned = append(n.spawned, pid)
	return pid, nil
}

// Close stops the node's actors, cancels messages its fault middleware still
// holds back, shuts the remote server down and stops the actor system. Each
// phase is bounded by Config.ShutdownTimeout. Close is idempotent.
func (n *Node) Close() {
	n.closeOnce.Do(n.close)
}

func (n *Node) close() {
	n.mu.Lock()
	n.closed = true
	spawned, sets := n.spawned, n.faultSets
	n.mu.Unlock()

	for _, f := range sets {
		f.close()
	}
	n.stopActors(spawned)
	if n.remote != nil {
		n.stopRemote()
	}
	n.system.Shutdown()
}

// stopActors stops pids and waits, at most ShutdownTimeout, for all of them.
func (n *Node) stopActors(pids []*actor.PID) {
	futures := make([]*actor.Future, 0, len(pids))
	for _, pid := range pids {
		futures = append(futures, n.system.Root.StopFuture(pid))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, f := range futures {
			_ = f.Wait()
		}
	}()
	select {
	case <-done:
	case <-time.After(n.cfg.ShutdownTimeout):
		n.log.Warn("close: actors did not stop in time")
	}
}

// stopRemote shuts the remote down. The pinned protoactor's graceful
// shutdown has two races with inbound streams and endpoint events, so the
// node first does what it can to make them impossible:
//
//  1. It stops the gRPC server outright, which ends every inbound stream,
//     and waits (through the guard) until their handlers have returned. The
//     graceful shutdown would otherwise send on the disconnect channel of a
//     stream that is ending at that moment, which its handler closes: a data
//     race and a "send on closed channel" panic.
//  2. It takes endpointMu. The endpoint manager's event handler reads a
//     field its shutdown then clears, with nothing ordering the two; the
//     node's own handler for the same events runs right after it on the
//     publishing goroutine and takes endpointMu, so every event handled so
//     far is ordered before the shutdown.
//
// Then it runs the graceful shutdown (which stops the endpoint manager and
// its writers), bounded by ShutdownTimeout. A panic there (a stream whose
// disconnect channel was closed but not yet forgotten) is recovered and
// logged. The residual window is an endpoint event published while the
// shutdown runs: that one stays protoactor's.
func (n *Node) stopRemote() {
	n.remote.Shutdown(false)
	if !n.guard.awaitIdle(n.cfg.ShutdownTimeout) {
		n.log.Warn("close: inbound remote streams did not end in time")
	}
	n.endpointMu.Lock()
	n.log.WithField("endpoint_events", n.endpointEvents).Debug("close: stopping the endpoint manager")
	n.endpointMu.Unlock()
	defer n.system.EventStream.Unsubscribe(n.endpointSub)

	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				n.log.WithField("panic", fmt.Sprint(p)).Warn("close: protoactor's remote shutdown panicked")
			}
		}()
		n.remote.Shutdown(true)
	}()
	select {
	case <-done:
	case <-time.After(n.cfg.ShutdownTimeout):
		n.log.Warn("close: remote shutdown timed out")
	}
}
