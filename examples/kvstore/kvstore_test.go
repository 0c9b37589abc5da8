package main

import (
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/examples/kvstore/linear"
	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

var (
	schedules = flag.Int("kv.schedules", 50, "seeded fault schedules of TestLinearizableUnderFaults")
	firstSeed = flag.Uint64("kv.seed", 1, "first seed of TestLinearizableUnderFaults")
)

// The embedded demo runs to completion with a small configuration and ends
// with identical replicas and a well-formed diagram.
func TestDemoRunsToCompletion(t *testing.T) {
	cfg := defaultDemoConfig()
	// Suspicion after 300 ms: a loaded machine running -race must not
	// remove live replicas, which the checks below would count as lost.
	cfg.Clients, cfg.Phase, cfg.Seed, cfg.SuspectTicks = 6, 300*time.Millisecond, 7, 60
	cfg.SVGPath = filepath.Join(t.TempDir(), "st.svg")
	var out strings.Builder
	s, err := runDemo(cfg, &out)
	if err != nil {
		t.Fatalf("seed %d: %v\n%s", cfg.Seed, err, out.String())
	}
	t.Log("\n" + out.String())
	// Two crashes and a join leave four replicas, or fewer if the loaded
	// machine made a live one be suspected and removed (a legitimate outcome).
	if !s.Identical || len(s.Final) < 2 || len(s.Final) > cfg.Replicas-1 {
		t.Fatalf("seed %d: %d final replicas, identical %v", cfg.Seed, len(s.Final), s.Identical)
	}
	if len(s.Changes) != 3 || s.Done == 0 {
		t.Fatalf("seed %d: %d view changes, %d operations", cfg.Seed, len(s.Changes), s.Done)
	}
	for _, st := range s.Final {
		if st.Applied < uint64(s.Done) {
			t.Errorf("%s applied %d commands, fewer than the %d operations done", st.ID, st.Applied, s.Done)
		}
	}
	b, err := os.ReadFile(cfg.SVGPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, new(struct{})); err != nil || s.SVG.Crashes != 1 || s.SVG.Deliveries == 0 || s.SVG.Views == 0 {
		t.Fatalf("diagram: %v, drew %+v", err, s.SVG)
	}
}

// schedule is one seeded fault schedule: group size, class, and the failure
// model of each replica (at most a minority of them faulty).
type schedule struct {
	seed     uint64
	replicas int
	class    layer.Class
	specs    []faults.Spec
	// killSequencerAt, if positive, is the number of completed operations
	// after which the driver crashes the current sequencer.
	killSequencerAt int64
}

func newSchedule(seed uint64) schedule {
	r := rand.New(rand.NewPCG(seed, 0x6b76))
	s := schedule{seed: seed, replicas: 3 + r.IntN(3)}
	s.class = []layer.Class{layer.CausalAtomic, layer.Atomic, layer.FIFOAtomic}[r.IntN(3)]
	s.specs = make([]faults.Spec, s.replicas)
	faulty := 1 + r.IntN((s.replicas-1)/2)
	if r.IntN(2) == 0 {
		s.killSequencerAt = int64(5 + r.IntN(50))
		faulty-- // the sequencer's crash is one of the minority
	}
	for _, i := range r.Perm(s.replicas)[:faulty] {
		sp := faults.Spec{Seed: seed*31 + uint64(i)}
		switch r.IntN(4) {
		case 0:
			sp.Model, sp.Start.AfterMessages = faults.Crash, 10+r.IntN(150)
		case 1:
			sp.Model, sp.Rate = faults.SendOmission, 0.02+0.1*r.Float64()
		case 2:
			sp.Model, sp.Rate = faults.ReceiveOmission, 0.02+0.1*r.Float64()
		default: // late by up to 400 ms: beyond the suspicion timeout, the replica is removed
			sp.Model, sp.Rate, sp.Delay = faults.Timing, 0.2+0.8*r.Float64(), int64(5+r.IntN(400))
			if r.IntN(2) == 0 {
				sp.Rate = 1 // every message late: a slow process
			}
		}
		sp.Start.AfterMessages += r.IntN(50)
		s.specs[i] = sp
	}
	return s
}

func (s schedule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d replicas, %v;", s.seed, s.replicas, s.class)
	for i, sp := range s.specs {
		if sp.Model != faults.None {
			fmt.Fprintf(&b, " r%d %v(rate %.2f, delay %d, after %d)", i, sp.Model, sp.Rate, sp.Delay, sp.Start.AfterMessages)
		}
	}
	if s.killSequencerAt > 0 {
		fmt.Fprintf(&b, " sequencer crashed after %d operations", s.killSequencerAt)
	}
	return b.String()
}

// TestLinearizableUnderFaults runs the store under crash, omission and
// timing faults and checks every client history with Porcupine.
func TestLinearizableUnderFaults(t *testing.T) {
	n := *schedules
	for seed := *firstSeed; seed < *firstSeed+uint64(n); seed++ {
		s := newSchedule(seed)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runSchedule(t, s)
		})
	}
}

func runSchedule(t *testing.T, s schedule) {
	cfg := replica.DefaultClusterConfig()
	cfg.Replicas, cfg.Replica.Class = s.replicas, s.class
	cfg.Faults = func(i int) faults.Spec { return s.specs[i] }
	c, err := replica.NewCluster(cfg)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	defer c.Close()
	// Clients issue operations for 600 ms (at most 60 each), long enough
	// for a crash to be detected and a view change to happen under load.
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	var cnt replica.Counters
	killed := make(chan struct{})
	go func() { // the driver's crash of the sequencer, bounded by the workload's life
		defer close(killed)
		if s.killSequencerAt <= 0 {
			return
		}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for cnt.Done.Load() < s.killSequencerAt {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		if seq := c.Sequencer(); seq != nil {
			c.Crash(seq)
		}
	}()
	recs, err := replica.RunWorkload(ctx, replica.WorkloadConfig{Clients: 4, OpsPerClient: 60, Keys: 3, Timeout: time.Second, Seed: s.seed},
		func(r *rand.Rand) replica.Doer {
			live := c.Live()
			if len(live) == 0 {
				return nil
			}
			return live[r.IntN(len(live))]
		}, &cnt)
	cancel()
	<-killed
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	if err := linear.Check(recs, 10*time.Second); err != nil {
		t.Fatalf("%v: %v\nreplay: go test ./examples/kvstore -run 'TestLinearizableUnderFaults/seed=%d$'", s, err, s.seed)
	}
	done := 0
	for _, r := range recs {
		if r.Outcome == replica.Done {
			done++
		}
	}
	if done == 0 {
		t.Fatalf("%v: no operation completed", s)
	}
	v := c.Live()[0].Group().View()
	t.Logf("%v: %d operations, %d done; ended in view %d with %d replicas", s, len(recs), done, v.ID, len(v.Members))
	if err := c.AwaitQuiet(10 * time.Second); err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	sts, err := c.Statuses()
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	for _, st := range sts[1:] {
		if st.Checksum != sts[0].Checksum {
			t.Fatalf("%v: replicas differ: %+v vs %+v", s, st, sts[0])
		}
	}
}

// The test has teeth: replicas that answer reads from their own state
// (Config.LocalReads), one of them so slow it is removed from the group, are
// caught returning stale values in some seed.
func TestCheckerCatchesLocalReads(t *testing.T) {
	caught := 0
	for seed := uint64(1); seed <= 20 && caught == 0; seed++ {
		cfg := replica.DefaultClusterConfig()
		cfg.Replicas, cfg.Replica.LocalReads = 5, true
		cfg.Faults = func(i int) faults.Spec {
			if i == 4 {
				// Everything it sends is 500 ms late: it is suspected and
				// removed, and goes on answering reads from a frozen state.
				return faults.Spec{Model: faults.Timing, Rate: 1, Delay: 500, Seed: seed, Start: faults.Trigger{AfterMessages: 50}}
			}
			return faults.Spec{}
		}
		c, err := replica.NewCluster(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rs := c.Replicas()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		recs, err := replica.RunWorkload(ctx, replica.WorkloadConfig{Clients: 4, OpsPerClient: 150, Keys: 2, Timeout: time.Second, Seed: seed},
			func(r *rand.Rand) replica.Doer {
				if r.IntN(2) == 0 {
					return rs[4] // the lagging replica serves half the calls
				}
				return rs[r.IntN(len(rs))]
			}, nil)
		cancel()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := linear.Check(recs, 10*time.Second); err != nil {
			caught++
			t.Logf("seed %d: caught: %v", seed, err)
		}
	}
	if caught == 0 {
		t.Fatal("local reads at a removed replica passed the linearizability check in every seed")
	}
}
