// Package rawfanout measures raw protoactor-go fan-out: one sender sends
// the same message to every receiver with ctx.Send, with no ordering, no
// reliability and no membership. It is the upper limit Lockstep's ordered
// multicast classes are judged against, in one process (InProcess) and
// between OS processes over protoactor remote on 127.0.0.1 (Loopback).
//
// The only extra work is a coarse credit window, so that a long run keeps
// memory bounded: each receiver reports its count back every AckEvery
// messages, and the sender stays at most Window messages ahead of the
// slowest receiver. With the defaults that is one credit message per 4096
// deliveries.
//
// Loopback re-executes the test binary as children (package loopback);
// a test binary using it must define
//
//	func TestLoopbackChild(t *testing.T) { loopback.Serve(t) }
//
// The receiver role is registered by this package's init.
package rawfanout
