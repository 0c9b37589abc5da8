package raftpeer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReplicateAppliesEveryEntryOnEveryNode(t *testing.T) {
	for _, batch := range []int{1, 64} {
		cfg := DefaultConfig()
		cfg.ProposalBatch = batch
		cfg.CompactEvery = 1000 // exercise compaction in a short run
		c, err := Start(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		const count = 20_000
		res, err := c.Replicate(ctx, count, make([]byte, 100))
		cancel()
		c.Stop() // the nodes' own fields are read below
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		for _, n := range c.nodes {
			if got := n.applied.Load(); got != count {
				t.Errorf("batch %d: node %d applied %d payload entries, want %d", batch, n.id, got, count)
			}
			if n.compacted <= 1 {
				t.Errorf("batch %d: node %d never compacted its log", batch, n.id)
			}
		}
		if res.Entries != count || res.EntriesPerSecond() <= 0 {
			t.Errorf("batch %d: result %+v", batch, res)
		}
		if _, err := c.Replicate(context.Background(), 1, []byte{1}); !errors.Is(err, ErrStopped) {
			t.Errorf("Replicate after Stop: %v, want ErrStopped", err)
		}
	}
}

func TestValidateRejectsUnworkableConfigs(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Nodes = 0 },
		func(c *Config) { c.TickInterval = 0 },
		func(c *Config) { c.ElectionTick = c.HeartbeatTick },
		func(c *Config) { c.MaxInflightMsgs = 0 },
		func(c *Config) { c.MaxSizePerMsg = 0 },
		func(c *Config) { c.Window = 0 },
		func(c *Config) { c.ProposalBatch = c.Window + 1 },
		func(c *Config) { c.CompactEvery = 0 },
		func(c *Config) { c.Startup = 0 },
	}
	for i, mutate := range bad {
		cfg := DefaultConfig()
		mutate(&cfg)
		if err := cfg.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: Validate() = %v, want ErrConfig", i, err)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
}

func TestReplicateRejectsEmptyPayload(t *testing.T) {
	c, err := Start(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if _, err := c.Replicate(context.Background(), 1, nil); !errors.Is(err, ErrConfig) {
		t.Fatalf("empty payload: %v, want ErrConfig", err)
	}
}
