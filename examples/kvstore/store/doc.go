// Package store is the replicated state machine of the kvstore example: a
// string-to-string map with the operations get, put, delete and
// compare-and-swap. It is pure and deterministic: Apply maps the same
// sequence of operations to the same results and the same state on every
// replica, which is all state machine replication needs (Schneider, "Implementing
// fault-tolerant services using the state machine approach: a tutorial",
// ACM Computing Surveys 22(4), 1990). The replicas around it (package
// replica) only decide the order in which operations reach Apply.
//
// Snapshot and Restore serialise the state for state transfer to a joining
// replica; Checksum digests it so replicas can be compared at the end of a run.
package store
