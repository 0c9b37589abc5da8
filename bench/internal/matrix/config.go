package matrix

import (
	"errors"
	"fmt"
	"time"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// ErrConfig is wrapped by every error Config.Validate returns.
var ErrConfig = errors.New("matrix: invalid config")

// Config is one cell of the matrix and how long to measure it.
type Config struct {
	// Class is the ordering class of the group.
	Class layer.Class
	// Members is the group size.
	Members int
	// Scenario is the failure injected.
	Scenario Scenario
	// Before is how long the group streams before the fault moment and
	// After how long it streams after it; the measured window is both.
	// Scenarios without a fault moment simply measure Before+After.
	Before, After time.Duration
	// Warmup runs the stream before the window opens, so start-up is not
	// measured.
	Warmup time.Duration
	// Window is each member's own multicasts in flight.
	Window int
	// Senders is how many members multicast: the first Senders in rank
	// order (rank 0 is the coordinator and the atomic classes' sequencer),
	// or every member when 0. One sender is JGroups' benchmark shape.
	// Only the failure-free scenario takes it.
	Senders int
	// PayloadBytes is the payload size.
	PayloadBytes int
	// OmissionRate is the send-omission probability of the omission scenario.
	OmissionRate float64
	// SlowDelivery is the time the slow consumer spends per delivery.
	SlowDelivery time.Duration
	// SampleEvery is the throughput time series' period.
	SampleEvery time.Duration
	// Seed drives the fault injectors.
	Seed uint64
	// Timeout bounds the whole run, start-up and teardown included.
	Timeout time.Duration
}

// DefaultConfig is one second before and one after the fault, 256
// multicasts in flight per member, 100-byte payloads.
func DefaultConfig(class layer.Class, members int, s Scenario) Config {
	return Config{
		Class:        class,
		Members:      members,
		Scenario:     s,
		Before:       time.Second,
		After:        time.Second,
		Warmup:       200 * time.Millisecond,
		Window:       256,
		PayloadBytes: 100,
		OmissionRate: 0.01,
		SlowDelivery: 50 * time.Microsecond,
		SampleEvery:  10 * time.Millisecond,
		Seed:         1,
		Timeout:      time.Minute,
	}
}

// sends reports whether the member of rank i multicasts.
func (c Config) sends(i int) bool { return c.Senders == 0 || i < c.Senders }

// Validate reports the first field out of range.
func (c Config) Validate() error {
	switch {
	case !c.Class.Valid():
		return fmt.Errorf("%w: class %v", ErrConfig, c.Class)
	case c.Members < 3:
		return fmt.Errorf("%w: %d members, want at least 3 (a crash must leave a majority)", ErrConfig, c.Members)
	case c.Scenario < None || c.Scenario > SlowConsumer:
		return fmt.Errorf("%w: %v", ErrConfig, c.Scenario)
	case c.Before <= 0 || c.After <= 0 || c.Warmup < 0:
		return fmt.Errorf("%w: window %v + %v, warmup %v", ErrConfig, c.Before, c.After, c.Warmup)
	case c.Window < 1 || c.PayloadBytes < 0:
		return fmt.Errorf("%w: window %d, payload %d", ErrConfig, c.Window, c.PayloadBytes)
	case c.Senders < 0 || c.Senders > c.Members || (c.Senders > 0 && c.Scenario != None):
		return fmt.Errorf("%w: %d senders of %d members in scenario %v (only the failure-free one takes a subset)", ErrConfig, c.Senders, c.Members, c.Scenario)
	case c.OmissionRate < 0 || c.OmissionRate > 1:
		return fmt.Errorf("%w: omission rate %v", ErrConfig, c.OmissionRate)
	case c.SampleEvery <= 0 || c.Timeout <= 0:
		return fmt.Errorf("%w: sample period %v, timeout %v", ErrConfig, c.SampleEvery, c.Timeout)
	}
	return nil
}
