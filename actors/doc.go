// Package actors is Lockstep's process runtime: it runs the protocol cores
// inside protoactor-go actors, gives every process an identity that histories,
// views and wire messages share, guards against the known defects of the
// pinned protoactor version, and injects the failure models of package faults
// into real actors.
//
// # Nodes and process identity
//
// A Node owns one protoactor ActorSystem and, when asked (Config.Remote or
// WithRemote), a protoactor remote: a gRPC server on host:port, loopback and a
// kernel-chosen port by default, whose bound address Node.Address reports.
//
// A process of a Lockstep group is an actor. Its identity, a
// history.ProcessID, is "address/name": the node's address and the actor's
// protoactor id, for example "127.0.0.1:40123/alice". ProcessIDOf and PIDOf
// convert between the two; the mapping is a bijection, so no registry has to
// be shared and any process can address a member named in a view or a
// history. A node itself is identified by its address (Node.ID). Actors of a
// node without remote have the address "nonhost" (LocalAddress).
//
// Close stops the node's actors, the remote server and the actor system,
// each phase bounded by Config.ShutdownTimeout, and leaves no goroutine
// behind.
//
// # Logging
//
// Lockstep logs through logrus only (WithLogger); without a logger a node
// prints nothing. protoactor logs through log/slog: a node either discards
// those records (the default) or, with Config.ProtoactorLogs, forwards them
// to its logrus logger through a small slog.Handler, tagged lib=protoactor.
// Nothing is configured globally, with one exception the node cannot avoid:
// protoactor's remote.Start replaces grpc-go's process-wide logger with one
// that discards everything.
//
// # The pinned protoactor's traps, and how each is handled
//
//   - A peer that sends a message type this process has not registered
//     crashes the receiver: the protobuf deserializer ignores the lookup error
//     and dereferences nil inside the gRPC handler goroutine. The node installs
//     a gRPC stream interceptor that inspects every incoming batch before
//     protoactor sees it (type names, serializer ids, table indexes) and also
//     recovers any panic of the handler. Either way the offending stream is
//     closed with an error, the event is logged and counted
//     (Stats.RejectedMessages, Stats.RecoveredPanics), and the node keeps
//     serving its other peers.
//   - No keepalive is configured, so a half-open connection to a vanished
//     peer goes unnoticed. The node sets gRPC keepalive on both sides
//     (Config.KeepaliveTime, KeepaliveTimeout), keeping the insecure transport
//     credentials that replacing protoactor's dial options would otherwise drop.
//   - Remote delivery is at most once. A failed send drops the batch and the
//     messages queued behind it without a trace; the next send reconnects, so
//     a connection is FIFO with silent holes, and after ConnectRetries failed
//     attempts queued messages become dead letters. The runtime does not hide
//     this: reliability, duplicate suppression and order are the job of the
//     ordering layers (NAK repair, sequence numbers), which the simulator tests
//     under loss.
//   - System messages overtake user messages: a watcher can receive
//     Terminated for a peer before that peer's last messages. Terminated never
//     means "everything from that sender has arrived"; the membership flush
//     decides which messages a view contains.
//   - The graceful remote shutdown races with inbound streams that end at the
//     same moment (it sends on a disconnect channel their handler closes:
//     a data race and a "send on closed channel" panic) and with endpoint
//     events (their handler reads a map the shutdown sets to nil). Close
//     therefore stops the gRPC server first, waits until every inbound
//     handler has returned, orders the endpoint events handled so far before
//     the shutdown through a handler of its own, and only then runs
//     protoactor's shutdown, recovering a panic should one still occur.
//   - remote.Start writes grpc-go's global logger without synchronisation.
//     Starting a second remote in a process where gRPC goroutines are running
//     is therefore a data race (harmless, the same discarding logger is
//     written, but the race detector reports it). Deploy one remote node per
//     process; tests run each remote node in a process of its own
//     (proctest.Isolate, and proctest.Start for peers). The node logs a
//     warning when a second remote starts in a process.
//   - A peer's PID in an envelope is not authenticated: the sender of a
//     remote message can be forged. Protocols carry identity in their payload
//     (wire.Data.sender) and the Byzantine ones sign it; over plaintext that
//     is all there is. With mutual TLS (below) the transport knows the peer.
//
// # Mutual TLS and peer identity
//
// WithTLS (Config.TLS) runs the remote over mutual TLS: the node serves
// and dials with one tls.Config, and requires and verifies a client
// certificate on every inbound connection, so a process without a
// certificate from a trusted authority cannot open a stream at all (the
// handshake fails; nothing is counted, since no stream exists). A node's
// certificate names its address as a URI subject alternative name,
// lockstep://host:port (CertScheme); NewNode refuses a certificate naming
// another address than the node's, so TLS needs a fixed port. The guard
// interceptor, still the first of the chain, reads the verified peer's
// address from the certificate (PeerIdentityOf) and refuses a stream
// whose certificate names none (Stats.Unauthenticated).
//
// protoactor never shows actors who the peer is, so the node offers the
// identity where it is known: a BatchCheck, installed with AddBatchCheck
// (also while serving), sees every well-formed inbound batch together with
// its stream's PeerIdentity before protoactor does. A check's error is
// logged, counted (Stats.CheckRefusals and RejectedMessages) and closes that
// peer's stream (gRPC PermissionDenied); no envelope of the batch reaches
// an actor, other streams are unaffected, and the peer's protoactor
// reconnects on its next send. SendersMatchPeer is the general check:
// every envelope sender must live at the peer's address. It is not
// installed by default, because a message forwarded with its original
// sender (Context.Forward) legitimately names a third process; package
// agreement installs a narrower check for its own messages. Without TLS a
// check sees PeerIdentity{} (not Authenticated). Package tlstest mints
// throwaway authorities and node certificates for tests and examples.
//
// # Failure models on real actors
//
// Faults (from Node.NewFaults, or WithFaults for every actor Spawn starts)
// applies a faults.Spec to actors as protoactor middleware. The sender
// middleware asks the actor's faults.Injector what becomes of every outgoing
// protobuf message: sent, dropped (crash, send omission, a silent adversary),
// held back (timing: a timer re-sends it Delay*Config.FaultTick later),
// replaced by a corrupted clone (value: the original, which a local receiver
// may share, is never touched), a stale message re-sent (state transition),
// or whatever an Adversary chooses per receiver (arbitrary). The receiver
// middleware drops incoming messages under receive omission and, once the
// crash model fires, makes the actor receive and send nothing and stops it.
// protoactor's lifecycle and system messages are never touched. Each actor
// has its own injector, seeded from Spec.Seed and the actor's name, so runs
// replay; time is read from an injectable Clock (WithClock). When a model
// switches on for an actor the node records a history event (Crash, or
// Faulty for the other models) in the Recorder given by WithRecorder.
//
// Batches are judged message by message. An in-process batch
// (*outbox.Local, which the drivers post once per destination and mailbox
// invocation) holds the very values they would have posted one by one, so
// both middleware apply the model to each item that is protobuf (bare or in
// an envelope), in order, with the counters and seeded choices of those
// messages posted alone; the survivors, copies and corrupted clones travel
// on as one new batch, and items a timing failure holds back are sent later
// one by one. Items that are not protobuf pass, as they would alone. A
// batch to another process (an *outbox.Encoded: a *wire.Batch with its
// encoding, which a corrupting model clones into a plain *wire.Batch) is one
// protobuf message, and the models treat it as the transport's message it
// is: losing it loses every message in it, which the protocols repair as
// any other loss.
//
// Messages a timing failure holds back are released in order by one timer,
// so a slow process is late but not disordered. Choices that depend on a
// peer's id (which peers a TwoFaced adversary lies to) depend on its address,
// which includes a kernel-chosen port when remote is on: fix the port, or
// use a local node, for runs that must repeat exactly.
//
// The pure injector is the same code the simulator (package sim) drives, so
// a failure observed on real actors can be replayed there from its seed.
//
// # Sources
//
// The failure models are those of the classic table (crash, omission,
// timing, response, arbitrary) in Tanenbaum and van Steen, Distributed
// Systems: Principles and Paradigms, after Cristian, "Understanding
// fault-tolerant distributed systems" (CACM 34(2), 1991). Leaving
// reliability and order to layers above an at-most-once transport follows
// the Isis toolkit's design (Birman and Joseph, "Reliable communication in
// the presence of failures", ACM TOCS 5(1), 1987).
package actors
