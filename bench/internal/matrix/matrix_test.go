package matrix

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// TestEveryScenarioDelivers runs each scenario briefly with three members
// and checks that the group delivered, that the latency histogram saw the
// deliveries and that the scenarios that remove a member measured the view
// change.
func TestEveryScenarioDelivers(t *testing.T) {
	for _, s := range Scenarios {
		t.Run(s.String(), func(t *testing.T) {
			cfg := DefaultConfig(layer.Atomic, 3, s)
			cfg.Before, cfg.After, cfg.Warmup = 300*time.Millisecond, 500*time.Millisecond, 50*time.Millisecond
			var res *Result
			for attempt := 1; ; attempt++ {
				var err error
				if res, err = Run(context.Background(), cfg); err != nil {
					t.Fatal(err)
				}
				// A victim suspected before its fault (a false suspicion
				// on a loaded machine) measured no view change of its
				// own: run again, a bounded number of times.
				if !res.RemovedEarly || attempt == 3 {
					break
				}
				t.Logf("%v: the faulty member was removed before its fault; run %d again", s, attempt)
			}
			t.Logf("%v: %.0f msgs/s/member, p50 %v p99 %v, %.1f allocs/multicast, view change %v, views %d, recovery %v",
				s, res.PerMember, res.Latency.Quantile(0.5), res.Latency.Quantile(0.99), res.AllocsPerMulticast, res.ViewChange, res.Views, recovery(res))
			if res.PerMember <= 0 || res.Latency.Count() == 0 {
				t.Fatalf("%v: nothing delivered (%.0f msgs/s/member, %d latency samples)", s, res.PerMember, res.Latency.Count())
			}
			if s.RemovesMember() && res.ViewChange <= 0 {
				t.Fatalf("%v: view change time %v, want positive", s, res.ViewChange)
			}
			if len(res.Samples) < 10 {
				t.Fatalf("%v: %d throughput samples, want at least 10", s, len(res.Samples))
			}
		})
	}
}

// With Senders 1 only the coordinator multicasts (JGroups' benchmark
// shape), and every member delivers its stream.
func TestOneSender(t *testing.T) {
	cfg := DefaultConfig(layer.Atomic, 3, None)
	cfg.Senders = 1
	cfg.Before, cfg.After, cfg.Warmup = 200*time.Millisecond, 200*time.Millisecond, 50*time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Senders != 1 || res.PerMember <= 0 || res.Latency.Count() == 0 {
		t.Fatalf("%d members multicast, %.0f msgs/s/member, %d latency samples; want 1 sender and deliveries",
			res.Senders, res.PerMember, res.Latency.Count())
	}
}

func TestValidateRefusesBadConfigs(t *testing.T) {
	bad := DefaultConfig(layer.FIFO, 2, None)
	if err := bad.Validate(); err == nil {
		t.Fatal("2 members accepted")
	}
	bad = DefaultConfig(layer.Class(0), 3, None)
	if err := bad.Validate(); err == nil {
		t.Fatal("class 0 accepted")
	}
	for _, c := range []struct {
		senders int
		s       Scenario
	}{{-1, None}, {4, None}, {1, Crash}} {
		bad = DefaultConfig(layer.FIFO, 3, c.s)
		bad.Senders = c.senders
		if err := bad.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%d senders in %v: %v, want ErrConfig", c.senders, c.s, err)
		}
	}
}

func recovery(r *Result) time.Duration { d, _ := r.Recovery(0.9, 250*time.Millisecond); return d }
