// Package replica runs the kvstore example's replicas: the member actor of a
// group (package membership) that multicasts clients' operations as commands
// in an atomic class and applies them, in delivery order, to a store.Store.
//
// A replica answers a client only once the command is durable: applied by a
// majority of the view, or delivered in a view the replica has since left
// for the next one as a survivor of the flush. The atomic classes deliver as
// soon as the order is known, not once a message is stable, so without this
// a replica that crashed right after answering could take the client's
// operation with it. Majority knowledge comes from Applied notices the
// replicas send each other directly (count of the view's deliveries applied
// and a running digest of them, so a notice proves the same prefix); any
// next view keeps a majority of this one (the majority policy of Ricciardi
// and Birman, PODC 1991), hence includes a replica that delivered the
// command, and the flush makes every survivor deliver it (Birman, Schiper
// and Stephenson, TOCS 9(3), 1991). The argument is the one that makes
// stable, majority-acknowledged writes durable in primary-backup and Paxos
// systems; here the order comes from the group's sequencer.
//
// Cluster runs several replicas on one in-process node (the demo and the
// tests); RunWorkload drives concurrent clients and records each operation
// with its invocation and response times for the linearizability checker.
package replica
