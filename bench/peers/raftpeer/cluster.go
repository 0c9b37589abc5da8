package raftpeer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

var (
	// ErrStopped is returned by Replicate on a stopped cluster.
	ErrStopped = errors.New("raftpeer: cluster stopped")
	// ErrNode wraps a failure inside a node's loop (raft or storage).
	ErrNode = errors.New("raftpeer: node failed")
	// ErrNoLeader is returned by Start when node 1 is not elected in time.
	ErrNoLeader = errors.New("raftpeer: no leader elected")
)

// silent keeps raft's logging out of benchmark output; panics still panic.
var silent = &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}

// Cluster is a running in-process raft cluster. Replicate may be called
// from one goroutine at a time.
type Cluster struct {
	cfg      Config
	nodes    []*node
	progress chan struct{} // a node applied entries
	failed   chan error    // first node failure
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

type node struct {
	id      uint64
	c       *Cluster
	rn      *raft.RawNode
	storage *raft.MemoryStorage
	inbox   *inbox
	// applied counts payload entries applied; appliedIndex is the log index
	// applied, read by other nodes to decide what is safe to compact.
	applied      atomic.Uint64
	appliedIndex atomic.Uint64
	leader       atomic.Uint64
	compacted    uint64
	confState    *pb.ConfState
}

// Start builds the cluster, elects node 1 and returns once every node knows
// it as leader and has applied its first entry.
func Start(cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, progress: make(chan struct{}, 1), failed: make(chan error, 1), stop: make(chan struct{})}
	voters := make([]uint64, cfg.Nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for _, id := range voters {
		n, err := newNode(c, id, voters)
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, n)
	}
	if err := c.nodes[0].rn.Campaign(); err != nil {
		return nil, fmt.Errorf("%w: campaign: %v", ErrNode, err)
	}
	for _, n := range c.nodes {
		c.wg.Add(1)
		go n.run()
	}
	if err := c.awaitLeader(); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// newNode bootstraps a node the way the raft package recommends: a storage
// whose snapshot already holds the membership, so the log starts at 2.
func newNode(c *Cluster, id uint64, voters []uint64) (*node, error) {
	storage := raft.NewMemoryStorage()
	confState := &pb.ConfState{Voters: voters}
	snap := &pb.Snapshot{Metadata: &pb.SnapshotMetadata{ConfState: confState, Index: new(uint64(1)), Term: new(uint64(1))}}
	if err := storage.ApplySnapshot(snap); err != nil {
		return nil, fmt.Errorf("%w: bootstrap node %d: %v", ErrNode, id, err)
	}
	rn, err := raft.NewRawNode(&raft.Config{
		ID:              id,
		ElectionTick:    c.cfg.ElectionTick,
		HeartbeatTick:   c.cfg.HeartbeatTick,
		Storage:         storage,
		Applied:         1,
		MaxSizePerMsg:   c.cfg.MaxSizePerMsg,
		MaxInflightMsgs: c.cfg.MaxInflightMsgs,
		PreVote:         true,
		Logger:          silent,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: node %d: %v", ErrNode, id, err)
	}
	n := &node{id: id, c: c, rn: rn, storage: storage, inbox: newInbox(), compacted: 1, confState: confState}
	n.appliedIndex.Store(1)
	return n, nil
}

func (c *Cluster) awaitLeader() error {
	deadline := time.NewTimer(c.cfg.Startup)
	defer deadline.Stop()
	for {
		ready := true
		for _, n := range c.nodes {
			// the new leader's empty entry is at index 2
			if n.leader.Load() != 1 || n.appliedIndex.Load() < 2 {
				ready = false
			}
		}
		if ready {
			return nil
		}
		select {
		case <-c.progress:
		case err := <-c.failed:
			return err
		case <-deadline.C:
			return fmt.Errorf("%w within %v", ErrNoLeader, c.cfg.Startup)
		}
	}
}

// Result is what one Replicate run measured.
type Result struct {
	// Entries is the number of entries proposed and applied on every node.
	Entries int
	// Elapsed runs from the first proposal to the last node applying the
	// last entry.
	Elapsed time.Duration
}

// EntriesPerSecond is the rate at which entries were applied on all nodes.
func (r Result) EntriesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Entries) / r.Elapsed.Seconds()
}

// Replicate proposes count entries, each carrying payload, keeping up to
// Config.Window of them in flight, and returns once every node has applied
// all of them. payload must not be modified until Replicate returns.
func (c *Cluster) Replicate(ctx context.Context, count int, payload []byte) (Result, error) {
	if len(payload) == 0 {
		return Result{}, fmt.Errorf("%w: empty payload (raft's empty entries are not counted)", ErrConfig)
	}
	select {
	case <-c.stop:
		return Result{}, ErrStopped
	default:
	}
	base := make([]uint64, len(c.nodes))
	for i, n := range c.nodes {
		base[i] = n.applied.Load()
	}
	leader := c.nodes[0]
	proposed := 0
	start := time.Now()
	for {
		done := count
		for i, n := range c.nodes {
			done = min(done, int(n.applied.Load()-base[i]))
		}
		if done >= count {
			return Result{Entries: count, Elapsed: time.Since(start)}, nil
		}
		if inFlight := proposed - done; proposed < count && inFlight < c.cfg.Window/2 {
			// top the window up in halves so the leader gets real batches
			k := min(c.cfg.Window-inFlight, count-proposed)
			leader.inbox.propose(k, payload)
			proposed += k
		}
		select {
		case <-c.progress:
		case err := <-c.failed:
			return Result{}, err
		case <-c.stop:
			return Result{}, ErrStopped
		case <-ctx.Done():
			return Result{}, fmt.Errorf("raftpeer: %d of %d entries applied on all nodes: %w", done, count, ctx.Err())
		}
	}
}

// Stop ends every node's loop and waits for them.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
}

func (c *Cluster) fail(err error) {
	select {
	case c.failed <- err:
	default:
	}
}

func (c *Cluster) notify() {
	select {
	case c.progress <- struct{}{}:
	default:
	}
}
