// Package ordering makes an ordinary protoactor actor an ordered group
// member by changing its Props only: its mailbox is decorated with the pure
// ordering layers of package ordering/layer, which hold messages back and
// release them, on the actor's own goroutine, in the order of one of the six
// multicast classes of Hadzilacos and Toueg ("A modular approach to
// fault-tolerant broadcasts and related problems", 1994): reliable, FIFO,
// causal, atomic, FIFO-atomic and causal-atomic. The causal layer follows
// the CBCAST rule of Birman, Schiper and Stephenson ("Lightweight causal and
// atomic group multicast", 1991); the atomic classes use a fixed sequencer.
// Why each stack of layers yields its class is explained in ordering/layer.
//
// # Usage
//
//	cfg := ordering.DefaultConfig()
//	cfg.Self, cfg.Group, cfg.Members = "p1", "kv", []history.ProcessID{"p1", "p2", "p3"}
//	cfg.PIDs = map[history.ProcessID]*actor.PID{"p1": pid1, "p2": pid2, "p3": pid3}
//	props, err := ordering.Props(newKV, ordering.Total(ordering.Causal(ordering.Member(cfg))))
//	pid, err := system.Root.SpawnNamed(props, "p1") // the PID cfg.PIDs["p1"] names
//
// Inside the actor, ordering.Multicast(ctx, "kv", msg) sends msg to the
// group; every member (the sender included) later receives msg itself,
// unwrapped, in Receive, and ordering.MetaOf(ctx) tells who multicast it, in
// which view, with which sequence number, class and global sequence number.
// From outside any member (the root context, another goroutine),
// ordering.Handle(pid) gives a *Group whose Multicast does the same through
// the local member pid. Anything else the actor receives (requests,
// replies, timers) passes through untouched, as do system messages.
//
// # The path of one multicast
//
//  1. The application calls Multicast (from inside: directly on the actor's
//     goroutine; from outside: the request is posted to the member's
//     mailbox and taken up there).
//  2. The member's core (*layer.Member for the class) numbers and stamps the
//     message (sequence number, vector timestamp) and keeps it until it is
//     stable. If some member is in another process, the core makes it a
//     wire.Data and puts one Outbound per other member into its Ready; if
//     every member shares this process, it lists the message in its
//     Fanouts instead and no wire.Data is made at all
//     (layer.Config.LocalFanout). The member delivers to itself without a
//     network hop when its class allows.
//  3. After the actor's Receive returns, the decorator carries the Ready
//     out with the actor's own context, so sender middleware applies,
//     gathering the sends per destination until the invocation ends
//     (Batching, below). A member in this process gets one localData for
//     all the multicasts of one Ready (each one's sequence number,
//     timestamp and the payload itself, with the sender's port PID;
//     local.go), shared by all of them: nothing is packed or copied, and
//     when every member is local the layers never build the protobuf Any
//     (layer.Config.LazyPayload) or the wire.Data.
//     A member in another process gets the
//     wire.Data, with its payload packed, in one protoactor envelope whose
//     sender is the port PID, through protoactor remote.
//  4. At a receiver, the message enters the decorated mailbox like any
//     other. When the mailbox invokes it, the decorator recognises the
//     port, steps the arrival into the core (in-process data with its
//     payload, so the core does not unpack it), and, once no further
//     message is queued (or after 256 arrivals), takes the core's Ready:
//     it sends what the layers ask (NAKs, retransmissions, Status
//     heartbeats that carry stability, sequencer Orders), and invokes the
//     actor with each payload now deliverable, in order, with its metadata
//     current.
//  5. Stability reports free the sender's window and buffers; the heap stays
//     flat under sustained load (bench/).
//
// # Batching
//
// A member sends what one mailbox invocation produced (the multicasts its
// Receive made for a burst of deliveries, the Status and Order messages of
// one Ready) per destination, in one transport message: an outbox.Local
// holding the very values it would have posted one by one, in process, and
// a wire.Batch of the marshalled messages to another process (package
// internal/outbox). The receiver's decorator unpacks either and steps each
// message in the order sent, so the cores never see a batch, and a lost
// batch is to them the loss of each message in it, repaired like any loss.
// The point is the transport's fixed cost per message: a mailbox post (a
// lock, often a goroutine wake-up) and, between processes, protoactor
// remote's envelope; the decorator over a pass-through core spent about
// 40% of its CPU posting before. Config.BatchMax (default 512) caps a
// batch: a destination that reaches it is sent at once, so a batch never
// waits for a long invocation to end. Between processes a batch names its
// Data's group, sender, class and payload type once and carries its
// messages in one buffer, so the receiver allocates per batch what it
// used to allocate per message. HoldAtPost mode does not batch.
//
// # The decorators
//
// The decorated mailbox keeps the inner mailbox's queues, run loop and
// dispatcher. In RegisterHandlers it installs its own MessageInvoker in
// front of the actor context: InvokeSystemMessage and EscalateFailure pass
// straight through; InvokeUserMessage feeds ordering traffic to the cores
// and hands everything else to the actor. So the hold-back needs no lock
// and adds no hop or allocation per delivery: a delivery is a direct call
// of the actor context's invoker with the payload. Metadata is kept aside
// in the decorator and only looked up when MetaOf is called.
//
// Members recognise each other's ordering traffic by the envelope's sender:
// member p sends class k's traffic under the port PID "<p's id>#<k>" at
// p's address. A port is not an actor; it costs nothing since protoactor
// carries the envelope sender anyway (also over remote), it lets one actor
// carry several classes, and Lockstep messages from any other sender are
// dropped and counted (Stats.UnknownSender). In-process arrivals are routed
// by pointer (ports are interned per process), remote ones by their strings.
//
// Time reaches the cores only as ticks: a timer posts a tick into the
// mailbox every Config.TickInterval (at most one waits at a time), and the
// decorator also ticks after every Config.TickEvery arrivals, because under
// load a busy process can starve the timer goroutine for a scheduler slice
// and the layers' heartbeats (hence window space) would lag the traffic.
//
// Payloads are immutable once multicast: in process the sender and every
// receiver share the one payload, as with any protoactor local send, so
// neither the sender nor a receiver may modify it afterwards. Sender
// middleware sees in-process data as a Go value, not a protobuf message;
// Config.PackLocal sends it packed, as to a remote member, for middleware
// (such as fault injection) that acts on protobuf messages only.
//
// Caveats, inherited from protoactor's mailbox: held-back messages are lost
// when the actor stops; if the actor panics while receiving a delivery, that
// payload is not redelivered but the rest of the batch is, on the next
// invocation.
//
// # Composition and presets
//
// Member(cfg) starts a Stack with the reliable layer (sequence numbers,
// duplicate suppression, NAK repair, heartbeats, stability, flow control);
// FIFO, Causal and Total each add their guarantee, and Stack.Class names the
// result: Causal(Member) is causal, Total(FIFO(Member)) FIFO-atomic,
// Total(Causal(Member)) causal-atomic. The layers always stack in the order
// ordering/layer fixes, whatever order the helpers are written in. Decorate
// is the same without the helpers, with the class taken from cfg.Class.
//
// # Choosing the class per message
//
// As in Spread, where an application picks the service of each message, a
// group may carry several classes: cfg.Classes lists the ones besides
// cfg.Class, and Multicast(..., WithClass(k)) picks one. Each class runs its
// own core with its own sequence numbers, buffers and window, on the same
// actor goroutine. Mixing means: every message keeps its own class's
// guarantee among the messages of that class, and nothing is promised
// between messages of different classes. A FIFO message may be delivered
// before an atomic message its sender multicast earlier, and two members
// may interleave the causal and the atomic stream differently. An
// application that needs one order across everything sends everything in
// the strongest class it needs.
//
// # Flow control and the memory bound
//
// The layers refuse a multicast (layer.ErrWindowFull) while the sender has
// Layer.Window own messages that are not yet stable, and buffer at most
// Layer.Window x len(Members) messages per class. The decorator never blocks
// the actor on that: the payload waits in a local FIFO queue and goes out as
// acknowledgements free the window. Own multicasts accepted but not yet
// given to a core (that queue, plus outside requests still in the mailbox)
// are bounded by Config.PendingLimit; beyond it Multicast and
// Group.Multicast return ErrBackpressure at once and accept nothing. A slow
// member therefore makes each sender stop at its window rather than buffer:
// it holds at most about classes x Window x len(Members) layer messages plus
// PendingLimit own payloads, and its inbound mailbox at most one window per
// sender and class plus control traffic (with the defaults and one class, 3
// members and 100-byte payloads: about 3 x 4096 + 4096 messages).
//
// # What was measured
//
// bench/RESULTS.md holds the latest figures, regenerated by
// `go run ./bench/cmd/results`; BenchmarkOrdering runs every variant three
// rounds and counts each one's best, raw fan-out's included. On the 2-core
// development machine (Go 1.26, 100-byte payloads, all-to-all, 1 ms ticks)
// the run in bench/RESULTS.md (2026-11-27 23:33 UTC) gave, as a ratio of
// raw protoactor fan-out's delivered rate:
//
//	          reliable fifo causal atomic fifo-atomic causal-atomic
//	n=3       2.68     2.52 2.00   1.86   1.77        1.26
//	n=5       6.86     7.74 6.34   4.99   4.94        4.84
//	n=7       8.51     8.27 7.14   5.71   5.84        5.78
//
// (targets 0.85, 0.85, 0.80, 0.75, 0.75, 0.75). Raw's own figure moves
// most between runs: in that run it had its favourable regime at n=3
// (2.76 M msgs/s/member, 666 ns of CPU per multicast) and its slow one at
// n=5 and n=7 (600 k and 401 k), where its actors run on both cores and
// every post pays a cross-core wake-up, which batching amortises. With
// three members raw mostly runs on one core and allocates nothing, so
// there the layers' own work per message decides: 224-426 ns of CPU and
// 29-85 bytes cut from slabs per multicast in that run. What brought the
// classes past raw at n=3 (they were at 0.52-0.95 earlier the same day):
//
//   - In one process a multicast no longer becomes a wire.Data (144 bytes
//     with its strings): the layers list it in Fanouts
//     (layer.Config.LocalFanout) and the driver carries sequence number,
//     timestamp and payload pointer (about -120 bytes per multicast).
//   - One in-process carrier takes all the multicasts of a Ready to a
//     member, instead of one carrier and one batch slot per multicast
//     (FIFO 105 -> 72 bytes and about 550 -> 370 ns of CPU per multicast),
//     and holds only the first sequence number and the payloads, the
//     others following on (72 -> 28 bytes).
//   - The driver takes the cores' Ready once the delivery queue runs dry,
//     not after every delivery, so the sequencer orders a whole burst of
//     its actor's multicasts in one Order (atomic 194 -> 138 bytes, about
//     830 -> 620 ns).
//   - Deliveries are handed to the actor in place rather than copied out of
//     the queue twice, and a small group finds a sender's rank by scanning
//     its member list rather than hashing the name.
//
// Before those, batching the sends per destination (above) was the step
// that mattered: without it the n=3 ratios were 0.22-0.38 and the n=5
// ones 0.64-0.81. Over loopback (BenchmarkOrderingLoopback, three
// processes) the same run gave 1.00-1.37 of raw remote fan-out (target
// 0.6). Every message is marshalled at its sender and unmarshalled, with
// its payload, at each receiver, as raw's is; a batch names its Data's
// group, sender, class and payload type once, carries up to 512 messages
// in one buffer whose payload bytes the decoded Data share, and is encoded
// once for all the destinations sent the same messages, in a form
// protoactor's marshalling takes as it is (internal/outbox, Encoded);
// payloads are packed into slabs with a cached type URL. A peer's send
// queue no longer pins 16 MB of pointers for the collector to scan
// (actors.Config.PeerQueue).
//
// Mailbox decorator against the receiver-side alternative, measured in one
// run (2026-11-27, `go test -run '^$' -bench 'BenchmarkOrdering/n=(3|5)/'
// -ordering.atpost -benchtime 300000x ./bench/`): with the layers run in
// PostUserMessage under a mutex (HoldAtPost), the six classes delivered
// 0.06-0.11 of raw fan-out at n=3 and 0.22-0.33 at n=5, against 1.20-1.43
// and 4.4-7.0 for the invoker hold-back, with 4.9-7.5 us of CPU per
// multicast at n=3 against 0.33-0.40 us. The alternative does not batch,
// the mutex is contended by every sender, sends must wait until it is
// released (sending under it deadlocks two members posting to each other),
// each delivery costs an extra queue round trip, and the sequencer can no
// longer batch a burst into one Order. So the mailbox decorator stays, as
// asked. A ReceiverMiddleware hold-back was not built: it runs on the same
// goroutine as the invoker hold-back but adds a per-Props state lookup
// keyed by Self and the middleware chain per message, so it can only add
// cost.
package ordering
