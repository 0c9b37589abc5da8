package raftpeer

import (
	"fmt"
	"time"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// run is the node's goroutine: it waits for a tick or queued work, feeds
// everything queued to raft and handles the Readys that follow.
func (n *node) run() {
	defer n.c.wg.Done()
	ticker := time.NewTicker(n.c.cfg.TickInterval)
	defer ticker.Stop()
	var spare []*pb.Message
	batch := make([]*pb.Entry, 0, n.c.cfg.ProposalBatch)
	for {
		select {
		case <-n.c.stop:
			return
		case <-ticker.C:
			n.rn.Tick()
		case <-n.inbox.wake:
		}
		msgs, proposals, payload := n.inbox.drain(spare)
		for _, m := range msgs {
			// a stale or misdirected message is raft's to ignore; the
			// benchmark only fails if entries stop being applied
			_ = n.rn.Step(m)
		}
		clear(msgs)
		spare = msgs
		if err := n.propose(proposals, payload, batch); err != nil {
			n.c.fail(err)
			return
		}
		for n.rn.HasReady() {
			if err := n.handle(n.rn.Ready()); err != nil {
				n.c.fail(err)
				return
			}
		}
	}
}

// propose hands k entries to raft, ProposalBatch to a proposal.
func (n *node) propose(k int, payload []byte, batch []*pb.Entry) error {
	for k > 0 {
		var err error
		if n.c.cfg.ProposalBatch == 1 {
			err = n.rn.Propose(payload)
			k--
		} else {
			batch = batch[:0]
			for ; k > 0 && len(batch) < cap(batch); k-- {
				batch = append(batch, &pb.Entry{Data: payload})
			}
			err = n.rn.Step(&pb.Message{Type: pb.MsgProp.Enum(), From: new(n.id), Entries: batch})
		}
		if err != nil {
			return fmt.Errorf("%w: node %d: propose: %v", ErrNode, n.id, err)
		}
	}
	return nil
}

// handle carries out one Ready in the order raft requires.
func (n *node) handle(rd raft.Ready) error {
	if rd.SoftState != nil {
		n.leader.Store(rd.SoftState.Lead)
	}
	if !raft.IsEmptySnap(rd.Snapshot) {
		if err := n.storage.ApplySnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("%w: node %d: apply snapshot: %v", ErrNode, n.id, err)
		}
		// entries covered by a snapshot count as applied
		idx := rd.Snapshot.GetMetadata().GetIndex()
		if prev := n.appliedIndex.Load(); idx > prev {
			n.applied.Add(idx - prev)
			n.appliedIndex.Store(idx)
		}
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		if err := n.storage.SetHardState(rd.HardState); err != nil {
			return fmt.Errorf("%w: node %d: hard state: %v", ErrNode, n.id, err)
		}
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		return fmt.Errorf("%w: node %d: append: %v", ErrNode, n.id, err)
	}
	for _, m := range rd.Messages {
		if to := m.GetTo(); to >= 1 && to <= uint64(len(n.c.nodes)) {
			n.c.nodes[to-1].inbox.push(m)
		}
	}
	if len(rd.CommittedEntries) > 0 {
		var payloads uint64
		for _, e := range rd.CommittedEntries {
			if e.GetType() == pb.EntryNormal && len(e.GetData()) > 0 {
				payloads++
			}
		}
		n.applied.Add(payloads)
		n.appliedIndex.Store(rd.CommittedEntries[len(rd.CommittedEntries)-1].GetIndex())
	}
	n.rn.Advance(rd)
	if err := n.compact(); err != nil {
		return err
	}
	if len(rd.CommittedEntries) > 0 || rd.SoftState != nil {
		n.c.notify()
	}
	return nil
}

// compact drops log entries every node has applied, keeping a margin so a
// follower that lags a little is still served entries, not a snapshot.
func (n *node) compact() error {
	const margin = 4096
	if n.appliedIndex.Load() < n.compacted+n.c.cfg.CompactEvery+margin {
		return nil
	}
	safe := n.appliedIndex.Load()
	for _, o := range n.c.nodes {
		safe = min(safe, o.appliedIndex.Load())
	}
	if safe <= n.compacted+margin {
		return nil
	}
	idx := safe - margin
	if _, err := n.storage.CreateSnapshot(idx, n.confState, nil); err != nil {
		return fmt.Errorf("%w: node %d: snapshot at %d: %v", ErrNode, n.id, idx, err)
	}
	if err := n.storage.Compact(idx); err != nil {
		return fmt.Errorf("%w: node %d: compact to %d: %v", ErrNode, n.id, idx, err)
	}
	n.compacted = idx
	return nil
}
