package bench_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
	"github.com/lockstep-actors/lockstep/bench/peers/jgroups"
)

// Environment switches of BenchmarkJGroups.
const (
	// envJGroups=1 runs the JGroups baseline even under -short.
	envJGroups = "LOCKSTEP_BENCH_JGROUPS"
	// envJGroupsMessages overrides the number of timed messages per mode.
	envJGroupsMessages = "LOCKSTEP_BENCH_JGROUPS_MESSAGES"
)

var (
	jgroupsOnce    sync.Once
	jgroupsResults []jgroups.Result
	jgroupsErr     error
)

// BenchmarkJGroups: JGroups 2.12 (Debian's libjgroups-java), 3 JVM members
// on 127.0.0.1 over TCP, the coordinator multicasting 100-byte messages
// after a JIT warm-up, in reliable FIFO (NAKACK) and total order
// (SEQUENCER). "msgs/s/member" is the slowest member's delivered messages
// per second. The JVMs run once per process whatever b.N is (ns/op is
// hidden): the figures come from bench/peers/jgroups/run.sh, bounded to
// 60 s per mode. Skipped, saying why, without java or the jar, and under
// -short unless LOCKSTEP_BENCH_JGROUPS=1.
func BenchmarkJGroups(b *testing.B) {
	if testing.Short() && os.Getenv(envJGroups) != "1" {
		b.Skip("JGroups baseline skipped under -short (starts 6 JVMs); set " + envJGroups + "=1 to run it")
	}
	if err := jgroups.Available(jgroups.DefaultJar); err != nil {
		b.Skipf("JGroups baseline skipped: %v (run bench/peers/jgroups/run.sh as root to install it)", err)
	}
	jgroupsOnce.Do(func() {
		opts := jgroups.DefaultOptions("peers/jgroups/run.sh")
		if testing.Short() {
			opts.Messages, opts.Warmup = 20_000, 5_000
		}
		if v := os.Getenv(envJGroupsMessages); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				jgroupsErr = errors.New(envJGroupsMessages + " must be a positive integer, got " + strconv.Quote(v))
				return
			}
			opts.Messages = n
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*(opts.PerModeTimeout+30*time.Second))
		defer cancel()
		jgroupsResults, jgroupsErr = jgroups.Run(ctx, opts)
	})
	if errors.Is(jgroupsErr, jgroups.ErrUnavailable) {
		b.Skipf("JGroups baseline skipped: %v", jgroupsErr)
	}
	if jgroupsErr != nil {
		b.Fatal(jgroupsErr)
	}
	for _, r := range jgroupsResults {
		b.Run(r.Mode, func(b *testing.B) {
			metrics.ReportPerMember(b, r.MinRate)
		})
	}
}
