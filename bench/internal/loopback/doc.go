// Package loopback runs a benchmark across several OS processes on
// 127.0.0.1 by re-executing the test binary itself as children.
//
// A child is the same test binary started with -test.run selecting the
// test named ChildTest and with EnvRole naming a Role registered (usually
// from an init function) with Register. That test must exist in every test
// binary that spawns children, and does nothing else:
//
//	func TestLoopbackChild(t *testing.T) { loopback.Serve(t) }
//
// Outside a child it skips with a message saying so.
//
// Parent and child talk over the child's standard streams: the child
// prints lines "lockstep-child: <key> <fields...>" (Report.Send) that the
// parent awaits by key (Child.Await), and treats the end of its standard
// input as the parent's request to stop, so a child never outlives its
// parent. Data travels between processes however the benchmark likes
// (protoactor remote on 127.0.0.1:0 in this suite); the control lines only
// carry readiness, addresses and counts. Every wait is bounded: the child
// by its "timeout" parameter, the parent by its context, after which the
// child is killed.
package loopback
