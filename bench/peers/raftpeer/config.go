package raftpeer

import (
	"errors"
	"fmt"
	"time"
)

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("raftpeer: invalid config")

// Config sets up a cluster. DefaultConfig gives the benchmark's settings.
type Config struct {
	// Nodes is the cluster size; node 1 is made leader.
	Nodes int
	// TickInterval is how often every node calls Tick.
	TickInterval time.Duration
	// ElectionTick and HeartbeatTick are raft's, in ticks. The election
	// timeout is long so that a busy machine does not trigger elections.
	ElectionTick, HeartbeatTick int
	// MaxInflightMsgs bounds the appends in flight to each follower.
	MaxInflightMsgs int
	// MaxSizePerMsg bounds the bytes of entries in one append.
	MaxSizePerMsg uint64
	// Window bounds the entries proposed but not yet applied on every node.
	Window int
	// ProposalBatch is how many entries go into one proposal: 1 proposes
	// each entry on its own, as an application calling Propose does.
	ProposalBatch int
	// CompactEvery is how many applied entries pass between compactions.
	CompactEvery uint64
	// Startup bounds the time to elect node 1 and apply its first entry.
	Startup time.Duration
}

// DefaultConfig returns the benchmark's settings: 3 nodes, ticks every
// 10 ms with a 1 s election timeout, 256 appends of up to 1 MiB in flight
// per follower, and 8192 entries in flight, each proposed on its own.
func DefaultConfig() Config {
	return Config{
		Nodes:           3,
		TickInterval:    10 * time.Millisecond,
		ElectionTick:    100,
		HeartbeatTick:   10,
		MaxInflightMsgs: 256,
		MaxSizePerMsg:   1 << 20,
		Window:          8192,
		ProposalBatch:   1,
		CompactEvery:    1 << 16,
		Startup:         10 * time.Second,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Nodes < 1:
		return fmt.Errorf("%w: Nodes %d, want at least 1", ErrConfig, c.Nodes)
	case c.TickInterval <= 0:
		return fmt.Errorf("%w: TickInterval %v, want > 0", ErrConfig, c.TickInterval)
	case c.HeartbeatTick < 1 || c.ElectionTick <= c.HeartbeatTick:
		return fmt.Errorf("%w: ElectionTick %d must exceed HeartbeatTick %d >= 1", ErrConfig, c.ElectionTick, c.HeartbeatTick)
	case c.MaxInflightMsgs < 1:
		return fmt.Errorf("%w: MaxInflightMsgs %d, want at least 1", ErrConfig, c.MaxInflightMsgs)
	case c.MaxSizePerMsg < 1:
		return fmt.Errorf("%w: MaxSizePerMsg must be positive", ErrConfig)
	case c.Window < 1:
		return fmt.Errorf("%w: Window %d, want at least 1", ErrConfig, c.Window)
	case c.ProposalBatch < 1 || c.ProposalBatch > c.Window:
		return fmt.Errorf("%w: ProposalBatch %d, want 1..Window (%d)", ErrConfig, c.ProposalBatch, c.Window)
	case c.CompactEvery < 1:
		return fmt.Errorf("%w: CompactEvery must be positive", ErrConfig)
	case c.Startup <= 0:
		return fmt.Errorf("%w: Startup %v, want > 0", ErrConfig, c.Startup)
	}
	return nil
}
