package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// boundedModule is a module whose first benchmark reports a figure and
// whose second never ends, as a stuck benchmark cell would: it waits for
// an interrupt that nobody sends (the bound kills it instead). The test
// awaits runBench's return under its bound.
var boundedModule = map[string]string{
	"go.mod": "module stuck\n\ngo 1.22\n",
	"stuck_test.go": `package stuck

import (
	"os"
	"os/signal"
	"testing"
)

func BenchmarkA(b *testing.B) { b.ReportMetric(42, "msgs/s/member") }

func BenchmarkB(b *testing.B) {
	stuck := make(chan os.Signal, 1)
	signal.Notify(stuck, os.Interrupt)
	<-stuck
}
`,
}

// TestRunBenchStopsAStuckRunAtItsBound: the bound kills go test's whole
// process group (else the test binary would hold the output pipe open and
// the call would last until the pipe's grace period), and what the run
// printed before the bound still counts.
func TestRunBenchStopsAStuckRunAtItsBound(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process groups are a unix feature")
	}
	dir := t.TempDir()
	for name, text := range boundedModule {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Build first, outside the bound, so the bound measures the run only.
	warm := exec.Command("go", "test", "-c", "-o", filepath.Join(dir, "stuck.test"), ".")
	warm.Dir = dir
	if out, err := warm.CombinedOutput(); err != nil {
		t.Fatalf("building the fixture module: %v\n%s", err, out)
	}
	const bound = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	start := time.Now()
	res, err := runBench(ctx, dir, ".", "-benchtime", "1x")
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "stopped at its time bound") {
		t.Fatalf("runBench returned %v, want the time bound named", err)
	}
	if took > bound+5*time.Second {
		t.Errorf("runBench took %v for a %v bound: the test binary outlived the go command", took, bound)
	}
	if l, ok := res.find("BenchmarkA"); !ok || l.Metrics["msgs/s/member"] != 42 {
		t.Errorf("the figure printed before the bound was lost: %+v", res.Lines)
	}
}
