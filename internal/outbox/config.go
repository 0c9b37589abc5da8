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

// DefaultConfig batches up to 512 messages and 1 MiB. A batch holds only
// what one mailbox invocation produced, so a larger cap adds no waiting.
// Once the per-message costs of decoding were cut (compact Data, one blob
// per batch), 32 spent less CPU per multicast than 8, in process and over
// loopback; once a peer's queue stopped pinning 16 MB for the collector
// (actors.Config.PeerQueue), 128 beat 32 over loopback (membership with
// three processes: 8.1 instead of 9.0 allocations and about 5% more
// deliveries per second; ordering: atomic 0.83-0.85 of raw remote instead
// of 0.74-0.77) and tied in process. Once batches were encoded once for
// all their destinations (Encoded), 512 beat 128 over loopback (three
// alternated pairs of the membership cells: atomic +1 to +11%, FIFO 0 to
// +20%; ordering +3 to +19% in three of four classes) and tied in process.
// These were A/B runs of bench's BenchmarkOrdering,
// BenchmarkOrderingLoopback and BenchmarkMatrixLoopback (build the bench
// test binary once with each value here, `go test -c -o`, and alternate
// the two; each member's Config.BatchMax overrides this).
func DefaultConfig() Config { return Config{MaxItems: 512, MaxBytes: 1 << 20} }

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
