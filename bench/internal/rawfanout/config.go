package rawfanout

import (
	"errors"
	"fmt"
	"time"

	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
)

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("rawfanout: invalid config")

// ErrRun wraps a run that did not complete.
var ErrRun = errors.New("rawfanout: run failed")

// Config sets up one fan-out run.
type Config struct {
	// Receivers is the number of receiving actors (in one process) or
	// receiving processes (over loopback), each with one actor.
	Receivers int
	// Messages is how many messages the sender sends to every receiver.
	Messages int
	// PayloadBytes is the size of each message's body.
	PayloadBytes int
	// Window is how far the sender may run ahead of the slowest receiver.
	Window int
	// AckEvery is how often (in messages) a receiver reports its count.
	AckEvery int
	// Timeout bounds the whole run, process start-up included.
	Timeout time.Duration
}

// DefaultConfig returns 100-byte messages, a window of 65536 messages and a
// credit every 4096, bounded to 60 s. Over loopback a smaller window costs
// throughput (8192 gave about half), since protoactor remote batches up to
// 1000 messages per write and credits come back after a round trip.
func DefaultConfig(receivers, messages int) Config {
	return Config{Receivers: receivers, Messages: messages, PayloadBytes: 100, Window: 1 << 16, AckEvery: 1 << 12, Timeout: 60 * time.Second}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Receivers < 1:
		return fmt.Errorf("%w: Receivers %d, want at least 1", ErrConfig, c.Receivers)
	case c.Messages < 1:
		return fmt.Errorf("%w: Messages %d, want at least 1", ErrConfig, c.Messages)
	case c.PayloadBytes < 0:
		return fmt.Errorf("%w: PayloadBytes %d, want >= 0", ErrConfig, c.PayloadBytes)
	case c.AckEvery < 1 || c.Window < 2*c.AckEvery:
		// credits must come back before the window closes
		return fmt.Errorf("%w: Window %d must be at least twice AckEvery %d >= 1", ErrConfig, c.Window, c.AckEvery)
	case c.Timeout <= 0:
		return fmt.Errorf("%w: Timeout %v, want > 0", ErrConfig, c.Timeout)
	}
	return nil
}

// Result is what one run measured.
type Result struct {
	Receivers int
	// Messages is what every receiver received.
	Messages int
	// Elapsed runs from the sender's start to the last receiver's last
	// delivery (over loopback, to the parent hearing of it).
	Elapsed time.Duration
}

// PerMember is delivered messages per second at each receiver.
func (r Result) PerMember() float64 { return metrics.PerSecond(r.Messages, r.Elapsed) }

// Total is delivered messages per second summed over receivers.
func (r Result) Total() float64 { return r.PerMember() * float64(r.Receivers) }
