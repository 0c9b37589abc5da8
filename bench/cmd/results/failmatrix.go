package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/matrix"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// matrixLoopbackBench is the multi-process failure matrix benchmark.
const matrixLoopbackBench = "BenchmarkMatrixLoopback"

// loopbackCell is one cell of BenchmarkMatrixLoopback, named
// "BenchmarkMatrixLoopback/class=<class>/procs=<n>/scenario=<scenario>".
// Names without a scenario (the failure-free column before the matrix
// across processes existed) read as scenario none.
type loopbackCell struct {
	Class    string
	Procs    int
	Scenario string
	Metrics  map[string]float64
	Failed   string // what the cell logged when it failed; no metrics then
}

// parseLoopbackCell reads a cell's name; ok is false for any other
// benchmark or a name missing its class or process count.
func parseLoopbackCell(l benchLine) (loopbackCell, bool) {
	rest, ok := strings.CutPrefix(l.Name, matrixLoopbackBench+"/")
	if !ok {
		return loopbackCell{}, false
	}
	c := loopbackCell{Scenario: matrix.None.String(), Metrics: l.Metrics}
	for _, part := range strings.Split(rest, "/") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return loopbackCell{}, false
		}
		switch k {
		case "class":
			c.Class = v
		case "procs":
			n, err := strconv.Atoi(v)
			if err != nil {
				return loopbackCell{}, false
			}
			c.Procs = n
		case "scenario":
			c.Scenario = v
		}
	}
	if c.Class == "" || c.Procs == 0 {
		return loopbackCell{}, false
	}
	return c, true
}

// loopbackCells is every cell of br in matrix order: class (weakest
// first), process count, scenario.
func loopbackCells(br *benchRun) []loopbackCell {
	if br == nil {
		return nil
	}
	var cells []loopbackCell
	for _, l := range br.Lines {
		if c, ok := parseLoopbackCell(l); ok {
			cells = append(cells, c)
		}
	}
	for name, msg := range br.Fails {
		if c, ok := parseLoopbackCell(benchLine{Name: name}); ok {
			c.Failed = msg
			if c.Failed == "" {
				c.Failed = "failed without a message"
			}
			cells = append(cells, c)
		}
	}
	classRank := func(s string) int {
		for i, c := range layer.Classes {
			if c.String() == s {
				return i
			}
		}
		return len(layer.Classes)
	}
	scenarioRank := func(s string) int {
		for i, sc := range matrix.Scenarios {
			if sc.String() == s {
				return i
			}
		}
		return len(matrix.Scenarios)
	}
	slices.SortStableFunc(cells, func(a, b loopbackCell) int {
		if d := classRank(a.Class) - classRank(b.Class); d != 0 {
			return d
		}
		if d := a.Procs - b.Procs; d != 0 {
			return d
		}
		if d := scenarioRank(a.Scenario) - scenarioRank(b.Scenario); d != 0 {
			return d
		}
		return strings.Compare(a.Scenario, b.Scenario) // unknown scenarios: stable by name
	})
	return cells
}

// loopbackRate is the failure-free delivered rate of class across procs
// processes (the slowest member's), or 0 when the run has no such cell.
func loopbackRate(br *benchRun, class string, procs int) float64 {
	for _, c := range loopbackCells(br) {
		if c.Class == class && c.Procs == procs && c.Scenario == matrix.None.String() && c.Failed == "" {
			return c.Metrics["msgs/s/member"]
		}
	}
	return 0
}

// hasFailureCells reports whether the run measured any scenario besides
// none across processes.
func hasFailureCells(br *benchRun) bool {
	for _, c := range loopbackCells(br) {
		if c.Scenario != matrix.None.String() {
			return true
		}
	}
	return false
}

// isCrashScenario names the scenarios the crash-recovery target applies to.
func isCrashScenario(s string) bool {
	return s == matrix.Crash.String() || s == matrix.CoordinatorCrash.String()
}

// recoveryTarget is the bound: throughput back above 90% of the
// pre-crash rate within one second.
const recoveryTarget = time.Second

// recoveryMet judges a crash cell: its (median) recovery within the
// target, and every run recovered when the cell says how many did.
func recoveryMet(m map[string]float64) (met, known bool) {
	rec, ok := m["recovered-ms"]
	if !ok {
		return false, false
	}
	met = rec <= float64(recoveryTarget.Milliseconds())
	if runs, ok := m["recovered-runs"]; ok && runs < 1 {
		met = false
	}
	return met, true
}

// latency prints a duration given in nanoseconds.
func latency(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", ns/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case d >= 10*time.Microsecond:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	}
	return fmt.Sprintf("%.1f µs", ns/1e3)
}

// metricCell prints metric unit of m with format, or "-" when absent.
func metricCell(m map[string]float64, unit, format string) string {
	v, ok := m[unit]
	if !ok {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func (r *report) failureMatrixTable(w func(string, ...any)) {
	cells := loopbackCells(r.Loopback)
	if !hasFailureCells(r.Loopback) {
		return
	}
	w("## Failure matrix across OS processes (loopback)")
	w("")
	loadLine(w, r.Loopback)
	w("`BenchmarkMatrixLoopback`, run once per cell (`-benchtime 1x`): one member per OS process on 127.0.0.1,")
	w("protoactor remote, package membership with the class, every member multicasting closed-loop. Rate is")
	w("delivered messages per second at the slowest member (mean over the members beside it); latency from")
	w("multicast to delivery; view change from the fault to the survivors' new view; \"back to 90%%\" is how")
	w("long after the fault throughput is again at least 90%% of the pre-fault rate. Views counts the views")
	w("installed, live removed the members that should have stayed but were removed. Target for the crash")
	w("cells: back above 90%% within %d ms.", recoveryTarget.Milliseconds())
	w("")
	if r.LoopbackErr != nil {
		w("The run did not finish cleanly (%s); the table holds the cells it reported.", failureText(r.Loopback, r.LoopbackErr))
		w("")
	}
	w("| class | procs | scenario | msgs/s/member (mean) | p50 | p99 | view change | back to 90%% | views / live removed | target | |")
	w("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range cells {
		if c.Failed != "" {
			w("| %s | %d | %s | failed: %s | | | | | | | |", c.Class, c.Procs, c.Scenario, cellText(c.Failed, 200))
			continue
		}
		m := c.Metrics
		rate := "-"
		if v, ok := m["msgs/s/member"]; ok {
			rate = num(v)
			if mean, ok := m["mean-msgs/s/member"]; ok {
				rate += " (" + num(mean) + ")"
			}
		}
		p50, p99 := "-", "-"
		if v, ok := m["p50-ns"]; ok {
			p50 = latency(v)
		}
		if v, ok := m["p99-ns"]; ok {
			p99 = latency(v)
		}
		change := metricCell(m, "view-change-ms", "%.0f ms")
		back := metricCell(m, "recovered-ms", "%.0f ms")
		if runs, ok := m["recovered-runs"]; ok && runs < 1 && back != "-" {
			back = fmt.Sprintf("%s (%.0f%% of runs recovered)", back, 100*runs)
		}
		views := metricCell(m, "views", "%.0f") + " / " + metricCell(m, "live-removed", "%.0f")
		target, verdictCell := "-", "-"
		if isCrashScenario(c.Scenario) {
			target = fmt.Sprintf("<= %d ms", recoveryTarget.Milliseconds())
			verdictCell = "n/a"
			if met, known := recoveryMet(m); known {
				verdictCell = verdict(met)
				if vc, ok := m["view-change-ms"]; ok && !met && vc >= float64(recoveryTarget.Milliseconds()) {
					verdictCell += fmt.Sprintf(": the view change alone took %.0f ms (detection, then the flush)", vc)
				}
			}
		}
		if m["removed-before-fault"] > 0 {
			verdictCell = "n/a: the member to fail was suspected and removed before its fault (a false suspicion under load)"
		}
		if m["live-removed"] > 0 {
			verdictCell = strings.TrimPrefix(verdictCell+"; ", "-; ") + "a live member was removed"
		}
		w("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |", c.Class, c.Procs, c.Scenario, rate, p50, p99,
			change, back, views, target, verdictCell)
	}
	w("")
}

// cellText fits a message into a table cell: no pipes, at most n runes.
func cellText(s string, n int) string {
	s = strings.ReplaceAll(s, "|", "/")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "..."
	}
	return s
}
