package replica

import (
	"errors"
	"fmt"
	"time"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Config configures one replica. Start from DefaultConfig.
type Config struct {
	// Class is the ordering class commands are multicast in. It must be one
	// of the atomic classes: replicas stay identical only if they apply the
	// same commands in the same order.
	Class layer.Class
	// AckEvery is how often a replica tells the other members of its view
	// how far it has applied the view's deliveries (when that changed; and
	// every tenth period regardless, so a lost notice is made good).
	AckEvery time.Duration
	// LocalReads is deliberately unsafe: a Get is answered from the
	// replica's own state at once, without going through the group's order.
	// A replica that lags behind then returns stale values. It exists only
	// so a test can show the linearizability checker catches that.
	LocalReads bool
}

// DefaultConfig returns the causal-atomic class and a 2 ms acknowledgement period.
func DefaultConfig() Config {
	return Config{Class: layer.CausalAtomic, AckEvery: 2 * time.Millisecond}
}

// ErrConfig is wrapped by every error Config.Validate returns.
var ErrConfig = errors.New("replica: invalid config")

// Validate reports what is wrong with c.
func (c Config) Validate() error {
	switch {
	case !c.Class.Total():
		return fmt.Errorf("%w: class %v is not atomic: replicas would apply commands in different orders", ErrConfig, c.Class)
	case c.AckEvery <= 0:
		return fmt.Errorf("%w: AckEvery %v must be positive", ErrConfig, c.AckEvery)
	}
	return nil
}

// Sentinel errors of a client call (Replica.Do).
var (
	// ErrRefused: the operation was not executed and never will be (the
	// replica refused it before multicasting it).
	ErrRefused = errors.New("replica: operation refused")
	// ErrUnknown: the outcome is unknown: the operation may or may not
	// take effect (time-out, or the replica left the group meanwhile).
	ErrUnknown = errors.New("replica: outcome unknown")
)
