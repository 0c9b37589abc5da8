package sim

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// send takes one Outbound of process p through p's failure model and then
// the network.
func (s *Sim) send(p *process, to history.ProcessID, msg proto.Message) {
	if p.crashed {
		// p crashed while its Ready was being carried out.
		s.stats.SendOmitted++
		return
	}
	s.produced++
	ti, ok := s.index[to]
	if !ok {
		s.stats.Unroutable++
		return
	}
	from := p.idx
	if p.faults.in == nil {
		s.transmit(from, ti, msg)
		return
	}
	actions := p.faults.in.Outgoing(s.faultClock(), to, msg)
	s.noteFaults(p)
	if len(actions) == 0 {
		s.stats.SendOmitted++
		return
	}
	for _, a := range actions {
		if a.Delay > 0 {
			s.q.push(event{at: s.now + a.Delay*s.tickUnit(), kind: emit, from: from, to: ti, msg: a.Msg})
			s.pending++
			continue
		}
		s.transmit(from, ti, a.Msg)
	}
}

// SetFilter installs f as the network's message hook, or removes it when f
// is nil: every message entering the network (after its sender's failure
// model, before partitions, loss and delay) is passed to f, and dropped if f
// returns false. It drops chosen messages in a test ("lose p2's reply to
// p1"), in the manner of etcd raft's test network hooks; f must be
// deterministic and must not modify msg.
func (s *Sim) SetFilter(f func(from, to history.ProcessID, msg proto.Message) bool) {
	s.filter = f
}

// transmit hands msg to the network on the link from -> to: it may be cut by
// a partition, lost, duplicated and delayed.
func (s *Sim) transmit(from, to int32, msg proto.Message) {
	src := s.procs[from]
	s.stats.Sent++
	s.stats.Procs[from].Sent++
	if s.filter != nil && !s.filter(src.id, s.procs[to].id, msg) {
		s.stats.Filtered++
		return
	}
	if src.group != s.procs[to].group {
		s.stats.PartitionDropped++
		return
	}
	net := &s.cfg.Net
	if net.Loss > 0 && s.netRand.Float64() < net.Loss {
		s.stats.Lost++
		return
	}
	s.schedule(src, from, to, msg)
	if net.Duplicate > 0 && s.netRand.Float64() < net.Duplicate {
		s.stats.Duplicated++
		s.schedule(src, from, to, msg)
	}
}

// schedule queues the arrival of msg after a random delay. Without
// Net.Reorder the arrival is pushed back to no earlier than the last one
// scheduled on the same link; the queue's sequence numbers then keep equal
// times in sending order, so the link stays FIFO.
func (s *Sim) schedule(src *process, from, to int32, msg proto.Message) {
	net := &s.cfg.Net
	at := s.now + net.MinDelay
	if span := net.MaxDelay - net.MinDelay; span > 0 {
		at += s.netRand.Int64N(span + 1)
	}
	if !net.Reorder {
		if int(to) >= len(src.lastArrival) {
			src.lastArrival = append(src.lastArrival, make([]int64, int(to)+1-len(src.lastArrival))...)
		}
		at = max(at, src.lastArrival[to])
		src.lastArrival[to] = at
	}
	s.q.push(event{at: at, kind: arrive, from: from, to: to, msg: msg})
	s.pending++
	s.stats.InFlight++
}

// arrive delivers msg to process to, unless the receiver has crashed, a
// partition now separates the two, or the receiver's failure model drops it.
func (s *Sim) arrive(from, to int32, msg proto.Message) {
	s.stats.InFlight--
	dst := s.procs[to]
	switch {
	case dst.crashed:
		s.stats.CrashDropped++
		return
	case s.procs[from].group != dst.group:
		s.stats.PartitionDropped++
		return
	}
	if dst.faults.in != nil {
		ok := dst.faults.in.Incoming(s.faultClock(), s.procs[from].id, msg)
		s.noteFaults(dst)
		if !ok {
			s.stats.ReceiveOmitted++
			return
		}
	}
	s.stats.Delivered++
	ps := &s.stats.Procs[to]
	ps.Received++
	if err := dst.m.Step(s.procs[from].id, msg); err != nil {
		s.stats.StepErrors++
		ps.StepErrors++
		ps.LastError = err
	}
	s.drain(dst)
}
