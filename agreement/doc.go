// Package agreement runs Byzantine agreement on protoactor actors: the
// generals actor set of Lamport, Shostak and Pease, "The Byzantine
// Generals Problem", ACM TOPLAS 4(3), 1982 (LSP82). The algorithms
// themselves, OM(m), SM(m) and interactive consistency, are the pure cores
// of package byz; this package gives each general an actor that drives its
// core, and a Council that starts runs and hands back their decisions.
//
// # The actor set
//
// A Config lists the generals as process ids of the actors runtime,
// "address/name". NewCouncil(node, cfg, opts...) spawns, on node, an actor
// called name for every general whose address is the node's; councils on
// several nodes with the same Config make up one set of generals talking
// over protoactor remote, and one node may host all of them. Council.Start
// begins a session (a run of the algorithm) on the local generals, each
// with its own value; Run.Wait returns the Outcome: each local loyal
// general's decision, or its vector in interactive consistency.
// Council.Propose does both. Across processes, call Council.Connect on
// every council first and start sessions only once it has returned
// everywhere: a message to a general whose actor is not spawned yet is a
// dead letter, and a first message to a process pays for opening its
// gRPC stream. Sessions are numbered by Start calls, so the
// councils of all processes must start them in the same order; a message
// for a session a general has not begun yet is kept (at most MaxEarly)
// until it does, since another process may begin first.
//
// # The driver loop
//
// Each general's actor owns one core per session and feeds it from its
// mailbox only, so the core needs no locks:
//
//	begin (from Start)  -> build the core (byz.NewOM, NewSM, NewInteractive*),
//	                       wrapped in byz.NewTraitorGeneral for a traitor;
//	                       arm the session's timer; replay early messages
//	agreement message   -> from = the envelope's sender, a general (A2 below);
//	                       core.Step(from, msg), or keep it if its session
//	                       has not begun here yet
//	tick (own timer)    -> core.Tick(); re-arm the timer
//	after each of them  -> for every Ready: send each Outbound to the PID of
//	                       its general (ctx.Request, so the envelope names
//	                       the sender), record the events with Time and
//	                       View = session, Advance
//	core.Done()         -> stop the timer, report to the Run, drop the core
//
// The timer is the core's only clock: time.AfterFunc posts a tick into the
// general's own mailbox every Config.RoundDuration, and a round lasts one
// tick. A refused message changes nothing; it is counted in Stats.Rejected
// under its sentinel (this package's or byz's) and logged at debug level.
//
// # The assumptions and how protoactor meets them
//
// LSP82 proves OM(m) correct under three assumptions about the messages
// of loyal generals, and SM(m) under a fourth about signatures:
//
// A1, every message sent is delivered correctly. Within one process a
// mailbox loses nothing while its actor lives. Protoactor remote is at
// most once: a failed stream loses its batch silently, and a message to
// an actor that does not exist (yet) is a dead letter. A message that is
// lost, or arrives after its round closed (refused as byz.ErrLate), is
// treated exactly like a message that was never sent: at round close the
// receiver takes the default, RETREAT, for it. So a loss is
// indistinguishable from an omission by the sender, and the algorithm
// absorbs it the same way: the guarantees hold with every general that
// lost a message counted as a traitor. IC1 holds as long as traitors and
// such generals number at most m, and IC2 holds for a commander that is
// neither. A run in which a loyal general lost messages while m others
// were traitors is outside the guarantee, and the checkers, which count
// that general as loyal, may report a violation for it.
//
// A2, the receiver knows who sent a message. A general takes the sender
// of a message from the protoactor envelope, which loyal generals fill
// with their own PID (ctx.Request), and refuses a message with no sender
// (ErrNoSender) or whose sender is no general of the council
// (ErrNotGeneral). The identity a message claims in its payload is then
// held to that sender by the core: an oral message's path must end with
// it (byz.ErrSenderMismatch), so no general can relay in another's name,
// and a signed message's chain is checked signature by signature. Within
// one process this settles it: the runtime writes the envelope for the
// sending actor, and only code linked into the process could write
// another. Across processes the envelope is whatever the peer sent:
//
//   - SM needs nothing more: every link of a chain is an ed25519 signature
//     the core verifies, so whoever delivers a chain, its content is what
//     its signers signed, and relaying someone else's valid chain gains a
//     traitor nothing.
//   - OM needs an authenticated transport: without one, a peer can write
//     any general's PID into the envelope and the path alike. Run the
//     nodes over mutual TLS (actors.WithTLS), each node's certificate
//     naming its address as a URI subject alternative name,
//     lockstep://host:port.
//
// Under mutual TLS, this is what is enforced, and when:
//
//  1. At connection: a process without a certificate from the authority
//     the node trusts cannot open a stream (the TLS handshake fails), and
//     a verified certificate naming no address has its stream refused
//     (actors.Stats.Unauthenticated).
//  2. On every inbound batch: NewCouncil on a TLS node installs
//     SenderCheck (actors.Node.AddBatchCheck). An oral or signed message
//     whose envelope sender PID, or an oral message whose last path
//     element, lives at another address than the peer's certificate
//     names (CheckBatchSenders) makes the node refuse the whole batch
//     before protoactor decodes it: logged, counted in
//     actors.Stats.CheckRefusals, and that peer's stream closed (whatever
//     else the batch held is lost, as under A1). No general's core sees
//     it. Council.Authenticated reports that the check is installed.
//  3. In the general: the envelope sender must be a general of the
//     council, and the core holds the path to it (above).
//
// Together: a general's message is attributed to a general of the sending
// process, never to one of another process. What is not enforced: the
// certificate cannot tell apart generals hosted by the same process, so a
// process hosting several generals is trusted to attribute its own
// messages correctly (the process is the unit of failure; host one
// general per process where that matters), and the address in a
// certificate is only as good as the authority that issued it. Without TLS
// (the default) OM across processes trusts the network, and NewCouncil
// logs a warning when an OM council's generals live elsewhere; SenderGuard
// does the same check as SenderCheck for a gRPC server built by hand. The
// four-process tests show the difference: a traitor process that forges
// the loyal commander's RETREAT in the commander's name (envelope and
// path) makes both loyal lieutenants decide RETREAT over plaintext, an
// IC2 violation the test expects; over mutual TLS each lieutenant's node
// refuses the forgery and they decide the commander's ATTACK.
//
// A3, the absence of a message can be detected: rounds closed by ticks
// realise the bounded delay this needs. Round r closes at the general's
// r-th tick at the latest; a path with no valid message by then holds
// RETREAT. OM also closes a round as soon as every message of it has
// arrived, so loyal runs never wait for the clock; SM cannot count its
// messages and always waits. RoundDuration must exceed the largest delay
// between loyal generals plus the spread of the moments they begin the
// session; anything later is a loss under A1.
//
// A4, a loyal general's signature cannot be forged, any change to a signed
// message is detected, and anyone can check a signature: ed25519 keys, a
// public key per general in Config.PublicKeys and each process's own
// private keys in Config.PrivateKeys; the core rejects forged and
// malformed chains (byz.ErrForged, byz.ErrBadChain).
//
// # Traitors
//
// WithTraitor makes a local general a traitor with a byz.Traitor strategy
// (silent, always-lie, two-faced, path-dependent, random, colluding,
// scripted): the loyal core runs underneath and its every outbound
// message passes through the strategy, so the traitor lies in the right
// rounds about the right paths. WithFaults instead spawns a general with
// the actors runtime's failure middleware: under the Arbitrary model an
// actors/faults Adversary rewrites what the unchanged loyal general sends,
// as it would for any actor. Either way the history holds a Faulty event
// for the traitor, so the checkers judge only the others.
//
// # Group views
//
// A council's generals can come from a group view (membership): the
// view's members in rank order are the Generals, the same list in every
// member; GeneralsOf takes them from a ViewInstall event. Use a Name
// naming the view, so that sessions of different views never mix. A new
// view means a new council: the algorithms assume a fixed set of generals.
//
// # Histories
//
// WithRecorder records the cores' events: Propose (the commander's true
// value), Decide (Peer is the commander, View the session) and Faulty.
// history.CheckIC1 and CheckIC2 judge them; histories written by several
// processes as JSON lines are combined with history.Merge.
//
// # Cost
//
// A loyal OM(m) run sends byz.OMMessageCount(n, m) messages,
// (n-1) + (n-1)(n-2) + ... + (n-1)...(n-m-1), over m+1 rounds; SM(m) sends
// at most (n-1)^2 with a loyal commander (fewer when a lieutenant hears a
// relay before the commander: it then has nothing new to relay). Decision
// latency on real actors in one process, two runs on 2 shared cores
// (go test -run '^$' -bench Agreement ./bench/):
//
//	OM n=4 m=1: 0.1 ms, 9 msgs              SM n=4 m=1: 15-16 ms, 9 msgs (2 rounds of 6 ms)
//	OM n=7 m=2: 0.5-0.7 ms, 156 msgs        SM n=7 m=2: 31-37 ms, 36 msgs (3 rounds of 9 ms)
//	OM n=10 m=3: 10-13 ms, 3609 msgs        SM n=10 m=3: 63-73 ms, 81 msgs (4 rounds of 12 ms)
//
// OM's latency is the work of its messages; SM's is its rounds, set just
// above the time its signature checks take.
package agreement
