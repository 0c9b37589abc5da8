package sim

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// faultState is a process's failure model, if it has one.
type faultState struct {
	in *faults.Injector
	// announced is set once this model has switched on.
	announced bool
}

// Inject switches failure model spec on for process id, from spec.Start on,
// replacing any model it had; a spec with Model None removes it. The model
// acts on every message the process sends (before the network) and receives
// (after the network), and is the very injector the actor middleware uses.
// In the simulator spec.Delay and spec.Start.AtTick count ticks. A zero
// spec.Seed is replaced by one derived from the run's seed. Once the model
// is active the history records a Faulty event for the process (Value names
// the model), or a Crash event for the Crash model, which also stops the
// process like Crash. Inject may be called before a run or from an action.
// It returns an error wrapping ErrProcess or faults.ErrInvalidSpec.
func (s *Sim) Inject(id history.ProcessID, spec faults.Spec) error {
	p, err := s.lookup(id)
	if err != nil {
		return err
	}
	if spec.Model == faults.None {
		p.faults = faultState{}
		return nil
	}
	if spec.Seed == 0 {
		spec.Seed = s.faultsRand.Uint64() | 1
	}
	in, err := faults.NewInjector(spec)
	if err != nil {
		return fmt.Errorf("sim: process %q: %w", id, err)
	}
	p.faults = faultState{in: in}
	s.checkFaults(p)
	return nil
}

// tickUnit is the length of one tick in virtual time units.
func (s *Sim) tickUnit() int64 { return max(s.cfg.TickEvery, 1) }

// faultClock is the time failure models see: the number of ticks so far.
func (s *Sim) faultClock() int64 { return s.now / s.tickUnit() }

// checkFaults fires p's failure model at a tick (or at Inject) when its
// trigger is on time alone (Start.AfterMessages 0), so that a crash or
// failure "at tick T" happens at T even if no message passes then. A trigger
// that counts messages is left to the injector, which fires it on the next
// message, possibly part way through a Ready.
func (s *Sim) checkFaults(p *process) {
	f := &p.faults
	if f.in == nil || f.announced || p.crashed {
		return
	}
	if start := f.in.Spec().Start; start.AfterMessages == 0 && s.faultClock() >= start.AtTick {
		s.announce(p)
	}
}

// noteFaults records p's failure once its injector has switched on.
func (s *Sim) noteFaults(p *process) {
	if !p.faults.announced && p.faults.in.Active() {
		s.announce(p)
	}
}

func (s *Sim) announce(p *process) {
	p.faults.announced = true
	model := p.faults.in.Spec().Model
	if model == faults.Crash {
		s.crash(p)
		return
	}
	if !p.markedFaulty { // one Faulty event per process, whatever models it had
		p.markedFaulty = true
		s.record(history.Event{Process: p.id, Kind: history.Faulty, Value: model.String()})
	}
}
