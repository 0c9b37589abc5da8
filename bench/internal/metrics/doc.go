// Package metrics holds the small measurement helpers Lockstep's
// benchmarks share: rates, a fixed-size latency histogram whose Record
// never allocates, and reporting through testing.B's ReportMetric under
// unit names every benchmark uses, so benchstat lines up their columns.
package metrics
