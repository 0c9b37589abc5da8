// Package spacetime draws a space-time diagram of a recorded history, the
// picture Lamport used in "Time, clocks, and the ordering of events in a
// distributed system" (CACM 21(7), 1978): one horizontal line per process,
// time running left to right, an arrow from each multicast to each of its
// deliveries, and marks for view installs and crashes. The output is one
// self-contained SVG file.
package spacetime
