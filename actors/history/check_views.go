package history

import (
	"fmt"
	"slices"
	"sort"
)

// The view checkers (here and in check_vsync.go) judge every process not
// marked Faulty, crashed ones included: the safety properties of CKV01 hold
// for a process up to its crash. All of them pass trivially on a history
// without ViewInstall events.

// CheckViewAgreement checks that one view id always has one membership
// (a membership property of CKV01): every install of view V lists the
// same Members in the same rank order and the same Primary flag.
func CheckViewAgreement(h History) []Violation { return checkViewAgreement(newFacts(h)) }

func checkViewAgreement(f *facts) []Violation {
	h := f.h
	first := make(map[uint64]int32)
	var out []Violation
	for i := range h {
		e := &h[i]
		if e.Kind != ViewInstall || f.faulty[f.evProc[i]] {
			continue
		}
		j, ok := first[e.View]
		if !ok {
			first[e.View] = int32(i)
			continue
		}
		r := &h[j]
		if !slices.Equal(r.Members, e.Members) {
			out = append(out, Violation{PropViewAgreement,
				fmt.Sprintf("view %d installed with members %v by %s but %v by %s",
					e.View, r.Members, r.Process, e.Members, e.Process),
				f.events(j, int32(i))})
		}
		if r.Primary != e.Primary {
			out = append(out, Violation{PropViewAgreement,
				fmt.Sprintf("view %d installed as primary=%v by %s but primary=%v by %s",
					e.View, r.Primary, r.Process, e.Primary, e.Process),
				f.events(j, int32(i))})
		}
	}
	return out
}

// CheckSelfInclusion checks self inclusion (CKV01): a process that
// installs a view is one of its members.
func CheckSelfInclusion(h History) []Violation { return checkSelfInclusion(newFacts(h)) }

func checkSelfInclusion(f *facts) []Violation {
	h := f.h
	var out []Violation
	for i := range h {
		e := &h[i]
		if e.Kind == ViewInstall && !f.faulty[f.evProc[i]] && !slices.Contains(e.Members, e.Process) {
			out = append(out, Violation{PropSelfInclusion,
				fmt.Sprintf("%s installed view %d, whose members %v exclude it", e.Process, e.View, e.Members),
				f.events(int32(i))})
		}
	}
	return out
}

// CheckMonotonicViews checks local monotonicity (CKV01): each process
// installs views with strictly increasing ids, and each install's Prev
// names the view the process actually came from (its previous install).
func CheckMonotonicViews(h History) []Violation { return checkMonotonicViews(newFacts(h)) }

func checkMonotonicViews(f *facts) []Violation {
	h := f.h
	var out []Violation
	for p, evs := range f.byProc {
		if f.faulty[p] {
			continue
		}
		last := int32(-1)
		for _, i := range evs {
			e := &h[i]
			if e.Kind != ViewInstall {
				continue
			}
			if last >= 0 {
				l := &h[last]
				if e.View <= l.View {
					out = append(out, Violation{PropMonotonicViews,
						fmt.Sprintf("%s installed view %d after view %d", e.Process, e.View, l.View),
						f.events(last, i)})
				}
				if e.Prev != l.View {
					out = append(out, Violation{PropMonotonicViews,
						fmt.Sprintf("%s installed view %d from view %d, but its previous view was %d",
							e.Process, e.View, e.Prev, l.View),
						f.events(last, i)})
				}
			}
			last = i
		}
	}
	return out
}

// CheckPrimaryComponent checks the primary-component view sequence (CKV01;
// Ricciardi & Birman 1991), over installs marked Primary by processes
// not marked Faulty. Ordered by id, the primary views V1 < V2 < ... form one
// sequence in which, for each k:
//   - some process installed V(k+1) directly from V(k) (its Prev is V(k)),
//     so no primary was formed beside another, and
//   - more than half of V(k)'s members are members of V(k+1) (majority rule).
//
// Each process's own primaries are then a subsequence of this sequence
// (CheckMonotonicViews checks that each process's views increase).
func CheckPrimaryComponent(h History) []Violation { return checkPrimaryComponent(newFacts(h)) }

func checkPrimaryComponent(f *facts) []Violation {
	h := f.h
	type primary struct {
		first int32            // first install event
		from  map[uint64]int32 // prev -> an install from it
	}
	prims := make(map[uint64]*primary)
	var ids []uint64
	for i := range h {
		e := &h[i]
		if e.Kind != ViewInstall || !e.Primary || f.faulty[f.evProc[i]] {
			continue
		}
		pr := prims[e.View]
		if pr == nil {
			pr = &primary{first: int32(i), from: make(map[uint64]int32)}
			prims[e.View] = pr
			ids = append(ids, e.View)
		}
		if _, ok := pr.from[e.Prev]; !ok {
			pr.from[e.Prev] = int32(i)
		}
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	var out []Violation
	for k := 1; k < len(ids); k++ {
		prev, cur := prims[ids[k-1]], prims[ids[k]]
		pv, cv := &h[prev.first], &h[cur.first]
		if _, ok := cur.from[pv.View]; !ok {
			out = append(out, Violation{PropPrimaryComponent,
				fmt.Sprintf("primary view %d was installed by no process directly from the previous primary view %d: concurrent or disconnected primaries",
					cv.View, pv.View),
				f.events(prev.first, cur.first)})
		}
		common := 0
		for _, m := range cv.Members {
			if slices.Contains(pv.Members, m) {
				common++
			}
		}
		if 2*common <= len(pv.Members) {
			out = append(out, Violation{PropPrimaryComponent,
				fmt.Sprintf("primary view %d %v keeps only %d of the %d members of the previous primary view %d %v: no majority",
					cv.View, cv.Members, common, len(pv.Members), pv.View, pv.Members),
				f.events(prev.first, cur.first)})
		}
	}
	return out
}
