package outbox

import (
	"errors"
	"fmt"
)

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("outbox: invalid config")

// Config bounds the batches.
type Config struct {
	// MaxItems is the most messages one batch carries; a destination that
	// reaches it is flushed at once. 1 turns batching off.
	MaxItems int
	// MaxBytes is the most marshalled bytes one *wire.Batch carries; a
	// larger burst to another process is split. It stays well below
	// gRPC's default 4 MiB message limit.
	MaxBytes int
}

// DefaultConfig batches up to 8 messages and 1 MiB. Eight already cuts the
// transport messages of a fan-out eightfold; larger batches measured worse
// with closed-loop senders, which wait for their own batch to go out
// before the next round of deliveries lets them multicast again.
func DefaultConfig() Config { return Config{MaxItems: 8, MaxBytes: 1 << 20} }

// Validate reports whether c is usable.
func (c Config) Validate() error {
	if c.MaxItems < 1 {
		return fmt.Errorf("%w: MaxItems %d < 1", ErrConfig, c.MaxItems)
	}
	if c.MaxBytes < 1 {
		return fmt.Errorf("%w: MaxBytes %d < 1", ErrConfig, c.MaxBytes)
	}
	return nil
}
