// Package faults injects the failure models of the classic table into one
// process: crash, send omission, receive omission, timing, response failures
// (value and state transition) and arbitrary (Byzantine) failure.
//
// An Injector is a pure, seeded state machine that sits between a process
// and the network. The driver asks it, for every message the process sends
// (Outgoing) or receives (Incoming), what really happens: the message goes
// through, is lost, is held back, is replaced by a corrupted clone or a stale
// one, or is handed to an Adversary. Because it has no goroutines and no
// clock (time is the number the caller passes as now), the deterministic
// simulator (package sim) and the protoactor middleware (package actors) run
// the same code, and a run replays exactly from its seed.
//
// Every model can be switched on for any process from the start or at a
// chosen point: after the process has handled k messages, at tick t, or
// both (Trigger).
//
// # What Lockstep does about each model
//
//	model             injected as                           Lockstep's answer
//	crash             nothing sent or received, for good    tolerated: heartbeats suspect it, the flush removes it
//	                                                        from the view, survivors agree on its last messages
//	send omission     outgoing messages lost (rate)         tolerated: NAK repair and retransmission; a process
//	                                                        that omits persistently is suspected and removed
//	receive omission  incoming messages lost (rate)         tolerated as send omission (the sender retransmits)
//	timing            outgoing messages late (delay)        tolerated within the detection timeout; beyond it the
//	                                                        process is suspected and removed, and its later
//	                                                        messages are refused (as in Isis)
//	value             a field of a message changed          detected where a check exists (malformed or
//	                                                        inconsistent sequence numbers and timestamps are
//	                                                        refused and counted); tolerated by Byzantine
//	                                                        agreement among n > 3m processes, or with signatures
//	state transition  stale messages replayed, messages     detected: duplicates are suppressed and out-of-order
//	                  sent out of order                     messages held back by sequence number
//	arbitrary         an Adversary decides every message    tolerated only by the agreement protocols (OM(m) with
//	                                                        n > 3m, SM(m) with signatures); out of scope for the
//	                                                        crash-tolerant multicast and membership protocols
//
// The crash-tolerant protocols (ordering, membership) assume processes fail
// by crashing or omitting; a value or arbitrary failure there is detected
// when it breaks a protocol invariant a receiver can check, and otherwise
// shows up in the history checkers, which is what the tests demonstrate.
package faults
