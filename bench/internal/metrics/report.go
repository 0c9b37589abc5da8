package metrics

import "time"

// Units used by every benchmark in the suite, so results line up.
const (
	// UnitPerMember is delivered messages per second at each member.
	UnitPerMember = "msgs/s/member"
	// UnitEntries is log entries applied on every node per second.
	UnitEntries = "entries/s"
	// UnitP50 and UnitP99 are latency percentiles in nanoseconds.
	UnitP50 = "p50-ns"
	UnitP99 = "p99-ns"
)

// Reporter is what testing.B offers for custom metrics.
type Reporter interface {
	ReportMetric(n float64, unit string)
}

// PerSecond is count over d, or 0 when d is not positive.
func PerSecond(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(count) / d.Seconds()
}

// ReportPerMember reports a per-member delivery rate and hides ns/op, which
// would mix one sender's iterations with many members' deliveries.
func ReportPerMember(r Reporter, rate float64) {
	r.ReportMetric(rate, UnitPerMember)
	r.ReportMetric(0, "ns/op")
}

// ReportLatency reports h's median and 99th percentile.
func ReportLatency(r Reporter, h *Histogram) {
	if h.Count() == 0 {
		return
	}
	r.ReportMetric(float64(h.Quantile(0.50)), UnitP50)
	r.ReportMetric(float64(h.Quantile(0.99)), UnitP99)
}
