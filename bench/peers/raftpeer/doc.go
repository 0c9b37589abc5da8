// Package raftpeer drives a go.etcd.io/raft/v3 cluster inside one process,
// as the peer a Go user would pick for a totally ordered replicated log.
// Lockstep's benchmarks compare their atomic (total order) multicast with
// it in the same run.
//
// Every node is a raft.RawNode with a raft.MemoryStorage, run by its own
// goroutine. Nodes talk through in-memory queues (a mutex-guarded slice and
// a one-slot wake-up channel per node): messages are handed over as
// pointers, never serialised, so the figure is raft's own cost with no
// wire, which makes it a generous baseline. The loop follows the order the
// raft package documents for a Ready: persist the snapshot, hard state and
// entries (in memory here), send the messages, apply the committed entries,
// then Advance.
//
// Proposals are pipelined: Replicate keeps up to Config.Window entries in
// flight (proposed but not yet applied on every node), raft's own flow
// control (MaxInflightMsgs, MaxSizePerMsg) batches the appends, and node 1
// is made leader by an explicit campaign so that ticks only drive
// heartbeats. The log is compacted below what every node has applied, so
// memory stays bounded during long runs.
//
// Raft does consensus (a majority-acknowledged log that survives the loss
// of a minority and would be persisted to disk in production), which is
// different work from Lockstep's crash-tolerant group multicast: results
// must say so beside the figures.
package raftpeer
