// Command results runs Lockstep's comparison benchmarks and writes
// bench/RESULTS.md and bench/throughput.png from scratch:
//
//	go run ./bench/cmd/results            # about 10 to 15 minutes on 2 cores
//	go run ./bench/cmd/results -quick     # a shorter, noisier run
//
// It runs, in one go on one machine, so that only ratios within the run are
// compared: the six ordering classes against raw protoactor fan-out in one
// process (BenchmarkOrdering) and across three processes on loopback
// (BenchmarkOrderingLoopback), atomic multicast against etcd raft
// (BenchmarkRaft), the failure matrix across OS processes
// (BenchmarkMatrixLoopback, once per cell), whose failure-free cells are
// compared with JGroups 2.12 NAKACK and SEQUENCER (BenchmarkJGroups, skipped
// with a line saying why when java or Debian's libjgroups-java is missing;
// each side of that comparison is the better of two runs, JGroups run
// twice with the two Lockstep cells run again in between) next to raw
// protoactor remote fan-out, and the delivered throughput of
// five members across one member's crash, per class (package
// bench/internal/matrix, run in this process). The benchmarks run through
// `go test` in the module's bench directory, so the figures are exactly
// those the suite reports; the command parses their standard output.
//
// Where a row misses its target, the benchmark behind it runs once more
// under a CPU profile (the bench test binary is built once and run with
// -test.cpuprofile), and `go tool pprof -top` is summarised into a table of
// where the CPU goes: the functions' own time grouped into parts of the
// system (protoactor's mailbox, Lockstep's layers and decorator, the
// runtime's GC and scheduler, protobuf and gRPC, ...), each part's heaviest
// functions and its widest entry by cumulative share, with the commands
// that reproduce the profile. A section whose rows all meet their targets
// gets no profile. The profiles of the loopback rows see only the
// benchmark's own process, and RESULTS.md says so.
//
// BenchmarkMatrixLoopback cells are named
// class=<class>/procs=<n>/scenario=<scenario>; a name without a scenario
// is read as the failure-free cell, so the JGroups rows work with either
// form. Each benchmark run is bounded (the matrix across processes on its
// own, so a stuck cell leaves time for the rest), and what it printed
// before a bound or a failed cell still counts.
//
// RESULTS.md holds one table per comparison (Lockstep's figure, the
// peer's, the ratio, the target and a note on what limits the row), the
// machine (CPU model, cores, Go version), the date and the load average
// before and after the run, since a loaded machine distorts wall-clock
// rates. throughput.png plots delivered messages per second per member
// over time across the crash, one line per class, with the crash and each
// class's view installation marked.
package main
