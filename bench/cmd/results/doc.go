// Command results runs Lockstep's comparison benchmarks and writes
// bench/RESULTS.md and bench/throughput.png from scratch:
//
//	go run ./bench/cmd/results            # about 3 to 5 minutes on 2 cores
//	go run ./bench/cmd/results -quick     # a shorter, noisier run
//
// It runs, in one go on one machine, so that only ratios within the run are
// compared: the six ordering classes against raw protoactor fan-out in one
// process (BenchmarkOrdering, BenchmarkRawFanout), atomic multicast against
// etcd raft (BenchmarkRaft), the raw protoactor remote fan-out over loopback
// against JGroups 2.12 NAKACK and SEQUENCER (BenchmarkJGroups, skipped with
// a line saying why when java or Debian's libjgroups-java is missing), and
// the delivered throughput of five members across one member's crash, per
// class (package bench/internal/matrix, run in this process). The
// benchmarks run through `go test` in the module's bench directory, so the
// figures are exactly those the suite reports; the command parses their
// standard output.
//
// RESULTS.md holds one table per comparison (Lockstep's figure, the
// peer's, the ratio, the target and a note on what limits the row), the
// machine (CPU model, cores, Go version), the date and the load average
// before and after the run, since a loaded machine distorts wall-clock
// rates. throughput.png plots delivered messages per second per member
// over time across the crash, one line per class, with the crash and each
// class's view installation marked.
package main
