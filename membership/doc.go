// Package membership is Lockstep's view-manager: the actor that keeps a
// process's view of its group (an identifier and an ordered member list),
// handles joins and leaves, and runs the flush protocol of virtual synchrony
// (Birman, Schiper and Stephenson, TOCS 9(3), 1991) so that every message
// multicast in view V is delivered to all surviving members of V, or to none,
// before view V+1 is installed.
//
// The protocol itself lives in the pure core membership/flush; this package
// drives it inside protoactor actors and delivers view changes to the member
// actor through the same ordered mailbox path as its messages.
package membership
