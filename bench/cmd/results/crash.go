package main

import (
	"context"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/matrix"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// crashMembers is the group size of the crash timeline, as in the
// membership issue's crash benchmarks.
const crashMembers = 5

// crashRun is one class's throughput across a member crash.
type crashRun struct {
	Class layer.Class
	Res   *matrix.Result
	Err   error
}

// runCrashes measures, per class, five members streaming with one member
// crashing mid-run, in this process.
func runCrashes(ctx context.Context, quick bool) []crashRun {
	var out []crashRun
	for _, class := range layer.Classes {
		cfg := matrix.DefaultConfig(class, crashMembers, matrix.Crash)
		cfg.Before, cfg.After = 1500*time.Millisecond, 2500*time.Millisecond
		if quick {
			cfg.Before, cfg.After = time.Second, 1200*time.Millisecond
		}
		logf("crash timeline: %s, %d members", class, crashMembers)
		res, err := matrix.Run(ctx, cfg)
		if err != nil {
			logf("  %v", err)
		} else {
			rec, back := res.Recovery(0.9, recoverySpan)
			logf("  pre-crash %.0f msgs/s/member, view change %v, back to 90%% after %v (%v)", res.PreFault(), res.ViewChange, rec, back)
		}
		out = append(out, crashRun{class, res, err})
	}
	return out
}

// recoverySpan is the averaging span of the recovery figure.
const recoverySpan = 250 * time.Millisecond

// afterOverBefore is the rate in the second after the fault over the
// second before it.
func afterOverBefore(r *matrix.Result) float64 {
	pre := r.PreFault()
	if pre == 0 {
		return 0
	}
	return r.Rate(r.Fault, min(r.Window, r.Fault+time.Second)) / pre
}
