package byz

// OMMessageCount is the number of messages one OM(m) instance sends among
// n generals when every general sends all its messages:
// (n-1) + (n-1)(n-2) + ... + (n-1)(n-2)...(n-m-1), which is O(n^(m+1)).
func OMMessageCount(n, m int) int {
	total := 0
	for k := 1; k <= m+1; k++ {
		total += permutations(n-1, k)
	}
	return total
}

// OMRoundMessages is the number of messages of round r (1..m+1) of one
// OM(m) instance among n generals: (n-1)(n-2)...(n-r).
func OMRoundMessages(n, r int) int { return permutations(n-1, r) }

// OMLieutenantSends is the number of messages one loyal lieutenant sends in
// round r >= 2 of an OM instance among n generals: one per path of round
// r-1 not naming it, to each general not on that path.
func OMLieutenantSends(n, r int) int { return permutations(n-2, r-1) }

// SMMessageCount is the number of messages one SM(m) instance sends among
// n generals when the commander is loyal: n-1 in round 1, then every
// lieutenant relays the value once to the n-2 others (m >= 1), so (n-1)^2.
func SMMessageCount(n, m int) int {
	if m == 0 {
		return n - 1
	}
	return (n - 1) * (n - 1)
}
