package faults

import (
	"errors"
	"fmt"
)

// Trigger says when a failure model switches on. Both conditions must hold:
// the process has handled at least AfterMessages messages (sent and received
// through its injector) and the clock has reached AtTick. The zero Trigger
// fires at once.
type Trigger struct {
	AfterMessages int
	AtTick        int64
}

// Spec configures one process's failure model.
type Spec struct {
	// Model is the failure to inject.
	Model Model
	// Start says when it switches on.
	Start Trigger
	// Rate is the probability that one message is affected, for the models
	// that act per message. Zero means 1: every message.
	Rate float64
	// Delay is how long Timing holds a message back, in the driver's units:
	// ticks in the simulator, a configured tick duration on real actors.
	Delay int64
	// Adversary decides what an Arbitrary process sends. Nil means Garbage.
	Adversary Adversary
	// Seed drives every random choice of this process's injector.
	Seed uint64
}

// ErrInvalidSpec is wrapped by every error Spec.Validate returns.
var ErrInvalidSpec = errors.New("faults: invalid spec")

// Validate reports whether s can be used.
func (s Spec) Validate() error {
	switch {
	case s.Model < None || s.Model > Arbitrary:
		return fmt.Errorf("%w: %w: %d", ErrInvalidSpec, ErrUnknownModel, int(s.Model))
	case s.Rate < 0 || s.Rate > 1:
		return fmt.Errorf("%w: rate %v is outside [0, 1]", ErrInvalidSpec, s.Rate)
	case s.Start.AfterMessages < 0 || s.Start.AtTick < 0:
		return fmt.Errorf("%w: negative trigger %+v", ErrInvalidSpec, s.Start)
	case s.Model == Timing && s.Delay <= 0:
		return fmt.Errorf("%w: timing failure needs a positive delay", ErrInvalidSpec)
	case s.Model != Arbitrary && s.Adversary != nil:
		return fmt.Errorf("%w: adversary given for model %v", ErrInvalidSpec, s.Model)
	}
	return nil
}

// Stats counts what an injector did.
type Stats struct {
	Dropped   int // messages not sent or not received
	Delayed   int // messages held back by a timing failure
	Corrupted int // messages whose value was changed
	Replayed  int // stale messages sent again by a state-transition failure
	Forged    int // messages an adversary sent in place of the real one
}
