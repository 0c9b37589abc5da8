package sim

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the simulator returns wraps one of these.
var (
	// ErrConfig: a Config field is out of range.
	ErrConfig = errors.New("sim: invalid config")
	// ErrProcess: Add got a nil machine or an ID already in use, or an
	// operation named a process the simulator does not know.
	ErrProcess = errors.New("sim: bad process")
	// ErrLimit: the run reached Config.MaxTime or Config.MaxSteps before
	// it finished (before quiescence, or before RunUntil's condition held).
	ErrLimit = errors.New("sim: limit reached")
	// ErrAction: an action scheduled with Do returned an error; the run
	// stopped there.
	ErrAction = errors.New("sim: action failed")
)

// RunError is what a run returns when it stops on an error. It names the seed
// so that a failure can be replayed exactly.
type RunError struct {
	Seed uint64
	// Time is the virtual time at which the run stopped.
	Time int64
	Err  error
}

func (e *RunError) Error() string {
	return fmt.Sprintf("%v (seed %d, virtual time %d; replay with Config.Seed=%d)", e.Err, e.Seed, e.Time, e.Seed)
}

func (e *RunError) Unwrap() error { return e.Err }
