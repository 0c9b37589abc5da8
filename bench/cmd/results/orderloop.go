package main

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// orderingLoopbackBench is the ordered classes against raw remote fan-out
// across three processes.
const (
	orderingLoopbackBench = "BenchmarkOrderingLoopback"
	loopbackProcs         = "procs=3"
	// loopbackTarget is the ordered-multicast issue's bound over loopback,
	// as a ratio to raw remote fan-out.
	loopbackTarget = 0.6
)

// orderingLoopbackRow is one class against raw remote fan-out.
type orderingLoopbackRow struct {
	Class     layer.Class
	Line, Raw benchLine
	Ratio     float64 // delivered rates, class over raw
	CPURatio  float64 // raw's CPU per multicast over the class's (0 when unknown)
}

// orderingLoopbackRows pairs every class measured with the raw row of the
// same run; nil when raw is missing, since a ratio needs both.
func orderingLoopbackRows(br *benchRun) []orderingLoopbackRow {
	if br == nil {
		return nil
	}
	raw, ok := br.find(orderingLoopbackBench + "/" + loopbackProcs + "/raw")
	if !ok || raw.Metrics["msgs/s/member"] <= 0 {
		return nil
	}
	var rows []orderingLoopbackRow
	for _, c := range layer.Classes {
		l, ok := br.find(orderingLoopbackBench + "/" + loopbackProcs + "/" + c.String())
		if !ok {
			continue
		}
		row := orderingLoopbackRow{Class: c, Line: l, Raw: raw, Ratio: l.Metrics["msgs/s/member"] / raw.Metrics["msgs/s/member"]}
		if cpu := l.Metrics["cpu-ns/multicast"]; cpu > 0 {
			row.CPURatio = raw.Metrics["cpu-ns/multicast"] / cpu
		}
		rows = append(rows, row)
	}
	return rows
}

// limit says what the figures show about the row: the process's cost per
// multicast against raw's, and what the layers add across processes.
func (row orderingLoopbackRow) limit() string {
	l, raw := row.Line.Metrics, row.Raw.Metrics
	s := fmt.Sprintf("in the benchmark's process (one member of three): %.0f allocs and %.0f CPU ns per multicast (raw: %.0f and %.0f)",
		l["allocs/op"], l["cpu-ns/multicast"], raw["allocs/op"], raw["cpu-ns/multicast"])
	if row.Ratio >= 1 {
		return s + "; at or above raw remote fan-out in this run, so the layers are not what limits it: raw remote fan-out itself is the bound"
	}
	s += "; across processes every data message is packed once and unpacked by each receiver, and heartbeats, stability reports and NAK repair share the streams with the data"
	return s + extraLimit(row.Class)
}

func (r *report) orderingLoopbackTable(w func(string, ...any)) {
	w("## Ordered classes against raw remote fan-out (3 OS processes on loopback)")
	w("")
	loadLine(w, r.OrderingLoopback)
	w("`BenchmarkOrderingLoopback`: one member in each of three OS processes over protoactor remote on 127.0.0.1,")
	w("every member multicasting (256 ahead of its deliveries), reliability, stability tracking and flow control on;")
	w("raw remote fan-out is the same workload with `ctx.Send` to every member and no ordering, measured first in")
	w("the same run. CPU and allocations count the benchmark's own process (one member of three). Target: every")
	w("class at least %.1f of raw remote fan-out.", loopbackTarget)
	w("")
	if r.OrderingLoopbackErr != nil {
		w("Loopback ordering benchmark failed: %s", failureText(r.OrderingLoopback, r.OrderingLoopbackErr))
		w("")
	}
	rows := orderingLoopbackRows(r.OrderingLoopback)
	if len(rows) == 0 {
		w("No figures.")
		w("")
		return
	}
	w("| class | Lockstep msgs/s/member | raw remote fan-out msgs/s/member | ratio | ratio by CPU | target | | what limits it |")
	w("|---|---|---|---|---|---|---|---|")
	for _, row := range rows {
		cpu := "-"
		if row.CPURatio > 0 {
			cpu = ratioText(row.CPURatio)
		}
		w("| %s | %s | %s | %s | %s | >= %.1f | %s | %s |", row.Class, num(row.Line.Metrics["msgs/s/member"]),
			num(row.Raw.Metrics["msgs/s/member"]), ratioText(row.Ratio), cpu, loopbackTarget, verdict(row.Ratio >= loopbackTarget), row.limit())
	}
	w("")
	r.profileNotes(w, r.orderingLoopbackTargets())
}
