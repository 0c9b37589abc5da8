package sim

import "fmt"

// NetConfig describes the simulated network. Every probability is drawn from
// the run's seeded generator, so the same seed makes the same choices.
type NetConfig struct {
	// Loss is the probability, in [0,1), that a message is lost in transit.
	Loss float64
	// Duplicate is the probability, in [0,1), that a message that was not
	// lost arrives twice (the copy travels with its own delay).
	Duplicate float64
	// MinDelay and MaxDelay bound the transit time of a message, in virtual
	// time units; each message draws a delay uniformly from
	// [MinDelay, MaxDelay]. 0 <= MinDelay <= MaxDelay.
	MinDelay int64
	MaxDelay int64
	// Reorder lets messages on one link (one sender, one receiver) overtake
	// each other. When false, each link is FIFO even with random delays: a
	// message never arrives before one sent earlier on the same link. Set it
	// only when the transport being modelled does not promise FIFO links.
	Reorder bool
}

// Config configures one simulation run.
type Config struct {
	// Seed drives every random choice of the run: network delays, loss,
	// duplication, reordering, the seeds of process failure models, and the
	// generator handed to workloads by Sim.Rand. Same seed, same run.
	Seed uint64
	// Net is the network model.
	Net NetConfig
	// TickEvery is the interval, in virtual time units, between two ticks;
	// at each tick every live process's Tick is called, in the order the
	// processes were added. 0 disables ticks. With the default of 1 a
	// virtual time unit is one tick.
	TickEvery int64
	// IdleTicks is how many consecutive ticks must pass with no message in
	// flight, no scheduled action and nothing produced by any process before
	// Run considers the system quiescent. It gives timers (retransmission,
	// failure detection) a chance to fire. Ignored when TickEvery is 0.
	IdleTicks int
	// MaxTime is the virtual time at which any run stops with ErrLimit.
	MaxTime int64
	// MaxSteps is the number of events (arrivals, tick rounds, actions),
	// counted over the simulator's whole life, after which any run stops
	// with ErrLimit; it bounds runs whose virtual time does not advance.
	MaxSteps int64
	// Record turns history recording on. When off, Ready events are
	// discarded and History returns nothing; recording costs nothing then.
	Record bool
}

// DefaultConfig returns a benign configuration: a reliable FIFO network with
// delays of 1 to 5 ticks, one tick per time unit, history recorded.
func DefaultConfig() Config {
	return Config{
		Seed:      1,
		Net:       NetConfig{MinDelay: 1, MaxDelay: 5},
		TickEvery: 1,
		IdleTicks: 20,
		MaxTime:   1_000_000,
		MaxSteps:  50_000_000,
		Record:    true,
	}
}

// Validate reports the first field that is out of range, wrapping ErrConfig.
func (c Config) Validate() error {
	switch {
	case c.Net.Loss < 0 || c.Net.Loss >= 1:
		return fmt.Errorf("%w: Net.Loss %v not in [0,1)", ErrConfig, c.Net.Loss)
	case c.Net.Duplicate < 0 || c.Net.Duplicate >= 1:
		return fmt.Errorf("%w: Net.Duplicate %v not in [0,1)", ErrConfig, c.Net.Duplicate)
	case c.Net.MinDelay < 0:
		return fmt.Errorf("%w: Net.MinDelay %d is negative", ErrConfig, c.Net.MinDelay)
	case c.Net.MaxDelay < c.Net.MinDelay:
		return fmt.Errorf("%w: Net.MaxDelay %d below Net.MinDelay %d", ErrConfig, c.Net.MaxDelay, c.Net.MinDelay)
	case c.TickEvery < 0:
		return fmt.Errorf("%w: TickEvery %d is negative", ErrConfig, c.TickEvery)
	case c.IdleTicks < 0:
		return fmt.Errorf("%w: IdleTicks %d is negative", ErrConfig, c.IdleTicks)
	case c.MaxTime <= 0:
		return fmt.Errorf("%w: MaxTime %d must be positive", ErrConfig, c.MaxTime)
	case c.MaxSteps <= 0:
		return fmt.Errorf("%w: MaxSteps %d must be positive", ErrConfig, c.MaxSteps)
	}
	return nil
}
