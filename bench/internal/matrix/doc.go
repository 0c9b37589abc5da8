// Package matrix drives one cell of the failure matrix: a group of N
// members in one process, every member multicasting 100-byte payloads in
// one ordering class, under one failure scenario, measured for a fixed
// wall-clock window. The benchmarks of package bench and the results
// command both run it.
//
// Every scenario runs on package membership (the view manager over the
// ordering layers of the chosen class), not on package ordering alone:
// crash and timing failures need view changes to be survived at all, and
// one driver for the whole matrix keeps its rows comparable. The cost of
// the view manager on a failure-free run is therefore inside every row;
// package ordering alone is measured against raw protoactor fan-out by
// BenchmarkOrdering.
//
// Load is closed-loop: each member keeps Config.Window of its own
// multicasts in flight (sent but not yet delivered back to itself) and
// sends the next one as each comes back, so the offered load follows what
// the group can deliver and flow control is exercised, never bypassed.
// One multicast in 16 carries its send time (the others share one
// unstamped payload), and each of its deliveries gives one
// multicast-to-delivery latency sample.
//
// Scenarios (the faulty member is the last-ranked one unless said):
//
//   - none: no failure.
//   - omission: the member loses 1% of everything it sends (send omission,
//     from the start); the layers' negative acknowledgements repair it.
//   - timing: at the fault moment every message the member sends is held
//     back three detection timeouts, so its heartbeats arrive too late, it
//     is suspected and removed from the view (as Isis did with slow
//     members).
//   - crash: at the fault moment the member's actor stops (a crash as far
//     as the group can tell).
//   - coordinator-crash: the same for rank 0, the view coordinator and, in
//     the atomic classes, the sequencer.
//   - slow-consumer: the member's application spends Config.SlowDelivery on
//     every delivery; flow control must hold the others back rather than
//     let buffers grow.
//
// What is measured: delivered messages per second per member (members in
// the final view, over the whole window), latency from multicast to
// delivery (p50, p99, over the sampled deliveries in the window), heap
// allocations per multicast (the whole process, all deliveries and the
// benchmark's own payload allocations included), for the crash and timing scenarios the
// time from the fault to the last survivor installing the view without the
// faulty member, and a throughput time series sampled every
// Config.SampleEvery for the chart of the results command.
//
// # Across OS processes (RunLoopback)
//
// The same cells with every member in a child process of the test binary
// (package bench/internal/loopback), talking protoactor remote on
// 127.0.0.1; the parent process is no member, so it can SIGKILL any of
// them. The first child founds the group and the others join through its
// address. The scenarios are injected as in one process, in the child: the
// omission and timing injectors through membership.WithFaults on the last
// child to join, the slow consumer in its application; a crash is a
// SIGKILL of the process ranked last in the complete view, a coordinator
// crash of the one ranked first. The suspicion timeout is 1 s rather than
// 100 ms (loaded processes on two cores go quiet that long without having
// failed), so the timing delay is 3 s and the window after a removal is 3
// s, long enough to show the view change and the recovery after it.
//
// Histograms and counters stay in their processes: when the parent stops
// a child, it reports its views, a 1,000-quantile sketch of its latency
// histogram (merged at the parent, within the histogram's bucket error)
// and its delivered and allocation counters sampled over time, read at the
// window's bounds (loopback_report.go). The timeline is anchored at the
// complete view, whose install time every child reports: the processes
// share the host's wall clock.
package matrix
