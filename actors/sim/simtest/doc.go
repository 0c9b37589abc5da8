// Package simtest holds what tests built on the simulator (package sim) share:
// Explore, which runs a property over many seeds and prints the replay
// command of the first seed that fails; two tiny protocol cores to drive
// through the simulator: Echo (bounces probes; used to measure the
// simulator's speed) and Flood (eager reliable broadcast by diffusion,
// Hadzilacos and Toueg, "A Modular Approach to Fault-Tolerant Broadcasts and
// Related Problems", 1994; it records Multicast and Deliver
// events, so the history checkers can judge it); and Nemesis, a random
// schedule of crashes and partitions, healed before a horizon.
//
// It imports package testing, which the simulator itself must not; it lives
// apart like etcd raft's rafttest.
//
// # Replaying a seed
//
// Explore reads two flags of the test binary:
//
//	-sim.seed=N   run only seed N (the failing seed a test printed)
//	-sim.seeds=K  try K seeds instead of the test's own count
package simtest
