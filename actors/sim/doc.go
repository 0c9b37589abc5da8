// Package sim is Lockstep's deterministic simulator: it runs N processes,
// each a pure protocol core (step.Machine), over a simulated network in
// virtual time, in one goroutine, with every choice drawn from one seed.
//
// It follows the deterministic simulation testing of FoundationDB (Zhou et
// al., "FoundationDB: A Distributed Unbundled Transactional Key Value Store",
// SIGMOD 2021; apple.github.io/foundationdb/testing.html): the
// whole system runs single-threaded against a simulated network and clock
// driven by a seeded generator, so any run, however many faults it injects,
// replays exactly from its seed. Its network and fault vocabulary (drop, cut,
// isolate, delay) is that of etcd raft's synchronous test network.
//
// # Usage
//
//	cfg := sim.DefaultConfig()
//	cfg.Seed = seed
//	cfg.Net.Loss = 0.05
//	s, err := sim.New(cfg)
//	for _, c := range cores { err = s.Add(c) }    // each a step.Machine
//	err = s.Inject("p3", faults.Spec{Model: faults.SendOmission, Rate: 0.5})
//	s.Do(10, func(s *sim.Sim) error { cores[0].Multicast(x); return nil })
//	s.Do(50, func(s *sim.Sim) error { return s.Crash("p2") })
//	s.Do(80, func(s *sim.Sim) error { return s.Partition(ids[:2], ids[2:]) })
//	s.Do(200, func(s *sim.Sim) error { s.Heal(); return nil })
//	err = s.Run()       // until quiescent; or RunUntil(cond), RunFor(d)
//	err = s.Quiesce()   // heal, stop loss, run until quiescent: check liveness now
//	                    // (QuiesceFor(d) if heartbeats never fall silent)
//	violations := history.CheckAll(s.History(), history.CheckIntegrity, ...)
//
// The caller's duties:
//
//  1. Build the Config from DefaultConfig and change what the test needs.
//  2. Drive the cores only from actions scheduled with Do: right after each
//     action the simulator carries out whatever any live core has ready.
//  3. Draw workload randomness from Sim.Rand, never from the global
//     generator or the clock.
//  4. Print the seed when a check fails. A *RunError already names it;
//     simtest.Explore does it for a property checked over many seeds.
//
// Each step (an arrival, a tick, an action) is followed by the driver loop of
// package step for the process concerned: its Ready's messages are sent,
// each through the sender's failure model and then the network, then its
// events are recorded (Time set to the virtual time), then Advance is
// called. Run stops when the system is quiescent: no message in flight, no
// action scheduled, and Config.IdleTicks ticks in a row in which no core
// produced anything (so retransmission timers get their chance).
//
// # What the seed drives
//
// One seed (Config.Seed) is split into independent PCG streams: the
// network's (delays, loss, duplication), the workload's (Sim.Rand), and the
// seeds of the processes' failure models (when a faults.Spec has Seed 0).
// Everything else is fixed by the program: events run in order of virtual
// time and, at equal times, in the order they were scheduled (a binary heap
// keyed by time and sequence number); ticks visit processes in the order
// they were added; no map is ever iterated and no goroutine or wall clock is
// involved. Two runs of the same program with the same seed therefore
// produce the same history, event for event (TestSameSeedSameHistory
// compares them byte for byte), and a failing seed replays exactly.
//
// # Replaying
//
// A run that stops on an error returns a *RunError carrying the seed. A
// property checked with simtest.Explore prints, on failure, the seed and a
// command such as
//
//	go test ./actors/sim/ -run '^TestFloodUniformAgreementUnderCrashes$' -sim.seed=17
//
// which reruns just that seed (-sim.seeds=K tries K seeds instead of the
// test's own count, for a longer hunt).
//
// # Faults
//
// Network faults, per message on the way: partitions (Partition, Isolate,
// Heal; a message is cut if a partition separates its ends when it is sent
// or when it would arrive), loss (Net.Loss), duplication (Net.Duplicate),
// delay (uniform in [Net.MinDelay, Net.MaxDelay]) and reordering. Links are
// FIFO unless Net.Reorder is set: with it off, a message never arrives before
// one sent earlier on the same link, whatever the delays. A message hook
// (SetFilter) drops chosen messages for targeted tests. Crashes: Crash
// stops a process at any point (an action may be scheduled at any time, and
// the faults.Crash model can crash a process after its k-th message).
//
// Process failure models, from package faults, per process with Inject:
// crash, send omission, receive omission, timing, value, state transition
// and arbitrary (Byzantine, with a pluggable adversary). The simulator runs
// the same injector the actor middleware runs: each message a core sends
// goes through its sender's injector before the network, and each arrival
// through its receiver's injector before Step. Time in a faults.Spec
// (Delay, Start.AtTick) counts ticks. A trigger on time alone fires at that
// tick; a trigger on a message count fires on the next message, which may be
// one in the middle of a Ready: a crash there leaves the rest of the Ready's
// messages unsent and, of its events, keeps only the Multicasts (some copies
// may be out), followed by the Crash event. The history marks a process with
// a Faulty event (Value names the model) or a Crash event when its model
// switches on, so checkers do not count it as correct.
//
// Step errors (a core rejecting a message) are counted per process in Stats
// and never stop the run.
//
// # Speed
//
// The event queue is a slice of value-type events, so the simulator
// allocates nothing per message once warm. BenchmarkSim measures simulated
// message deliveries per second with Echo cores that bounce probes:
//
//	go test -run '^$' -bench . -benchmem ./actors/sim/
//
// On one core of the (shared, loaded) development machine it reported 1 to 4
// million deliveries/s with 0 allocations per delivery, depending on group
// size, network faults and load; Lockstep requires at least 100,000.
package sim
