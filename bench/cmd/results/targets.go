package main

import (
	"fmt"
	"strings"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// The rows that missed their targets name the benchmarks to profile. Each
// section picks what explains its misses; the same benchmark named by two
// sections is profiled once.

// orderingTargets: per group size with a missed row, the class furthest
// below its target ratio to raw fan-out.
func (r *report) orderingTargets() []profileTarget {
	if r.Ordering == nil {
		return nil
	}
	var out []profileTarget
	for _, n := range []string{"3", "5", "7"} {
		raw, ok := r.Ordering.find("BenchmarkOrdering/n=" + n + "/raw")
		if !ok || raw.Metrics["msgs/s/member"] <= 0 {
			continue
		}
		worst, gap, ratio := "", 0.0, 0.0
		for _, c := range layer.Classes {
			l, ok := r.Ordering.find("BenchmarkOrdering/n=" + n + "/" + c.String())
			if !ok {
				continue
			}
			rt := l.Metrics["msgs/s/member"] / raw.Metrics["msgs/s/member"]
			if g := classTarget(c.String()) - rt; g > gap {
				worst, gap, ratio = l.Name, g, rt
			}
		}
		if worst != "" {
			out = append(out, profileTarget{Bench: worst,
				Why: fmt.Sprintf("furthest below its target at N = %s: %s of raw fan-out", n, ratioText(ratio))})
		}
	}
	return out
}

// raftTargets: when Lockstep's atomic class at 3 members is below 5x a
// raft variant, both sides of the comparison against the fastest such
// variant: the atomic class (what would have to get faster) and raft
// (what it is measured against).
func (r *report) raftTargets() []profileTarget {
	atomic := r.atomicRate()
	if atomic <= 0 || r.Raft == nil {
		return nil
	}
	var worst benchLine
	for _, l := range r.Raft.Lines {
		if e := l.Metrics["entries/s"]; e > 0 && atomic/e < 5 && e > worst.Metrics["entries/s"] {
			worst = l
		}
	}
	if worst.Name == "" {
		return nil
	}
	ratio := atomic / worst.Metrics["entries/s"]
	variant := strings.TrimPrefix(worst.Name, "BenchmarkRaft/")
	return []profileTarget{
		{Bench: "BenchmarkOrdering/n=3/atomic", Why: fmt.Sprintf("%sx %s, below 5x%s", ratioText(ratio), variant, map[bool]string{true: " (the target)", false: " (context, not the target's setup)"}[strings.Contains(variant, "per-entry")])},
		{Bench: worst.Name, Why: fmt.Sprintf("the raft side of that comparison: %s entries/s", num(worst.Metrics["entries/s"]))},
	}
}

// atomicRate is the atomic class's rate at 3 members in one process.
func (r *report) atomicRate() float64 {
	if r.Ordering == nil {
		return 0
	}
	l, _ := r.Ordering.find("BenchmarkOrdering/n=3/atomic")
	return l.Metrics["msgs/s/member"]
}

// loopbackScope says what a profile of BenchmarkOrderingLoopback covers.
const loopbackScope = "The profile covers the benchmark's own process only: one member of three over protoactor remote (the other two run in child processes the profile does not see)."

// jgroupsScope adds why the JGroups rows are profiled through another
// benchmark.
const jgroupsScope = loopbackScope + " The JGroups rows run on package membership in three child processes, which no profile of the benchmark process can see; this is the same class over the same transport without the view manager. To profile the members themselves, run the matrix cell with LOCKSTEP_BENCH_CHILD_CPUPROFILE=<dir> (bench/internal/loopback)."

// jgroupsTargets: the class over loopback, for each JGroups row missed.
func (r *report) jgroupsTargets() []profileTarget {
	var out []profileTarget
	seen := map[string]bool{} // both shapes of a class share a profile
	for _, row := range r.jgroupsRows() {
		if row.Ours > 0 && row.Peer > 0 && row.Ours/row.Peer < row.Target && !seen[row.Class] {
			seen[row.Class] = true
			out = append(out, profileTarget{Bench: orderingLoopbackBench + "/" + loopbackProcs + "/" + row.Class,
				Why:   fmt.Sprintf("%s at %.2fx JGroups %s, below %.0fx", row.What, row.Ours/row.Peer, strings.ToUpper(row.Mode), row.Target),
				Scope: jgroupsScope})
		}
	}
	return out
}

// orderingLoopbackTargets: the class furthest below its target over
// loopback.
func (r *report) orderingLoopbackTargets() []profileTarget {
	var worst *orderingLoopbackRow
	for _, row := range orderingLoopbackRows(r.OrderingLoopback) {
		if row.Ratio < loopbackTarget && (worst == nil || row.Ratio < worst.Ratio) {
			worst = &row
		}
	}
	if worst == nil {
		return nil
	}
	return []profileTarget{{Bench: worst.Line.Name,
		Why:   fmt.Sprintf("furthest below the target over loopback: %s of raw remote fan-out", ratioText(worst.Ratio)),
		Scope: loopbackScope}}
}

// profileTargets is every benchmark to profile, in the order the sections
// appear.
func (r *report) profileTargets() []profileTarget {
	var out []profileTarget
	out = append(out, r.orderingTargets()...)
	out = append(out, r.raftTargets()...)
	out = append(out, r.orderingLoopbackTargets()...)
	out = append(out, r.jgroupsTargets()...)
	return out
}
