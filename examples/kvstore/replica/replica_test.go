package replica

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
	"github.com/lockstep-actors/lockstep/membership"
)

func newTestCluster(t *testing.T, n int) *Cluster {
	t.Helper()
	cfg := DefaultClusterConfig()
	cfg.Replicas = n
	cfg.SuspectTimeout = 60
	cfg.Recorder = history.NewLog()
	c, err := NewCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestReplicasAgreeAndReadTheirWrites(t *testing.T) {
	c := newTestCluster(t, 3)
	rs := c.Replicas()
	ctx := context.Background()
	if _, err := rs[0].Do(ctx, store.Op{Kind: store.Put, Key: "x", Value: "1"}); err != nil {
		t.Fatal(err)
	}
	res, err := rs[2].Do(ctx, store.Op{Kind: store.Get, Key: "x"})
	if err != nil || res.Value != "1" || !res.Found {
		t.Fatalf("read at another replica after the write: %+v, %v", res, err)
	}
	if _, err := rs[1].Do(ctx, store.Op{Kind: store.Put}); err == nil {
		t.Fatal("an op without key was accepted")
	}
	recs, err := RunWorkload(ctx, WorkloadConfig{Clients: 4, OpsPerClient: 30, Keys: 5, Timeout: 5 * time.Second, Seed: 1},
		func(r *rand.Rand) Doer { return rs[r.IntN(len(rs))] }, nil)
	if err != nil || len(recs) != 120 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.Outcome != Done {
			t.Fatalf("a call failed without faults: %+v", r)
		}
	}
	if err := c.AwaitQuiet(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	checkSame(t, c)
}

func checkSame(t *testing.T, c *Cluster) {
	t.Helper()
	sts, err := c.Statuses()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts[1:] {
		if s.Checksum != sts[0].Checksum || s.Applied != sts[0].Applied {
			t.Fatalf("replicas differ: %+v vs %+v", s, sts[0])
		}
	}
}

func TestCrashOfSequencerAndJoin(t *testing.T) {
	c := newTestCluster(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := RunWorkload(ctx, WorkloadConfig{Clients: 3, Keys: 5, Timeout: 3 * time.Second, Seed: 2},
			func(r *rand.Rand) Doer {
				live := c.Live()
				if len(live) == 0 {
					return nil
				}
				return live[r.IntN(len(live))]
			}, nil)
		done <- err
	}()
	waitApplied(t, c, 50)
	seq := c.Sequencer()
	c.Crash(seq)
	if err := c.AwaitView(10*time.Second, func(v *membership.ViewChange) bool { return !v.Has(seq.ID()) }); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, c, c.Live()[0].Applied()+50)
	j, err := c.Join("j")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AwaitView(10*time.Second, func(v *membership.ViewChange) bool { return v.Has(j.ID()) }); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, c, c.Live()[0].Applied()+50)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := c.AwaitQuiet(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	checkSame(t, c)
	if j.Applied() == 0 {
		t.Fatal("the joiner applied nothing")
	}
}

func waitApplied(t *testing.T, c *Cluster, n uint64) {
	t.Helper()
	if err := poll(10*time.Second, func() bool { return c.Live()[0].Applied() >= n }, "progress"); err != nil {
		t.Fatal(err)
	}
}
