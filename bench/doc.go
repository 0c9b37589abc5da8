// Package bench holds Lockstep's end-to-end benchmarks. It has no
// non-test code.
//
// # Ordered multicast against raw fan-out (ordering_bench_test.go)
//
//	go test -run '^$' -bench Ordering -benchmem ./bench/
//
// For groups of N = 3, 5 and 7 members in one process, every member
// multicasts 100-byte payloads, clocked the same way in every variant: a
// member sends its next message while it is less than 256 messages ahead of
// what it has delivered. Each benchmark iteration is one multicast;
// "msgs/s/member" is delivered messages per second per member, "x-raw" its
// ratio to the "raw" variant of the same N measured earlier in the same run,
// and allocations are per multicast (all N deliveries included).
//
//   - raw: the application sends the payload with ctx.Send to every member,
//     itself included: no ordering, no reliability, no flow control. It is
//     the upper limit the classes are judged against.
//   - <class>: the same actor, spawned with ordering.Member(cfg) as its
//     mailbox, multicasting with ordering.Multicast; reliability (sequence
//     numbers, NAK repair), stability tracking (heartbeats every 1 ms tick)
//     and flow control (the layers' window) are on.
//   - at-post/<class>: the measured alternative to the mailbox invoker: the
//     layers run inside PostUserMessage under a mutex.
//
// What limits each figure is written in ordering/doc.go next to the figures.
//
// # Memory under sustained multicast
//
//	go test -run HeapBounded -long ./bench/
//
// checks that the heap after 5 million causal-atomic multicasts is within
// 1.2x of the heap after 1 million (the default run uses 60,000 and 300,000).
package bench
