package ordering

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Class is one of the six ordering classes; it is the layers' class type.
type Class = layer.Class

// The six classes, weakest first (named here so that the stack helpers
// FIFO, Causal and Total can keep the short names).
const (
	ClassReliable     = layer.Reliable
	ClassFIFO         = layer.FIFO
	ClassCausal       = layer.Causal
	ClassAtomic       = layer.Atomic
	ClassFIFOAtomic   = layer.FIFOAtomic
	ClassCausalAtomic = layer.CausalAtomic
)

// ParseClass is the inverse of Class.String, wrapping ErrConfig on failure.
func ParseClass(s string) (Class, error) {
	c, err := layer.ParseClass(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return c, nil
}
