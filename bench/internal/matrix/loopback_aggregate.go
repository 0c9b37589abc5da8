package matrix

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// LoopbackResult is what a multi-process run measured. Its Result is
// computed as the in-process matrix's, from the children's reports: over
// the survivors (every member but the faulty one in the scenarios that
// remove it), PerMember the mean delivered rate, Latency the merged
// sketches of their histograms, AllocsPerMulticast the allocations of all
// their processes in the window over the messages delivered per member
// (the group's allocations per message, as in one process), Samples the
// mean deliveries per member on a common time grid.
type LoopbackResult struct {
	Result
	// MinRate is the slowest survivor's delivered messages per second
	// (the figure JGroups' benchmark gives).
	MinRate float64
}

// timeline is the run's moments as the parent laid them out.
type timeline struct {
	open, fault, close time.Time
}

// aggregate turns the children's reports into the run's result. reports
// is indexed by spawn order; victim is the faulty child's index (-1 for
// none); victimID is its process id. Only the survivors' reports are read.
func aggregate(cfg Config, reports []*childReport, victim int, victimID history.ProcessID, tl timeline) (*LoopbackResult, error) {
	var survivors []*childReport
	for i, r := range reports {
		if i == victim && cfg.Scenario.RemovesMember() {
			continue
		}
		if r == nil {
			return nil, fmt.Errorf("%w: no report from child %d", ErrReport, i)
		}
		survivors = append(survivors, r)
	}
	if len(survivors) == 0 {
		return nil, fmt.Errorf("%w: no survivor reported", ErrReport)
	}
	res := &LoopbackResult{Result: Result{Config: cfg, Window: tl.close.Sub(tl.open), Fault: tl.fault.Sub(tl.open)}, MinRate: -1}
	n := float64(len(survivors))
	var delivered, allocs float64
	for _, r := range survivors {
		if len(r.Series) == 0 {
			return nil, fmt.Errorf("%w: %s reported no counters", ErrReport, r.ID)
		}
		a, b := interpolate(r.Series, tl.open), interpolate(r.Series, tl.close)
		d := b.delivered - a.delivered
		rate := d / res.Window.Seconds()
		if res.MinRate < 0 || rate < res.MinRate {
			res.MinRate = rate
		}
		delivered += d
		allocs += b.allocs - a.allocs
		r.Latency.addTo(&res.Latency)
		res.Views = max(res.Views, viewsFrom(r.Views, r.FullID))
		if r.Removed {
			res.Removed++
		}
	}
	res.PerMember = delivered / n / res.Window.Seconds()
	if delivered > 0 {
		res.AllocsPerMulticast = allocs / (delivered / n)
	}
	for t := time.Duration(0); ; t += cfg.SampleEvery {
		t = min(t, res.Window)
		var sum float64
		for _, r := range survivors {
			sum += interpolate(r.Series, tl.open.Add(t)).delivered - interpolate(r.Series, tl.open).delivered
		}
		res.Samples = append(res.Samples, Sample{At: t, Delivered: sum / n})
		if t == res.Window {
			break
		}
	}
	if cfg.Scenario.RemovesMember() {
		if err := viewChange(res, survivors, victimID, tl.fault); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// viewChange sets the time from the fault to the last survivor installing
// a view without the victim, as Run does in one process.
func viewChange(res *LoopbackResult, survivors []*childReport, gone history.ProcessID, fault time.Time) error {
	var last time.Time
	for _, r := range survivors {
		var after time.Time
		for _, v := range r.Views {
			if v.id <= r.FullID || slices.Contains(v.members, gone) {
				continue
			}
			if v.at.Before(fault) {
				res.RemovedEarly = true
			} else if after.IsZero() {
				after = v.at
			}
		}
		if after.After(last) {
			last = after
		}
		if after.IsZero() && !r.Removed && !res.RemovedEarly {
			return fmt.Errorf("matrix: %v %s procs=%d: %s never installed a view without %s (views installed, id:size: %s)",
				res.Config.Scenario, res.Config.Class, res.Config.Members, r.ID, gone, viewSizes(r.Views))
		}
	}
	switch {
	case res.RemovedEarly:
	case last.IsZero():
		var seen []string
		for _, r := range survivors {
			seen = append(seen, fmt.Sprintf("%s[%s ] removed=%v", r.ID, viewSizes(r.Views), r.Removed))
		}
		return fmt.Errorf("matrix: %v %s procs=%d: every survivor was removed or blocked (views installed, id:size: %s)",
			res.Config.Scenario, res.Config.Class, res.Config.Members, strings.Join(seen, " "))
	default:
		res.ViewChange = last.Sub(fault)
	}
	return nil
}

// viewsFrom counts the views installed from the complete one on, itself
// included: 1 means no view change while the group streamed.
func viewsFrom(vs []viewAt, full uint64) int {
	n := 0
	for _, v := range vs {
		if v.id >= full {
			n++
		}
	}
	return n
}

func viewSizes(vs []viewAt) string {
	s := ""
	for _, v := range vs {
		s += fmt.Sprintf(" %d:%d", v.id, len(v.members))
	}
	return s
}

// counters are a child's counters at one moment, interpolated.
type counters struct{ delivered, allocs float64 }

// interpolate reads a child's counters at t, linearly between the two
// points around it; before the first point or after the last it holds
// that point's values.
func interpolate(pts []point, t time.Time) counters {
	i, _ := slices.BinarySearchFunc(pts, t, func(p point, t time.Time) int { return p.At.Compare(t) })
	switch {
	case i == 0:
		return counters{float64(pts[0].Delivered), float64(pts[0].Allocs)}
	case i == len(pts):
		p := pts[len(pts)-1]
		return counters{float64(p.Delivered), float64(p.Allocs)}
	}
	a, b := pts[i-1], pts[i]
	f := float64(t.Sub(a.At)) / float64(b.At.Sub(a.At))
	return counters{
		float64(a.Delivered) + f*float64(b.Delivered-a.Delivered),
		float64(a.Allocs) + f*float64(b.Allocs-a.Allocs),
	}
}
