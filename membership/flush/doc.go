// Package flush is the pure membership core of Lockstep: group views,
// failure detection, the flush that ends a view, the primary-partition rule,
// joining and leaving with state transfer. A Member is a step.Machine: no
// goroutines, clocks, locks or protoactor; time is ticks. The actor-facing
// view manager (package membership) drives it; the simulator (actors/sim)
// drives the very same code in tests.
//
// # What it follows
//
// The design is Isis's, as described by Birman, Schiper and Stephenson,
// "Lightweight causal and atomic group multicast" (ACM TOCS 9(3), 1991),
// building on Birman and Joseph, "Exploiting virtual synchrony in
// distributed systems" (SOSP 1987): a view is an id and a ranked member
// list; messages are delivered only in the view they were sent in; a view
// change runs a flush in which the survivors stop sending, exchange the old
// view's unstable messages, and all deliver the same set before installing
// the next view. Primary partition is that of Ricciardi and Birman, "Using
// process groups to implement failure detection in asynchronous
// environments" (PODC 1991): views form one sequence, each keeping a majority
// of its predecessor; a minority blocks.
//
// # The guarantee: strong virtual synchrony
//
// Friedman and van Renesse ("Strong and weak virtual synchrony in Horus",
// 1995) distinguish the strong variant, in which a message is delivered in
// the very view it was sent in (sending-view delivery), from the weak one,
// which only keeps every delivery of a message in one view. Lockstep
// promises the strong variant, at the cost they describe: senders are
// blocked during a flush. Multicast during a flush does not fail; the
// payload is queued (up to Config.MaxQueued) and sent first thing in the next
// view, where its Multicast event and MsgID are recorded.
//
// Concretely, for every view V and next view V' (the checkers in
// actors/history judge each): every process that installs V' from V
// delivered exactly the same messages in V; every message is delivered in
// the view it was sent in; a sender that survives into V' delivered its own
// messages of V before installing V'; view ids increase, one id has one
// member set, a process installs only views containing it, and the installed
// views form one primary sequence, each keeping a majority of the last.
//
// # The data path, stability and the classes
//
// Within a view a Member runs a layer.Member of Config.Class (any of the six
// classes of package ordering/layer): multicast, loss repair, ordering and
// flow control are the layer's. The flush stands between the layer and the
// network: it keeps a copy of every multicast that passes (wire.Data, ours
// and others'), notes the sequencer's assignments (layer.Order) and the
// deliveries, and builds a fresh layer for each new view. Its own heartbeats
// carry each member's highest contiguous sequence number held per sender; the
// minimum of those reports across the view is each sender's stable prefix,
// messages every member holds. Delivered stable messages are discarded
// (garbage collection); everything else is kept for the flush.
//
// Config.StableDelivery holds the layer's deliveries back, in the layer's
// order, until each message is stable (the notes' "only stable messages are
// delivered"). It adds uniform agreement: whatever a member delivered before
// crashing, every survivor delivers. It suits the reliable, FIFO and causal
// classes; for the atomic classes uniformity would also need the order to be
// stable, which the layer does not report, so Validate refuses that
// combination. Without it a message is delivered as soon as its class
// allows, and the flush alone makes the survivors agree.
//
// The cut, and the order in which a survivor delivers what it has not yet
// delivered of it, depend on the class (newCut, deliverCut):
//   - reliable: every message some survivor holds, in sequence order;
//   - FIFO: per sender, the longest prefix the survivors hold between them;
//   - causal: the same, shrunk until it is closed under causality (by the
//     messages' vector timestamps), delivered by the CBCAST rule;
//   - atomic, FIFO-atomic, causal-atomic: the sequencer's order as far as
//     the survivors know it and hold the messages, then the survivors' own
//     messages that no assignment covers, in (rank, sequence) order. No
//     survivor can have delivered those, and whatever such a message
//     causally follows its sender had delivered, so it is already ordered.
//     A crashed sender's unordered messages reach no one.
//
// # Failure detection
//
// Every member heartbeats every Config.HeartbeatEvery ticks and suspects a
// member not heard from for Config.SuspectTimeout ticks, recording a Suspect
// event. A member new to the view (a joiner) is judged from its first
// contact instead of from the install: its Welcome, and its restore of the
// state, come before its first heartbeat, and could take longer than the
// timeout. Config.JoinGrace bounds that wait, so a joiner that dies while
// joining and never speaks is still suspected, JoinGrace ticks after the
// install (by default five times SuspectTimeout). A driver may call Suspect earlier when its transport reports a
// connection gone (protoactor's Terminated): that speeds detection up but
// never replaces the timeout, which alone catches hung and slow processes.
// Timing failures are thus detected like crashes: a member that is merely
// slow is suspected and removed just like a crashed one. As in Isis, a
// suspicion by any trusted member is enough (heartbeats carry suspicions),
// and a removed member's later messages are refused (ErrRefused,
// ErrNotMember). A removed member that learns its fate (from a Commit or a
// Removed notice) stops for good, recorded as a Crash event: Isis turned
// timing failures into crash failures this way. It may come back only as a
// new process (a new ProcessID) that joins. The one exception: a member that
// is blocked for want of a majority trusts again a suspected member heard
// from in the same view, or a partition with no majority side could never
// heal.
//
// # The flush
//
// A member coordinates when it suspects every member ranked below it, so
// the oldest live member does once suspicions settle; the rule uses only its
// own suspicions, so members whose reports differ cannot each defer to the
// other. It runs the flush whenever the view must end (a suspicion, a join,
// a leave, or a flush already begun), and leaves out, besides the suspected
// members, those that suspect it, since they would refuse its flush; if that
// costs the majority it blocks, and the members that suspect it follow the
// next member in rank instead. The flush is a single-decree Paxos instance
// per view, with the flush's two rounds as its two phases:
//
//  1. Flush(ballot) to every survivor (the members not suspected). Each
//     stops multicasting and delivering in the view, promises to ignore lower
//     ballots and answers FlushOk: its digest (highest contiguous sequence
//     number held per sender) and any proposal it has already voted for.
//  2. With every survivor's answer, the coordinator fixes the proposal: the
//     one voted for under the highest ballot, if any survivor voted (it may
//     already be committed); otherwise the next view (survivors minus
//     leavers, then joiners) and the cut, the union of the digests. It
//     fetches from the reporters the messages of the cut it lacks, then
//     sends Accept; each survivor fetches what it lacks from the coordinator
//     and votes (AcceptOk) only once it holds the whole cut.
//  3. With every vote, Commit: each survivor delivers what it has not yet
//     delivered of the cut, in an order its class allows (below), and then
//     installs the next view (ViewInstall with Members, Prev and Primary);
//     queued multicasts go out in the new view.
//
// Why every survivor: a survivor may have delivered any message it held, so
// the cut must include every survivor's digest, and every survivor must hold
// the cut before anyone delivers it. Why ballots: if the coordinator fails,
// the next-ranked survivor takes over with a higher ballot, and since both
// attempts need a majority of the view (the policy), any proposal that could
// have been committed was voted for by a member of the new attempt, which
// adopts it. Only a cut's voters (the survivors it was computed from)
// deliver it: a member a later coordinator asks to vote for an adopted
// proposal that excludes it votes and stops. A member that crashes during the flush is suspected and the
// flush restarts with a higher ballot (JavaGroups did the same). A sender
// that crashed mid-multicast: if any survivor holds its message, the message
// is in the cut and reaches every survivor; if none does, none delivers it.
// A member that missed the Commit is sent it again by any member of the next
// view that hears from it, together with the old view's messages it lacks.
// Joins and leaves that arrive during a flush wait for the next view change.
//
// # Primary partition
//
// A view change needs the survivors to satisfy Config.Policy with respect
// to the current view; the default, Majority, wants more than half of it.
// A side of a partition that does not is Blocked: it neither multicasts nor
// delivers, records a KindBlocked event, and reports Primary() false, rather
// than installing a view of its own. When the partition heals it either
// learns it was removed (and stops) or, if no side had a majority, all
// members resume the flush together. A custom Policy must keep the property
// the flush's safety rests on: any two accepted member sets of one view
// intersect.
//
// # Join, leave and state transfer
//
// A process created without Members joins: it sends Join to its seeds, which
// forward it to the coordinator, which adds it at the end of the next view.
// Every survivor sends it a Welcome with the new view and, if the
// application gave a StateTransfer, a snapshot taken at the cut (all
// survivors delivered the same cut, so any of them will do, and the joiner
// is welcomed even if the coordinator crashed): a survivor calls Snapshot in
// Advance, after the driver has carried out the Ready holding the old view's
// last deliveries and the install, and delivers nothing of the new view
// before. The joiner calls Restore before it
// installs its first view (Prev 0). Leave asks the coordinator to remove this
// member in the next view; it delivers the old view's cut first, then stops
// (status Left, recorded as a Crash with Value "left the group"). Leaves are
// granted only as far as the policy allows, the rest in later views.
//
// # Testing
//
// The tests run the cores in the simulator (actors/sim): random schedules
// for each of the six classes and with stable delivery (groups of 3 to 7,
// loss, duplication, delay, crashes of any member, of the coordinator and
// during a flush, crashes part way through sending, joins, leaves,
// partitions), then a quiescent phase, each history judged by the virtual
// synchrony checkers and the class's own (actors/history). Deliberately
// broken flushes (a cut fixed without every report, a cut delivered without
// fetching what is missing) must be caught in some seed. A failure prints
// the command that replays its seed; TestExplainSeed prints what happened.
// -long runs twenty times the schedules; -from picks another seed range.
package flush
