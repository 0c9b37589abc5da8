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
// ratio to the "raw" variant of the same N measured earlier in the same run
// (each variant runs three rounds, -ordering.rounds, and its best counts:
// the scheduler's regime differs between rounds, raw's most of all),
// "cpu-ns/multicast" the process's CPU time per multicast and "x-raw-cpu"
// raw's CPU per multicast divided by this variant's. Allocations are per
// multicast (all N deliveries included). On a shared machine the wall-clock
// rates swing with other load; the CPU figures are the steadier ones.
//
//   - raw: the application sends the payload with ctx.Send to every member,
//     itself included: no ordering, no reliability, no flow control. It is
//     the upper limit the classes are judged against.
//   - <class>: the same actor, spawned with ordering.Member(cfg) as its
//     mailbox, multicasting with ordering.Multicast; reliability (sequence
//     numbers, NAK repair), stability tracking (heartbeats every 1 ms tick)
//     and flow control (the layers' window) are on.
//   - decorator-only: the ordered mailbox over a core that passes payload
//     pointers straight through (no layers): what the decorator itself costs.
//   - at-post/<class> (only with -ordering.atpost, to keep the full suite
//     within its time budget): the measured alternative to the mailbox
//     invoker: the layers run inside PostUserMessage under a mutex.
//
// What limits each figure (the figures are in RESULTS.md, with CPU
// profiles of the rows that miss their targets):
//
//   - raw is bounded by protoactor's mailbox queues and goroutine
//     scheduling; it allocates nothing (the same payload pointer is sent
//     every time). With three members it runs in a regime where one core
//     does nearly all the work: handing a message to an actor that will run
//     on the same core costs little, and the second core mostly waits.
//     With five and seven members both cores work, and raw pays for
//     cross-core wake-ups and contended queue locks on every message.
//   - decorator-only adds the routing of each arrival, the core's Ready
//     bookkeeping and a direct invoke per delivery. Sends are batched per
//     destination (ordering's doc, "Batching"), so it posts one protoactor
//     message for up to 512 of raw's.
//   - the classes add the layers: in one process a multicast never
//     becomes a wire.Data; one in-process carrier takes all the multicasts
//     of a Ready to each member, each as its sequence number, timestamp and
//     payload pointer, cut from slabs (no allocation per message, but some
//     70-100 bytes per multicast at n = 3, which raw does not leave for the
//     collector), a compact delivery record per delivery, sequence and
//     duplicate checks, Status heartbeats (every 1 ms tick and every 256
//     arrivals) and, for the atomic classes, the sequencer's Orders (one
//     per burst of deliveries) and the wait for them.
//   - at-post additionally contends on the member's mutex, defers its sends
//     until the mutex is released and passes every delivery through the
//     inner queue a second time; it does not batch.
//
// # Over loopback (BenchmarkOrderingLoopback)
//
//	go test -run '^$' -bench OrderingLoopback -benchmem ./bench/
//
// The same workload with one member in each of three OS processes (this
// test binary re-executed twice through bench/internal/loopback), over
// protoactor remote on 127.0.0.1: raw, then the six classes, in one run.
// CPU and allocations count the benchmark's own process (one member of
// three). Across processes every message is marshalled once at its sender
// (into its batch's encoding, which protoactor takes as it is, and which
// destinations sent the same messages share) and
// unmarshalled at each receiver: the batch, one buffer for up to 512
// messages; each Data, one allocation whose payload bytes stay in that
// buffer (internal/outbox, "compact Data"); and the payload itself. That,
// protoactor remote's envelope and gRPC stream per batch, and the garbage
// they leave set the CPU per multicast, while the rate is bounded by the
// 256-message window over the round trip through three processes sharing
// two cores.
//
// # Byzantine agreement (agreement_bench_test.go)
//
//	go test -run '^$' -bench Agreement ./bench/
//
// OM(m) and SM(m) on real actors in one process, every general a loyal
// protoactor actor, for n = 4, 7, 10 and m = 1, 2, 3 with n > 3m. Each
// iteration is one session; "ns/decision" is its latency and
// "msgs/decision" the messages all generals sent. OM rounds close when all
// their messages are in; SM rounds always last their RoundDuration, so SM
// latency is (m+1) rounds (figures in agreement/doc.go).
//
// # The failure matrix (matrix_bench_test.go)
//
//	go test -run '^$' -bench '^BenchmarkMatrix$' -benchtime 1x ./bench/
//
// Every ordering class x group size (3, 5, 7) x failure scenario (none, 1%
// send omission on one member, a member answering late past the detection
// bound, a member crash, a coordinator/sequencer crash, a slow consumer), on
// package membership so that crashes and timing failures end in view
// changes. Each cell reports delivered msgs/s/member, p50/p99 latency from
// multicast to delivery, allocations per message and, for crash and timing
// cells, the view-change time and how long throughput took to recover.
// ns/op is 0 so benchstat compares the metrics of two runs. -short runs a
// subset (3 members, FIFO and atomic) as CI's smoke test.
//
//	go test -run '^$' -bench '^BenchmarkMatrixLoopback$' -benchtime 1x ./bench/
//
// is the same matrix across OS processes: every class with 3 processes
// and FIFO and atomic with 5, every scenario, each member in a child
// process of the test binary so that a crash is a SIGKILL (the
// coordinator's included). Suspicion across processes takes 1 s of
// silence, so crash and timing cells measure 3 s after the fault. Its
// msgs/s/member is the slowest survivor's rate (as JGroups' figure is);
// mean-msgs/s/member the mean over survivors. A -cpuprofile of the test
// sees none of the members; LOCKSTEP_BENCH_CHILD_CPUPROFILE=<dir> makes
// every child write its own CPU profile and its allocations there
// (bench/internal/loopback).
// With five processes on two cores the crash cells' view change has
// measured anywhere from 120 ms to 2.2 s between runs of the same build:
// detection alone takes the 1 s of silence, and the flush then competes
// for CPU with five senders. -short
// runs FIFO and atomic with 3 processes, none and crash. The driver and its choices are
// documented in bench/internal/matrix.
//
//	go test -run '^$' -bench '^BenchmarkOneSenderLoopback$' -benchtime 1x ./bench/
//
// is JGroups' benchmark shape: the failure-free loopback cell with only
// the coordinator multicasting and the two other processes delivering,
// for FIFO and atomic. RESULTS.md compares both shapes with JGroups.
//
// # Peers and the results page
//
//	go run ./bench/cmd/results
//
// runs the comparison (ordered classes against raw protoactor fan-out, total
// order against etcd raft, FIFO and total order against JGroups 2.12 when
// Java and Debian's libjgroups-java are present, throughput across a crash)
// and rewrites bench/RESULTS.md and bench/throughput.png from scratch. The
// peers are described in bench/peers/README.md.
//
// # Memory under sustained multicast
//
//	go test ./bench/ -run HeapBounded -long
//
// checks that the heap after 5 million causal-atomic multicasts is within
// 1.2x of the heap after 1 million (the default run uses 30,000 and 150,000).
// Measured with -long: 5,565,856 B after 1,000,002 multicasts and
// 5,547,440 B after 5,000,001, a ratio of 1.00.
package bench
