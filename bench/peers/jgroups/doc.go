// Package jgroups runs the JGroups 2.12 peer baseline and reads its
// results, for Lockstep's benchmarks and result reports.
//
// The baseline itself is Java: LoopbackBench.java is one group member, and
// run.sh compiles it against Debian's libjgroups-java (JGroups
// 2.12.2.Final, installed by the script when it runs as root and the jar is
// missing), then starts 3 JVM members on 127.0.0.1 over a TCP stack (TCP and
// TCPPING on loopback ports, no IP multicast or UDP discovery) for two
// configurations: reliable FIFO (stack-nakack.xml, pbcast.NAKACK) and total
// order (stack-sequencer.xml, the same with SEQUENCER). One member sends
// untimed warm-up messages and then the timed 100-byte messages; every
// member counts what it delivers, and the script prints, per configuration,
// the slowest member's delivered messages per second (SUMMARY lines).
//
// This package checks the prerequisites (Available), runs the script with a
// bound on time (Run) and parses its output (Parse). The JVMs' compiled
// classes go to bench/peers/build, which is not committed.
package jgroups
