// Package history records what the processes of a Lockstep run did, and
// judges the record against the properties the library promises. It is the
// one test oracle of the project: the simulator, in-process actors and
// separate OS processes all produce histories, and the same checkers judge
// them all.
//
// # History model
//
// A History is a list of Events. Each event belongs to one process (Process)
// and has a Kind: Multicast (mc), Deliver (dl), ViewInstall (vi), Crash (cr),
// Faulty, Suspect, Propose and Decide. A message is named by its MsgID:
// sender, the view it was multicast in and the sender's sequence number in
// that view (1, 2, 3, ...). Protocols without membership use view 0 and
// record no ViewInstall; every checker works on such histories too.
//
// Only two orders in a history mean anything: each process's own events are
// in the order it performed them, and a message's multicast precedes its
// deliveries. The interleaving of different processes does not matter to
// any checker, so histories written by separate OS processes with
// unsynchronised clocks can be combined with Merge and judged as they are.
//
// A process is correct iff the history holds no Crash and no Faulty event
// for it (Faulty marks Byzantine traitors and injected omission or value
// failures). Liveness properties (validity, agreement, self delivery in its
// "delivers eventually" reading) only make sense on a complete history
// recorded after a quiescent phase: heal the faults, let the protocol
// settle, stop, and then check, as Jepsen does with its final reads.
//
// # Recording
//
// Recorder is the sink: Log keeps events in memory (safe for concurrent
// use, numbering them), JSONLWriter writes one JSON object per line to an
// io.Writer (first error kept, see Err), and ReadJSONL reads such a file
// back. Tee fans out to several recorders. Recording must cost nothing when
// it is off: a nil *Log, a nil *JSONLWriter, a nil Recorder and Discard are
// all disabled, and callers guard with Enabled so that no event is even
// built:
//
//	if history.Enabled(rec) {
//		rec.Record(history.Event{Process: id, Kind: history.Deliver, Msg: m, View: v})
//	}
//
// which does not allocate (TestDisabledRecordingAllocatesNothing).
//
// # Checkers
//
// A Checker is a function from a History to the Violations it finds; each
// Violation names its property, says what went wrong in one sentence and
// carries the events involved. Each checker runs in O(E·n) or O(E log E)
// time (E events, n processes). On a correct history of a million events
// each takes about a second on one core, and CheckAll, which indexes the
// history once for all the package's checkers, runs all seventeen in under
// ten seconds (BenchmarkCheckers, BenchmarkCheckAll).
//
// Which processes are judged: liveness checkers oblige correct processes.
// The order checkers (FIFO, causal, total, prefix) judge correct processes,
// as the non-uniform properties of HT94 do; wrap them with Uniform to judge
// crashed processes as well. Integrity and the view checkers judge every
// process not marked Faulty, crashed ones included (uniform integrity; the
// CKV01 safety properties). Byzantine checkers judge loyal (correct)
// processes.
//
// Properties, their sources and the variant each checker implements:
//
//   - Integrity (HT94 §3.1, uniform integrity): CheckIntegrity. No duplicate
//     delivery; only messages multicast by their sender, and not before that
//     multicast; a delivered payload digest (Value) equals the multicast's.
//   - Validity (HT94 §3.1): CheckValidity. A correct process delivers what
//     it multicasts.
//   - Agreement and uniform agreement (HT94 §3.1), scoped by views as
//     virtual synchrony does (BSS91; CKV01): CheckAgreement and
//     CheckUniformAgreement. Without views: a message delivered by a correct
//     process (by any process, for uniform) is delivered by every correct
//     process. With views: by every correct process that was in the same
//     view and left it for the same next view, or stayed in it to the end;
//     a process that crashed in a view obliges all correct members of that
//     view under the uniform variant. A message whose sender crashed may be
//     delivered by no one.
//   - FIFO order (HT94 §3.2), gap-free form: CheckFIFO. Per receiver, sender
//     and the view the messages were multicast in, the sequence numbers
//     delivered are 1, 2, 3, ... in order.
//   - Causal order (HT94 §3.3; CBCAST, BSS91): CheckCausal. Causality is
//     Lamport's happens-before computed from the history (process order,
//     including across view installs, plus multicast before delivery), never
//     from implementation timestamps. If mc(m) → mc(m'), a correct process
//     never delivers m after m', and must already have delivered m when it
//     delivers m' if m belongs to the view it is in then. Predecessors from
//     views a process has left or was never in are exempt, since virtual
//     synchrony lets them be lost (crashed sender, other partition, joiner).
//     Point-to-point messages outside the history are invisible to it
//     (Cheriton & Skeen 1993's "hidden channels").
//   - Total order: CheckTotalOrder is the global variant (Défago, Schiper &
//     Urbán 2004): the union of the correct processes' delivery orders is
//     acyclic, which is stronger than HT94's pairwise wording when processes
//     deliver different subsets; each cycle is reported with its events.
//     CheckTotalOrderPrefix is prefix agreement per view, the form a
//     replicated state machine needs: every correct process's sequence in a
//     view is a prefix of the longest (this also catches the gaps and
//     contamination of HT94 §3.11).
//   - Virtual synchrony (Birman, Schiper & Stephenson 1991; Chockler, Keidar
//     & Vitenberg 2001): CheckViewAgreement (one view id, one member
//     list in rank order and one Primary flag), CheckSelfInclusion,
//     CheckMonotonicViews (strictly increasing ids, Prev is the view the
//     process came from), CheckSendingViewDelivery (the strong variant: a
//     message is delivered in the view it was multicast in, which implies
//     same-view delivery), CheckSelfDelivery (a sender delivers its message
//     before installing its next view), CheckVirtualSynchrony (processes
//     that move from V to the same V' delivered the same set in V) and
//     CheckPrimaryComponent (primary views form one sequence: each installed
//     by some process directly from the previous primary, and keeping a
//     majority of its members).
//   - Byzantine agreement (Lamport, Shostak & Pease 1982): CheckIC1 (all
//     loyal processes decide the same value for a commander) and CheckIC2
//     (if the commander is loyal, they decide its value). An instance is
//     named by its commander and Event.View.
//
// ChecksFor names the checker sets of HT94's six broadcast classes:
// reliable (integrity, validity, agreement), fifo (+ FIFO), causal (+ FIFO
// + causal), atomic (reliable + total order + prefix), fifo-atomic and
// causal-atomic (HT94 §3.5-3.6). VirtualSynchronyChecks and ByzantineChecks
// group the rest; CheckAll runs any list of them.
//
// References:
//   - HT94: V. Hadzilacos and S. Toueg, A Modular Approach to Fault-Tolerant
//     Broadcasts and Related Problems, Cornell TR 94-1425, 1994.
//   - CKV01: G. Chockler, I. Keidar and R. Vitenberg, Group Communication
//     Specifications: A Comprehensive Study, ACM Computing Surveys 33(4), 2001.
//   - BSS91: K. Birman, A. Schiper and P. Stephenson, Lightweight Causal and
//     Atomic Group Multicast, ACM TOCS 9(3), 1991.
//   - LSP82: L. Lamport, R. Shostak and M. Pease, The Byzantine Generals
//     Problem, ACM TOPLAS 4(3), 1982.
//   - DSU04: X. Défago, A. Schiper and P. Urbán, Total Order Broadcast and
//     Multicast Algorithms: Taxonomy and Survey, ACM Computing Surveys
//     36(4), 2004.
package history
