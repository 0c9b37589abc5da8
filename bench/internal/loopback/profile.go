package loopback

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
)

// startProfile starts a CPU profile of this child's role when EnvCPUProfile
// names a directory, into <dir>/<role>-<pid>.cpu.pprof, and returns what
// ends it (once; later calls do nothing). Ending it also writes the
// allocations the child made so far, sampled as the runtime always does,
// to <dir>/<role>-<pid>.allocs.pprof. Serve ends it when the parent asks
// the child to stop, before the role tears down, so a child killed while
// tearing down still leaves its profiles; a crash victim, killed mid-run,
// leaves an empty CPU profile and no allocations. Read one with
// `go tool pprof -top <file>` (allocations: add -sample_index=alloc_space).
//
// This is how the members of the multi-process benchmarks, which no
// -cpuprofile of the parent sees, are profiled:
//
//	LOCKSTEP_BENCH_CHILD_CPUPROFILE=/tmp/prof go test -run '^$' \
//	    -bench 'BenchmarkMatrixLoopback/class=fifo/procs=3/scenario=none' -benchtime 1x ./bench/
func startProfile(role string) (stop func(), err error) {
	dir := os.Getenv(EnvCPUProfile)
	if dir == "" {
		return func() {}, nil
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-%d", strings.ReplaceAll(role, "/", "_"), os.Getpid()))
	f, err := os.Create(base + ".cpu.pprof")
	if err != nil {
		return nil, fmt.Errorf("loopback: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("loopback: cpu profile: %w", err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
			if a, err := os.Create(base + ".allocs.pprof"); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(a, 0) // best effort: a diagnostic
				a.Close()
			}
		})
	}, nil
}
