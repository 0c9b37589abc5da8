// Package layer holds the pure cores of Lockstep's ordered multicast: a
// reliable layer and the FIFO, causal and total-order layers stacked on it,
// composed into the six classes of the notes' table (reliable, FIFO, causal,
// atomic, FIFO-atomic, causal-atomic). The actor-facing package ordering
// drives these cores inside protoactor actors; the simulator drives the very
// same cores without protoactor.
//
// A Member is one process in one view of one group, multicasting in one
// class. It is a step.Machine: no goroutines, clocks, locks or randomness.
// Messages come in through Step, time through Tick, and everything the member
// wants done (messages to send, multicasts and deliveries to report) comes
// out through Ready.
//
// # Usage
//
//	cfg := layer.DefaultConfig()
//	cfg.Self, cfg.Group, cfg.Members, cfg.View, cfg.Class = "p1", "g", view, 7, layer.Causal
//	m, err := layer.New(cfg)
//	...
//	id, err := m.Multicast(payload) // errors.Is(err, layer.ErrWindowFull): wait and retry
//	m.Step(from, msg)               // *wire.Data, *Nak, *Status, *Order, *OrderNak
//	m.StepLocal(from, seq, vt, p)   // a multicast handed over in process (Fanouts, PayloadOf)
//	m.Tick()                        // every tick (e.g. every 10 ms of wall clock)
//	if m.HasReady() {
//		rd := m.Ready()
//		// send each rd.Messages[i].Msg to rd.Messages[i].To (same pointer to all: do not modify)
//		// with Config.LocalFanout: hand each m.Fanouts()[i] to every other member's StepLocal
//		// hand each rd.Events[i] to the application / history, in order
//		m.Advance(rd)
//	}
//
// The caller's duties: (1) send every message of a Ready (the transport may
// lose, duplicate, delay and reorder them: the layers repair that); (2) hand
// deliveries to the application in the order given; (3) call Tick regularly, also when idle, because repair and
// stability run on ticks; (4) after ErrWindowFull, keep stepping and ticking
// before multicasting again. A member delivers its own multicasts locally,
// with no message to itself.
//
// # The stack and the six classes
//
// Layers stack in one fixed order, bottom (network) first:
//
//	reliable -> fifo -> causal -> total -> application
//
// and each class is a named preset of that stack (Class.Layers):
//
//	reliable       reliable
//	fifo           reliable, fifo
//	causal         reliable, fifo, causal
//	atomic         reliable, total
//	fifo-atomic    reliable, fifo, total
//	causal-atomic  reliable, fifo, total
//
// Hadzilacos and Toueg (A Modular Approach to Fault-Tolerant Broadcasts and
// Related Problems, Cornell TR 94-1425, 1994) build each broadcast from a
// weaker one by a transformation that keeps the weaker one's properties and
// adds one; the stack follows their modular view:
//
//   - reliable: the layer gives validity, agreement and integrity in a view
//     with fair-lossy links and no crashed sender. Every multicast carries the
//     sender's sequence number in the view; a receiver keeps, per sender, the
//     contiguous prefix it received plus a bitmap of one window beyond it, so
//     it accepts each message exactly once (integrity). A receiver that sees
//     a gap (from a later message, a heartbeat or a sequencer order) NAKs the
//     missing numbers to the sender, which retransmits from its buffer; a
//     sender that has unstable messages heartbeats its highest sequence
//     number, so the loss of its last message is noticed too (validity and
//     agreement). A sender's crash is not repaired here: the view change
//     (membership's flush) forwards unstable messages and ends the view.
//   - fifo: HT's FIFO transformation. The layer passes message s of a sender
//     up only after s-1, holding back later ones. Every message eventually
//     becomes contiguous, so nothing reliable delivered is lost.
//   - causal: the CBCAST rule of Birman, Schiper and Stephenson (Lightweight
//     Causal and Atomic Group Multicast, TOCS 9(3), 1991), which implements
//     HT's causal transformation with vector timestamps instead of
//     piggybacked message histories. vt[k] counts the messages of k
//     delivered here (own entry: multicast here). A message m from j with
//     timestamp t is delivered when t[j] == vt[j]+1 and t[k] <= vt[k] for
//     all k != j: everything m's sender had delivered when it sent m is
//     delivered here first, which is causal order. On delivery vt[j] = t[j];
//     the receiver never increments its own entry. The test on t[j] is
//     strict: t[j] <= vt[j] is a duplicate (dropped), t[j] > vt[j]+1 a gap
//     (held back). With fifo below, the sender test always holds on arrival;
//     it is kept so that the layer is correct on its own.
//   - total: a fixed sequencer (rank 0 of the view; Défago, Schiper and Urbán,
//     Total Order Broadcast and Multicast Algorithms, ACM CSUR 36(4), 2004)
//     turns reliable broadcast into atomic broadcast: it assigns global
//     sequence numbers in the order its own stack passes messages up and
//     delivers at once; the others deliver in global order once they hold
//     both the assignment and the message, and NAK missing assignments. All
//     members deliver in the sequencer's one order, and reliability of the
//     assignments (NAK, heartbeat of the highest assigned number) keeps
//     agreement.
//   - fifo-atomic: the fifo layer sits under the sequencer, so the sequencer
//     assigns each sender's messages in sequence order and the global order
//     extends every sender's FIFO order. (HT apply the FIFO transformation
//     above atomic broadcast; applying it below the sequencer gives the same
//     order with no second hold-back at the members.)
//   - causal-atomic: the same stack as fifo-atomic, because one sequencer
//     over FIFO links already orders causally. If mc(m) -> mc(m'), either m
//     and m' have one sender, and FIFO under the sequencer gives gs(m) <
//     gs(m'); or the sender of m' delivered m (or a message after m in the
//     causal chain) before multicasting m'. Nobody delivers m before the
//     sequencer assigned gs(m), and the sequencer assigns gs(m') only after
//     m' was multicast, so gs(m) < gs(m'); by induction along the chain, m
//     precedes m' in the global order, and delivery in global order is
//     causal. The test suite runs causal-atomic histories through the causal
//     checker.
//
// # Testing
//
// Each class runs 2,000 seeded schedules on the shared simulator (actors/sim)
// and 500 on a second, in-package scheduler, 100,000 each with -long (about
// 14 minutes on 2 cores, so give it -timeout 30m): 3 to 7 members, random
// multicasts from random members (retried or dropped when flow control
// refuses them), loss, duplication, delay and reordering, then
// a heal and a run to quiescence. The class's checkers from actors/history
// (history.ChecksFor) judge every history, and after quiescence no member
// holds a message and none rejected a correct peer's message. A failure
// prints its seed and the command that replays it (-sim.seed=N, or -seed=N
// for the in-package scheduler). The checkers are shown to tell the classes
// apart: FIFO-only runs fail the causal checker, causal runs fail the
// total-order checkers, reliable and atomic runs fail the FIFO checker and
// atomic runs the causal one, each in some seed. Unit tests cover each
// layer (duplicates, gaps, reordering, NAK repair, tail loss found by the
// heartbeat, the window, stability and buffer release, sequencer batching,
// order repair), every kind of bad input, random garbage (no panic, always
// a sentinel), and a slow member holding fast senders back.
//
// # Stability, flow control and the memory bound
//
// Each member reports, in a periodic Status, for every sender the prefix of
// that sender's messages it has delivered to the application (not merely
// received), and, for the total layer, the prefix of the global order it has
// delivered. stable[j] is the minimum of all reports: a message is stable
// once every member delivered it. A sender frees stable messages from its
// retransmission buffer, and may have at most Config.Window of its own
// multicasts not yet stable: Multicast returns ErrWindowFull beyond that.
// Because stability waits for delivery, a member that cannot keep up holds
// every sender back instead of making others buffer.
//
// That gives a bound. Any member holds messages of sender j only with
// sequence numbers in (d, d+Window], where d is the prefix of j it has
// delivered (a correct sender's window starts at or below d). So a member
// holds at most Window x len(Members) messages, its own unstable ones
// included: memory per member is at most Window x members x maximum message
// size, plus fixed per-sender rings of Window slots per layer (40 bytes per
// slot) and a sequencer ring of Window x members assignments (24 bytes
// each), all allocated once in New. With the defaults (Window 4096) and 7
// members of 1 KiB messages that is about 28 MiB of messages and 2.8 MiB
// of rings. Member.Held reports the live count. The window was 1024 until
// it showed as the limit across processes: a lone sender's multicasts wait
// a report round for stability, and 4096 gave 25-50% more deliveries per
// second over loopback (membership, three processes, one sender or all:
// bench's BenchmarkMatrixLoopback none cells and BenchmarkOneSenderLoopback,
// test binaries built with each window and run alternately), and a tie in
// process (BenchmarkOrdering). The price is latency under saturation: more
// multicasts wait in queues, and in the results run that showed it
// (bench/RESULTS.md, 23:33 UTC, against the 22:36 run before the change,
// both in git history) multicast-to-delivery p50/p99 across three
// processes doubled (reliable 3.5/20 ms -> 7.3/42 ms) and across five
// grew threefold (fifo 10/71 ms -> 29/201 ms). An application that cares
// more for latency than for throughput sets a smaller Window.
//
// Status traffic stops when nothing is unsettled: a member sends Status on a
// heartbeat tick only while it has unstable multicasts of its own, has new
// deliveries to report, is the sequencer with assignments not yet delivered
// everywhere, or has seen a peer's Status whose stable estimate lags what
// this member delivered (so a lost report is repeated). A quiet group sends
// nothing. Under load a member also reports between heartbeats, once it
// has delivered Config.StatusEvery messages since its last Status: a lone
// sender's window would otherwise reopen only once per heartbeat period,
// capping it at Window messages per period (over loopback, one sender to
// two processes went from about 160 k to 250 k deliveries per second in
// bench's BenchmarkOneSenderLoopback, test binaries built with StatusEvery
// 0 and 512 and run alternately).
//
// # Batching and allocation
//
// The sequencer does not send an order per message: assignments collect and
// leave as one Order message per Ready (Config.OrderBatchMin can hold small
// batches until the next Tick), so a driver that steps every queued arrival
// before taking Ready orders them all with one message. One order message
// per data message was measured to halve throughput in an earlier prototype.
// Hold-back costs no allocation: every layer keeps held messages by value in
// per-sender rings allocated in New, order assignments live in a ring, and
// vector timestamps and the sender's own wire.Data are cut from shared slabs
// (one allocation per 256 timestamps, per 128 Data). The sender keeps each
// own payload, unpacked, next to the Data in its retransmission buffer
// (PayloadOf). With Config.LazyPayload (set by a driver whose members all
// share its process) the payload is never packed into an Any, and a
// receiver given the sender's payload through StepLocal never unpacks one.
// With Config.LocalFanout as well, an own multicast does not even become a
// wire.Data (144 bytes with its strings; the collector's work in process
// grows with the bytes allocated): the driver carries its sequence number,
// timestamp and payload (Fanouts), and a Data is built only for a
// retransmission.
// Otherwise (the default, and whenever Data leaves the process) the sender
// packs the payload once and every receiver decodes its own copy.
//
// # Scope
//
// One Member serves one class; messages of another class are rejected. To
// let applications choose the class per message, a driver runs one Member
// per class in the group: each class then keeps its own guarantees, and
// messages of different classes are not ordered with respect to each other.
// Views are fixed for a Member's life: the flush that ends a view, delivers
// the unstable messages of crashed senders and starts the next Member is
// membership's job. Delivery is not uniform: the sequencer delivers before
// others know the order, as in the UB variant of the fixed sequencer.
package layer
