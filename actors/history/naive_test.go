package history

// naivePairwiseTotal is the pairwise wording of total order: any two correct
// processes that both deliver m and m' deliver them in the same order.
func naivePairwiseTotal(h History) bool {
	f := newFacts(h)
	pos := make([]map[int32]int, len(f.procs))
	for p, evs := range f.byProc {
		pos[p] = map[int32]int{}
		for _, i := range evs {
			if h[i].Kind == Deliver {
				if _, ok := pos[p][f.evMsg[i]]; !ok {
					pos[p][f.evMsg[i]] = len(pos[p])
				}
			}
		}
	}
	for p := range pos {
		for q := range pos {
			if !f.correct(int32(p)) || !f.correct(int32(q)) {
				continue
			}
			for m, i := range pos[p] {
				for m2, j := range pos[p] {
					a, ok1 := pos[q][m]
					b, ok2 := pos[q][m2]
					if ok1 && ok2 && (i < j) != (a < b) {
						return false
					}
				}
			}
		}
	}
	return true
}
