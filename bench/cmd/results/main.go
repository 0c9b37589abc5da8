package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/bench/peers/jgroups"
)

func main() {
	out := flag.String("out", "", "directory to write RESULTS.md and throughput.png into (default: the module's bench directory)")
	quick := flag.Bool("quick", false, "shorter benchmark times: a faster, noisier run")
	timeout := flag.Duration("timeout", 25*time.Minute, "bound on the whole run (a full run takes about 10 to 15 minutes on 2 cores)")
	crashOnly := flag.Bool("crash-only", false, "run only the crash timeline (to check the chart); the other tables say no figures")
	flag.Parse()
	if err := run(*out, *quick, *crashOnly, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "results:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run from the Lockstep checkout")
	}
	return filepath.Dir(mod), nil
}

func run(out string, quick, crashOnly bool, timeout time.Duration) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	benchDir := filepath.Join(root, "bench")
	if _, err := os.Stat(filepath.Join(benchDir, "ordering_bench_test.go")); err != nil {
		return fmt.Errorf("%s is not Lockstep's bench directory: %w", benchDir, err)
	}
	if out == "" {
		out = benchDir
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	rep := &report{Machine: describeMachine(), Started: time.Now().UTC(), LoadBefore: loadAverage(), LoadOneBefore: loadOne(), Quick: quick}
	if crashOnly {
		rep.JGroupsSkip = "JGroups not run (-crash-only)."
		return finish(ctx, rep, out, quick)
	}
	benchtime := "1s"
	if quick {
		benchtime = "300ms"
	}
	rep.Ordering, rep.OrderingErr = runBench(ctx, benchDir,
		`^BenchmarkOrdering$/^n=[357]$/^(raw|reliable|fifo|causal|atomic|fifo-atomic|causal-atomic)$`, "-benchmem", "-benchtime", benchtime)
	rep.Raft, rep.RaftErr = runBench(ctx, benchDir, `^BenchmarkRaft$`, "-benchmem", "-benchtime", benchtime)
	rep.OrderingLoopback, rep.OrderingLoopbackErr = runBench(ctx, benchDir, `^BenchmarkOrderingLoopback$`, "-benchmem", "-benchtime", benchtime)
	// The failure matrix across processes, run once per cell; its
	// failure-free cells are also the JGroups comparison's figures. It
	// gets a bound of its own so that a stuck cell leaves time for the
	// rest, and what it printed before the bound still counts.
	matrixArgs := []string{"-benchtime", "1x"}
	if quick {
		matrixArgs = append(matrixArgs, "-short")
	}
	mctx, mcancel := context.WithTimeout(ctx, matrixLoopbackBound(quick))
	rep.Loopback, rep.LoopbackErr = runBench(mctx, benchDir, `^BenchmarkMatrixLoopback$`, matrixArgs...)
	mcancel()
	rep.OneSender, rep.OneSenderErr = runBench(ctx, benchDir, oneSenderCells, matrixArgs...)
	rep.RawRemote, rep.RawRemoteErr = runBench(ctx, benchDir, `^BenchmarkRawFanout$/^loopback$`, "-benchtime", benchtime)
	if err := jgroups.Available(jgroups.DefaultJar); err != nil {
		rep.JGroupsSkip = fmt.Sprintf("JGroups skipped: %v (install Java and Debian's libjgroups-java: bench/peers/jgroups/run.sh explains)", err)
		logf("%s", rep.JGroupsSkip)
	} else {
		rep.JGroups, rep.JGroupsErr = runBench(ctx, benchDir, `^BenchmarkJGroups$`, "-v", "-benchtime", "1x")
		if rep.JGroupsErr == nil && len(rep.JGroups.Lines) > 0 {
			// A second run of each side, interleaved (see report.ComparedAgain).
			rep.ComparedAgain, _ = runBench(ctx, benchDir, jgroupsComparedCells, matrixArgs...)
			rep.OneSenderAgain, _ = runBench(ctx, benchDir, oneSenderCells, matrixArgs...)
			rep.JGroupsAgain, _ = runBench(ctx, benchDir, `^BenchmarkJGroups$`, "-v", "-benchtime", "1x")
		}
		if rep.JGroupsErr == nil && len(rep.JGroups.Lines) == 0 {
			reason := rep.JGroups.Skips["BenchmarkJGroups"]
			if reason == "" {
				reason = "the benchmark reported no figure"
			}
			rep.JGroupsSkip = "JGroups skipped: " + reason
		}
	}
	rep.Profiles = runProfiles(ctx, benchDir, profileBenchtime(quick), rep.profileTargets())
	return finish(ctx, rep, out, quick)
}

// jgroupsComparedCells are the cells of BenchmarkMatrixLoopback the
// JGroups rows compare with (report.jgroupsRows).
const jgroupsComparedCells = `^BenchmarkMatrixLoopback$/^class=(fifo|atomic)$/^procs=3$/^scenario=none$`

// oneSenderCells is JGroups' shape, compared in the same rows' table.
const oneSenderCells = `^BenchmarkOneSenderLoopback$`

// profileBenchtime is the -benchtime of a profiled rerun: long enough for
// a few thousand samples, short enough to keep each profile to seconds.
func profileBenchtime(quick bool) string {
	if quick {
		return "1s"
	}
	return "2s"
}

// matrixLoopbackBound bounds the multi-process failure matrix: a few
// seconds per cell (each starts its member processes) in a full run, its
// CI subset with -quick.
func matrixLoopbackBound(quick bool) time.Duration {
	if quick {
		return 3 * time.Minute
	}
	return 8 * time.Minute
}

// finish runs the crash timeline and writes both files.
func finish(ctx context.Context, rep *report, out string, quick bool) error {
	rep.Crashes = runCrashes(ctx, quick)
	rep.Finished = time.Now().UTC()
	rep.LoadAfter = loadAverage()

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	chart := filepath.Join(out, "throughput.png")
	if err := drawChart(rep.Crashes, chart); err != nil {
		rep.ChartErr = err
		logf("chart: %v", err)
	}
	md := filepath.Join(out, "RESULTS.md")
	if err := os.WriteFile(md, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	logf("wrote %s and %s in %v", md, chart, rep.Finished.Sub(rep.Started).Round(time.Second))
	return nil
}
