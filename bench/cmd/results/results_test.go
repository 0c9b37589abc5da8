package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/matrix"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

const sampleOutput = `goos: linux
cpu: Some CPU
BenchmarkOrdering/n=3/raw-2         	 1000	         0 ns/op	   2000000 msgs/s/member	       400.0 cpu-ns/multicast	       0 B/op	       0 allocs/op
BenchmarkOrdering/n=3/atomic-2      	 1000	         0 ns/op	   1500000 msgs/s/member	       800.0 cpu-ns/multicast	     900 B/op	      12 allocs/op
BenchmarkRaft/nodes=3/per-entry-2   	 5000	      4894 ns/op	    200000 entries/s
BenchmarkRaft/nodes=3/batch-64-2    	 5000	      1000 ns/op	   1000000 entries/s
--- SKIP: BenchmarkJGroups
    jgroups_bench_test.go:34: JGroups baseline skipped: java not found
PASS
`

func TestParseBenchReadsLinesUnitsAndSkips(t *testing.T) {
	r := parseBench(sampleOutput)
	if len(r.Lines) != 4 {
		t.Fatalf("parsed %d lines, want 4: %+v", len(r.Lines), r.Lines)
	}
	l, ok := r.find("BenchmarkOrdering/n=3/atomic")
	if !ok || l.Metrics["msgs/s/member"] != 1.5e6 || l.Metrics["allocs/op"] != 12 {
		t.Fatalf("atomic line %+v (found %v)", l, ok)
	}
	if r.CPU != "Some CPU" {
		t.Fatalf("cpu %q", r.CPU)
	}
	if got := r.Skips["BenchmarkJGroups"]; got != "JGroups baseline skipped: java not found" {
		t.Fatalf("skip reason %q", got)
	}
}

func TestMarkdownJudgesTargetsAndSaysWhySkipped(t *testing.T) {
	rep := &report{Machine: machine{CPU: "x", Cores: 2, GoVersion: "go1.26", OS: "linux/amd64"},
		Started: time.Now(), Finished: time.Now(), LoadOneBefore: 9,
		Ordering: parseBench(sampleOutput), Raft: parseBench(sampleOutput), JGroupsSkip: "JGroups skipped: java not found"}
	res := &matrix.Result{Config: matrix.DefaultConfig(layer.FIFO, 5, matrix.Crash), Window: 2 * time.Second, Fault: time.Second,
		ViewChange: 100 * time.Millisecond}
	for t := time.Duration(0); t <= 2*time.Second; t += 10 * time.Millisecond {
		res.Samples = append(res.Samples, matrix.Sample{At: t, Delivered: t.Seconds() * 1000})
	}
	rep.Crashes = []crashRun{{Class: layer.FIFO, Res: res}}
	md := rep.markdown()
	for _, want := range []string{
		"| 3 | atomic | 1.50 M | 2.00 M | 0.75 | 0.50 | >= 0.75 | met |",
		"| 1.50 M | nodes=3/per-entry | 200 k | 7.50x | >= 5x | met |",
		// The batched raft row is context, and says the ratio falls short.
		"| 1.50 M | nodes=3/batch-64 | 1.00 M | 1.50x | - (context) | 5x not reached here |",
		"JGroups skipped: java not found",
		"| fifo | 1.0 k | 1.00 | 100 ms | 100 ms | <= 1000 ms | met |",
		"loaded by other work",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, md)
		}
	}
}
