package raftpeer

import (
	"sync"

	pb "go.etcd.io/raft/v3/raftpb"
)

// inbox is a node's unbounded queue: senders never block, so two nodes
// sending to each other cannot deadlock, and the owner drains everything
// queued at once, which batches the work of one Ready.
type inbox struct {
	mu        sync.Mutex
	msgs      []*pb.Message
	proposals int
	payload   []byte
	wake      chan struct{}
}

func newInbox() *inbox { return &inbox{wake: make(chan struct{}, 1)} }

func (in *inbox) push(m *pb.Message) {
	in.mu.Lock()
	in.msgs = append(in.msgs, m)
	in.mu.Unlock()
	in.signal()
}

// propose asks the owner (the leader) to propose k more entries of payload.
func (in *inbox) propose(k int, payload []byte) {
	in.mu.Lock()
	in.proposals += k
	in.payload = payload
	in.mu.Unlock()
	in.signal()
}

func (in *inbox) signal() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// drain swaps the queued messages into spare (which it returns emptied for
// reuse next time) and takes the pending proposals.
func (in *inbox) drain(spare []*pb.Message) (msgs []*pb.Message, proposals int, payload []byte) {
	in.mu.Lock()
	msgs, in.msgs = in.msgs, spare[:0]
	proposals, payload = in.proposals, in.payload
	in.proposals = 0
	in.mu.Unlock()
	return msgs, proposals, payload
}
