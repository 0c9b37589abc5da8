// Package linear checks a kvstore client history for linearizability with
// Porcupine (Athalye; the checker follows Wing and Gong, "Testing and
// verifying concurrent objects", 1993, with Lowe's improvements, 2017),
// against the sequential specification of package store, partitioned by
// key (a history is linearizable iff each key's sub-history is: Herlihy and
// Wing's locality, TOPLAS 12(3), 1990).
//
// Operations whose outcome is unknown (a time-out, a replica that left) are
// left open-ended: they may take effect at any point after their invocation,
// or never. A refused operation never executed and is left out. A checker
// result of Unknown (the search timed out) counts as a failure.
package linear
