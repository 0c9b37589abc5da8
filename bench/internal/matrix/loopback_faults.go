package matrix

import (
	"sync/atomic"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/membership"
)

// heldFor is how far away a loopback child's timing trigger is set: far
// enough never to fire on its own.
const heldFor = 24 * time.Hour

// faultClock is the clock of a loopback child's fault middleware. A
// faults.Trigger counts ticks from the moment the faults were set up, but a
// child sets them up before it joins, and how long the join takes is not
// known in advance; so the timing victim holds its trigger a day away and,
// at the fault moment of its own timeline, moves this clock a day ahead
// (fire): the injector sees its trigger reached at the next message, as an
// AtTick trigger would. Delays are relative, so held-back messages keep
// their length; nothing is held back before the jump.
type faultClock struct {
	ahead atomic.Int64 // nanoseconds added to the wall clock
}

func (c *faultClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

func (c *faultClock) AfterFunc(d time.Duration, f func()) actors.Timer {
	return time.AfterFunc(d, f)
}

// fire makes the held trigger due.
func (c *faultClock) fire() { c.ahead.Store(int64(2 * heldFor)) }

// loopbackFaultSpec is the injector of the faulty child, as the in-process
// matrix's faultSpec gives it, with the timing trigger held (see
// faultClock) and the delay three suspicion timeouts of the loopback
// configuration. tick is the node's FaultTick.
func loopbackFaultSpec(cfg Config, mcfg membership.Config, tick time.Duration) (faults.Spec, bool) {
	switch cfg.Scenario {
	case Omission:
		return faults.Spec{Model: faults.SendOmission, Rate: cfg.OmissionRate, Seed: cfg.Seed}, true
	case Timing:
		timeout := time.Duration(mcfg.Core.SuspectTimeout) * mcfg.TickInterval
		return faults.Spec{Model: faults.Timing, Delay: int64(3 * timeout / tick),
			Start: faults.Trigger{AtTick: int64(heldFor / tick)}, Seed: cfg.Seed}, true
	}
	return faults.Spec{}, false
}

// injectedVictim is the spawn index of the child the scenario's injector
// (omission, timing) or slowness applies to: the last to join, which ranks
// last. The crash scenarios pick their victim by rank from the complete
// view instead (see RunLoopback), since the parent kills it.
func injectedVictim(s Scenario, procs int) int {
	switch s {
	case Omission, Timing, SlowConsumer:
		return procs - 1
	}
	return -1
}
