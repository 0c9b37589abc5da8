// Command kvstore is Lockstep's main demo: a replicated key-value store, a
// replicated state machine (Schneider, ACM Computing Surveys 22(4), 1990)
// built on virtually synchronous group membership (Birman, Schiper and
// Stephenson, ACM TOCS 9(3), 1991).
//
//	go run ./examples/kvstore                 # the embedded demo
//	go run ./examples/kvstore -seed 7 -class atomic -svg /tmp/st.svg
//
// # How it works
//
// Every replica is the member actor of one group (membership.Start); its
// state is a store.Store, a pure map from strings to strings with get, put,
// delete and compare-and-swap (package store). A client asks any replica;
// the replica multicasts the operation to the group as a command in an
// atomic class (causal-atomic by default; -class atomic or fifo-atomic),
// and every replica applies the commands in delivery order. Atomic order
// within a view and virtual synchrony across views (every survivor of a
// view delivers the same set of its messages before installing the next)
// make every replica apply the same sequence, so all end in the same
// state. A joining replica receives the state by state transfer: the
// replica actor implements Snapshot and Restore, and the coordinator's
// snapshot is taken exactly at the cut of the view the joiner enters.
//
// # Why reads are linearizable
//
// Reads take the same path as writes: a get is a command, multicast in the
// total order and answered by the replica the client asked when that
// replica applies it. Every operation therefore takes effect at one point,
// its place in the group's order, between its invocation and its response.
//
// One more thing is needed. The atomic classes deliver a message as soon as
// its order is known (they do not wait for it to be stable), so a replica
// could apply a command, answer, and crash before anyone else received it;
// the survivors would then never apply it, and the answer would be a lie.
// A replica therefore answers only once the command is durable, which it
// knows in one of two ways (package replica):
//
//   - a majority of the view has applied it: replicas tell each other, every
//     2 ms, how many of the view's deliveries they have applied and a running
//     digest of them; the digest proves the same prefix was applied. Any next
//     view keeps a majority of this one (the primary-partition rule), so it
//     includes a replica that delivered the command, whose flush report puts
//     it in the cut every survivor delivers;
//   - or the replica has installed the next view: it survived the flush, and
//     every survivor delivered the same messages of the old view.
//
// No leases, no clocks. A client whose replica crashes or is removed (a slow
// replica is suspected and removed, as in Isis) learns nothing: its
// operation's outcome is unknown, and it may or may not take effect.
//
// # What the demo shows
//
// With no arguments it starts five replicas in one process, runs sixteen
// concurrent clients with a live counter line on stderr, crashes a replica,
// then the sequencer (rank 0 of the view, which is also the coordinator of
// view changes), then adds a sixth replica by state transfer, and prints
// the operations done, the throughput, each view change with how long it
// took to be installed everywhere, and each replica's checksum; it exits
// non-zero unless all are identical. It writes a space-time diagram of the
// window around the sequencer's crash (kvstore-spacetime.svg in the
// system's temporary directory by default, -svg to change; it prints where): one line per replica, arrows from multicasts to
// deliveries, view installs and the crash marked, drawn from the recorded
// history (package spacetime).
//
// # Running replicas as separate processes
//
//	go build -o kvstore ./examples/kvstore
//	./kvstore -listen 127.0.0.1:7001 -http 127.0.0.1:8001 &
//	./kvstore -listen 127.0.0.1:7002 -join 127.0.0.1:7001 -http 127.0.0.1:8002 &
//	./kvstore -listen 127.0.0.1:7003 -join 127.0.0.1:7001,127.0.0.1:7002 -http 127.0.0.1:8003 &
//	./kvstore client -addr 127.0.0.1:8002 put greeting hello
//	./kvstore client -addr 127.0.0.1:8003 get greeting
//	curl -X PUT --data hello http://127.0.0.1:8001/kv/greeting; curl http://127.0.0.1:8001/kv/greeting
//
// The first process founds the group; the others join through any running
// replica's address (protoactor remote; the replica actor is called "kv" on
// every node). Each replica serves GET, PUT and DELETE on /kv/{key}, POST
// /op (any operation as JSON) and GET /status. Killing a process removes it
// from the view after the suspicion timeout (300 ms); a group needs a
// majority of its last view to go on, and a minority blocks.
//
// # Tests
//
// The demo runs in a test with a small configuration. The linearizability
// test runs 3 to 5 replicas in one process under 50 seeded fault schedules
// (crash, send and receive omission, timing failures from actors/faults, and
// a crash of the sequencer), records every client operation with invocation
// and response times, and checks the history with Porcupine (package linear;
// unknown outcomes open-ended, a checker time-out a failure); it replays one
// schedule with -run 'TestLinearizableUnderFaults/seed=N$' and runs more with
// -kv.schedules. Another test runs three replicas as OS processes on
// loopback, SIGKILLs the founder mid-run and checks the same way. A
// deliberately unsafe mode (replica.Config.LocalReads) shows the check
// catches stale reads.
package main
