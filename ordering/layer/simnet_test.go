package layer

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// This file is a small seeded network for the layer's own tests: loss,
// duplication, delay and reordering, then a heal and a run to quiescence.
// Everything is driven by one seed, so a failure replays from it.

type packet struct {
	from, to int
	msg      proto.Message
	fan      *Fanout // instead of msg, in local mode: handed to StepLocal
	due      uint64
}

type netParams struct {
	members    int
	multicasts int     // multicasts attempted during the faulty phase
	loss, dup  float64 // per-packet probabilities during the faulty phase
	maxDelay   int     // ticks
	window     int
	// local runs the members as a driver whose members all share its
	// process: LazyPayload and LocalFanout, own multicasts carried as
	// Fanouts to StepLocal, retransmitted Data with the sender's payload.
	local bool
}

type simNet struct {
	seed    uint64
	rng     *rand.Rand
	p       netParams
	ids     []history.ProcessID
	members []*Member
	flight  []packet            // due now, in no particular order
	later   map[uint64][]packet // by due tick
	steps   int                 // packets stepped
	local   int                 // of them, handed to StepLocal
	now     uint64
	healed  bool
	hist    history.History
	sent    int // multicasts accepted
	errs    []error
}

func newSimNet(seed uint64, class Class, p netParams) (*simNet, error) {
	s := &simNet{seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), p: p, later: map[uint64][]packet{}}
	for i := range p.members {
		s.ids = append(s.ids, history.ProcessID(fmt.Sprintf("p%d", i)))
	}
	for _, id := range s.ids {
		cfg := DefaultConfig()
		cfg.Self, cfg.Group, cfg.Members, cfg.View, cfg.Class = id, "g", s.ids, 1, class
		cfg.Window = p.window
		cfg.LazyPayload, cfg.LocalFanout = p.local, p.local
		m, err := New(cfg)
		if err != nil {
			return nil, err
		}
		s.members = append(s.members, m)
	}
	return s, nil
}

// drain carries out member i's Ready: records events, puts messages in flight.
func (s *simNet) drain(i int) {
	m := s.members[i]
	if !m.HasReady() {
		return
	}
	rd := m.Ready()
	for _, e := range rd.Events {
		e.Index, e.Time = int64(len(s.hist)), int64(s.now)
		s.hist = append(s.hist, e)
	}
	for _, f := range m.Fanouts() {
		for to := range s.members {
			if to != i {
				f := f
				s.send(packet{from: i, to: to, fan: &f})
			}
		}
	}
	for _, o := range rd.Messages {
		pk := packet{from: i, to: s.index(o.To), msg: o.Msg}
		if d, ok := o.Msg.(*wire.Data); ok && s.p.local {
			// As the in-process driver does: the sender's payload,
			// looked up while the sender still buffers it.
			pk.msg, pk.fan = nil, &Fanout{Seq: d.Seq, Vt: d.Vt, Payload: m.PayloadOf(d)}
		}
		s.send(pk)
	}
	m.Advance(rd)
}

// send puts pk in flight: lost, duplicated and delayed while not healed.
func (s *simNet) send(pk packet) {
	copies := 1
	if !s.healed {
		if s.rng.Float64() < s.p.loss {
			copies = 0
		} else if s.rng.Float64() < s.p.dup {
			copies = 2
		}
	}
	for range copies {
		delay := uint64(0)
		if s.p.maxDelay > 0 {
			delay = uint64(s.rng.IntN(s.p.maxDelay + 1))
		}
		pk.due = s.now + delay
		if delay == 0 {
			s.flight = append(s.flight, pk)
		} else {
			s.later[pk.due] = append(s.later[pk.due], pk)
		}
	}
}

func (s *simNet) index(id history.ProcessID) int {
	for i, x := range s.ids {
		if x == id {
			return i
		}
	}
	panic("unknown process " + id)
}

// deliverOne hands one due packet, chosen at random, to its receiver.
func (s *simNet) deliverOne() bool {
	if len(s.flight) == 0 {
		return false
	}
	i := s.rng.IntN(len(s.flight))
	p := s.flight[i]
	s.flight[i] = s.flight[len(s.flight)-1]
	s.flight = s.flight[:len(s.flight)-1]
	s.steps++
	var err error
	if p.fan != nil {
		s.local++
		err = s.members[p.to].StepLocal(s.ids[p.from], p.fan.Seq, p.fan.Vt, p.fan.Payload)
	} else {
		err = s.members[p.to].Step(s.ids[p.from], p.msg)
	}
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s stepping %T%v from %s: %w", s.ids[p.to], p.msg, p.fan, s.ids[p.from], err))
	}
	s.drain(p.to)
	return true
}

// advance moves virtual time on by d ticks without ticking the members.
func (s *simNet) advance(d uint64) {
	for range d {
		s.now++
		s.flight = append(s.flight, s.later[s.now]...)
		delete(s.later, s.now)
	}
}

func (s *simNet) inFlight() int {
	n := len(s.flight)
	for _, l := range s.later {
		n += len(l)
	}
	return n
}

func (s *simNet) tick() {
	s.advance(1)
	for i, m := range s.members {
		m.Tick()
		s.drain(i)
	}
}

// run plays the faulty phase, heals, and runs to quiescence. It reports
// an error if quiescence is not reached within a bounded number of ticks.
func (s *simNet) run() error {
	attempts := 0
	for attempts < s.p.multicasts {
		switch r := s.rng.IntN(20); {
		case r < 6:
			attempts++
			i := s.rng.IntN(len(s.members))
			_, err := s.members[i].Multicast(&wire.Probe{From: string(s.ids[i]), N: uint64(attempts)})
			if err == nil {
				s.sent++
			} else if !errors.Is(err, ErrWindowFull) {
				return fmt.Errorf("seed %d: multicast: %w", s.seed, err)
			}
			s.drain(i)
		case r < 19:
			if !s.deliverOne() {
				s.tick()
			}
		default:
			s.tick()
		}
	}
	s.healed = true
	for quiet, rounds := 0, 0; quiet < 3; rounds++ {
		if rounds > 5000 {
			return fmt.Errorf("seed %d: no quiescence after %d ticks (%d in flight)", s.seed, rounds, s.inFlight())
		}
		s.tick()
		s.advance(uint64(s.p.maxDelay))
		if s.inFlight() == 0 {
			quiet++
		} else {
			quiet = 0
		}
		for s.deliverOne() {
		}
	}
	if len(s.errs) > 0 {
		return fmt.Errorf("seed %d: correct peers' messages rejected: %v", s.seed, s.errs[0])
	}
	return nil
}
