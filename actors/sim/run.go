package sim

import (
	"errors"
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// ErrStalled: RunUntil's condition did not hold when the system became
// quiescent, so it never will without new input.
var ErrStalled = errors.New("sim: quiescent before the condition held")

// maxReadyRounds bounds how many Ready/Advance rounds one drain performs, so
// that a core that is always ready cannot hang the simulator; what is left
// is carried out after the process's next step or tick.
const maxReadyRounds = 64

// Run runs until the system is quiescent: no message in flight, no action
// scheduled, and Config.IdleTicks tick rounds in a row in which no process
// produced anything. It returns nil then, or a *RunError wrapping ErrLimit or
// ErrAction.
func (s *Sim) Run() error {
	return s.loop(s.quiescent, s.cfg.MaxTime, ErrLimit, false)
}

// RunUntil runs until done reports true (it is checked before every event),
// and returns nil then. It returns a *RunError wrapping ErrStalled if the
// system becomes quiescent first, or ErrLimit or ErrAction.
func (s *Sim) RunUntil(done func(*Sim) bool) error {
	return s.loop(func() bool { return done(s) }, s.cfg.MaxTime, ErrLimit, true)
}

// RunFor runs every event due within the next d time units, then sets the
// clock to Now()+d, whether or not the system is quiescent. Use it for
// protocols that never fall silent (heartbeats). It returns a *RunError
// wrapping ErrLimit or ErrAction.
func (s *Sim) RunFor(d int64) error {
	end := s.now + d
	if end > s.cfg.MaxTime {
		return s.loop(never, s.cfg.MaxTime, ErrLimit, false)
	}
	if err := s.loop(never, end, nil, false); err != nil {
		return err
	}
	s.now = end
	return nil
}

// Quiesce is the final phase of a fault-injection run, after which liveness
// can be checked: it heals every partition, turns network loss and
// duplication off for the rest of the run, and runs until quiescent.
// Crashed processes stay crashed and process failure models stay on.
func (s *Sim) Quiesce() error {
	s.Heal()
	s.cfg.Net.Loss = 0
	s.cfg.Net.Duplicate = 0
	return s.Run()
}

// QuiesceFor is Quiesce for protocols that never fall silent (heartbeats):
// it heals, turns loss and duplication off, and runs until the system is
// quiescent or d time units have passed, whichever comes first; running out
// of d is not an error. It returns a *RunError wrapping ErrLimit (MaxTime or
// MaxSteps reached first) or ErrAction.
func (s *Sim) QuiesceFor(d int64) error {
	s.Heal()
	s.cfg.Net.Loss = 0
	s.cfg.Net.Duplicate = 0
	end := s.now + d
	if end > s.cfg.MaxTime {
		return s.loop(s.quiescent, s.cfg.MaxTime, ErrLimit, false)
	}
	if err := s.loop(s.quiescent, end, nil, false); err != nil {
		return err
	}
	if !s.quiescent() {
		s.now = end
	}
	return nil
}

// quiescent reports whether nothing can happen any more without new input.
func (s *Sim) quiescent() bool {
	return s.pending == 0 && (s.cfg.TickEvery == 0 || s.idle >= s.cfg.IdleTicks)
}

func never() bool { return false }

// loop processes events in (time, sequence) order until stop holds. Events
// due after deadline are left queued; reaching the deadline is an error
// wrapping atDeadline, or success when atDeadline is nil. With stall set,
// quiescence before stop holds is an error wrapping ErrStalled.
func (s *Sim) loop(stop func() bool, deadline int64, atDeadline error, stall bool) error {
	s.drainAll()
	for {
		if stop() {
			return nil
		}
		if stall && s.quiescent() {
			return s.fail(ErrStalled)
		}
		if s.q.len() == 0 {
			// Only possible with ticks off: nothing will ever happen again.
			return nil
		}
		if s.q.peek().at > deadline {
			if atDeadline == nil {
				return nil
			}
			return s.fail(fmt.Errorf("%w: virtual time %d", atDeadline, deadline))
		}
		if s.steps >= s.cfg.MaxSteps {
			return s.fail(fmt.Errorf("%w: %d steps", ErrLimit, s.cfg.MaxSteps))
		}
		s.steps++
		ev := s.q.pop()
		s.now = ev.at
		if ev.kind != tick {
			s.pending--
			s.idle = 0
		}
		if err := s.dispatch(&ev); err != nil {
			return s.fail(err)
		}
	}
}

func (s *Sim) fail(err error) error {
	return &RunError{Seed: s.cfg.Seed, Time: s.now, Err: err}
}

// dispatch carries out one event.
func (s *Sim) dispatch(ev *event) error {
	switch ev.kind {
	case arrive:
		s.arrive(ev.from, ev.to, ev.msg)
	case emit:
		from := s.procs[ev.from]
		if from.crashed {
			s.stats.SendOmitted++
			return nil
		}
		s.transmit(ev.from, ev.to, ev.msg)
	case tick:
		s.tickAll()
	case action:
		if err := ev.fn(s); err != nil {
			return fmt.Errorf("%w: %w", ErrAction, err)
		}
		s.drainAll()
	}
	return nil
}

// tickAll ticks every live process and re-arms the tick.
func (s *Sim) tickAll() {
	before := s.produced
	for _, p := range s.procs {
		if p.crashed {
			continue
		}
		p.m.Tick()
		s.drain(p)
		s.checkFaults(p)
	}
	s.stats.Ticks++
	s.q.push(event{at: s.now + s.cfg.TickEvery, kind: tick})
	if s.pending == 0 && s.produced == before {
		s.idle++
	} else {
		s.idle = 0
	}
}

// drainAll carries out whatever any live process has ready, in the order the
// processes were added.
func (s *Sim) drainAll() {
	for _, p := range s.procs {
		s.drain(p)
	}
}

// drain carries out p's Ready in the order of the driver loop of package
// step: first it sends the messages, then it records the events (the
// deliveries happen after the sends, so a core that relays before it
// delivers is uniform), then it acknowledges the Ready with Advance.
//
// If p's failure model crashes it part way through the sends, the rest of
// the messages are not sent and, of the events, only the Multicast ones are
// recorded: the multicast did begin (some copies may be out) but nothing
// that follows the sends happened. The Crash event comes after them.
func (s *Sim) drain(p *process) {
	for range maxReadyRounds {
		if p.crashed || !p.m.HasReady() {
			return
		}
		rd := p.m.Ready()
		p.sending = true
		for _, out := range rd.Messages {
			s.send(p, out.To, out.Msg)
		}
		p.sending = false
		s.produced += int64(len(rd.Events))
		if s.cfg.Record {
			for _, ev := range rd.Events {
				if p.crashed && ev.Kind != history.Multicast {
					continue
				}
				if ev.Process == "" {
					ev.Process = p.id
				}
				s.record(ev)
			}
		}
		if p.crashed {
			s.record(history.Event{Process: p.id, Kind: history.Crash})
			return
		}
		p.m.Advance(rd)
	}
}
