package byz

// The two orders of the paper. Any other non-empty string is a valid value
// too; RETREAT is the default whenever a value is missing or undecided.
const (
	Attack  = "ATTACK"
	Retreat = "RETREAT"
)

// majority is the paper's majority(v1, ..., vk): the value held by strictly
// more than half of vs, or Retreat when there is none (ties included).
func majority(vs []string) string {
	// Boyer-Moore vote then a check: O(k) time, no allocation.
	cand, count := "", 0
	for _, v := range vs {
		switch {
		case count == 0:
			cand, count = v, 1
		case v == cand:
			count++
		default:
			count--
		}
	}
	n := 0
	for _, v := range vs {
		if v == cand {
			n++
		}
	}
	if 2*n > len(vs) {
		return cand
	}
	return Retreat
}

// choice is SM(m)'s choice(V): the single element of V, and Retreat when V
// is empty or holds two or more values. The paper allows any deterministic
// rule for |V| >= 2; this one needs no ordering of values and lets a
// general stop relaying after its second value (see doc.go).
func choice(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return Retreat
}
