package ordering

import (
	"fmt"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"github.com/sirupsen/logrus"
)

// HoldBack says where a decorated mailbox runs the pure layers.
type HoldBack int

const (
	// HoldInInvoker (the default) runs the layers inside the mailbox's
	// message invoker, on the actor's own goroutine: no locks, and each
	// deliverable payload is handed to the actor directly.
	HoldInInvoker HoldBack = iota
	// HoldAtPost runs the layers in PostUserMessage, on the sender's
	// goroutine under a mutex, and queues deliverable payloads into the
	// inner mailbox. Kept as the measured alternative (see doc.go).
	HoldAtPost
)

// Config configures one ordered group member: the actor spawned with a
// decorated mailbox. Build it from DefaultConfig and fill in the group.
type Config struct {
	// Self is this member's process identity.
	Self history.ProcessID
	// Group names the process group; multicasts name it.
	Group string
	// Members lists the group's processes in rank order (rank 0 is the
	// total-order sequencer); it must contain Self.
	Members []history.ProcessID
	// View is the id of the view the members run in (0 without views).
	View uint64
	// Class is the group's default class, used by multicasts that do not
	// choose one. Overridden by the FIFO/Causal/Total stack helpers.
	Class Class
	// Layer holds the pure layers' knobs (window, heartbeat and NAK
	// periods in ticks, order batching); its group fields are ignored and
	// filled in from the fields above.
	Layer layer.Config
	// Classes lists further classes a multicast may choose per message
	// (WithClass). Each class runs its own core: see doc.go on mixing.
	Classes []Class
	// PIDs maps every member to the PID of its actor (local or remote).
	// The PID of Self must be the PID the actor is spawned with (use
	// SpawnNamed), since peers recognise senders by it.
	PIDs map[history.ProcessID]*actor.PID
	// TickInterval is the wall-clock period of the ticks that drive the
	// layers' timers (heartbeats, retransmission, batching). Stability is
	// learnt from heartbeats, so one sender's throughput is at most about
	// Layer.Window messages per two ticks. Zero disables the timer (tests
	// may then call Group.Tick).
	TickInterval time.Duration
	// TickEvery makes the member also tick after this many arrivals (0:
	// the timer alone). Ticks are the layers' logical time; under load the
	// timer goroutine can be starved by busy actors for a whole scheduler
	// slice (10 ms), and stability reports, hence window space, would then
	// lag the traffic. Counting arrivals keeps logical time moving with the
	// traffic, so heartbeats go out every TickEvery arrivals or every
	// TickInterval, whichever comes first. Keep it well below Layer.Window.
	TickEvery int
	// PendingLimit bounds the member's own multicasts accepted but not yet
	// handed to a core: outside requests still in the mailbox plus
	// multicasts queued while the layers' window is full, all classes
	// together. A multicast beyond it fails with ErrBackpressure.
	PendingLimit int
	// Mode says where the layers run; HoldInInvoker unless measuring.
	Mode HoldBack
	// BatchMax is the most messages the member sends to one destination
	// as one transport message (HoldInInvoker mode): what it sends during
	// one mailbox invocation is gathered per destination and sent at the
	// end of it, so the transport's fixed cost per message is paid once
	// per batch (see doc.go, "Batching"). 1 sends every message alone.
	BatchMax int
	// NewCore, if set, builds the core of each class instead of layer.New:
	// for tests and for measuring the decorator apart from the layers.
	NewCore func(layer.Config) (Core, error)
	// PackLocal sends data to members in this process packed, as to remote
	// ones (an Any per multicast, unpacked afresh by every receiver),
	// instead of handing them the payload by pointer (local.go). Only for
	// sender middleware that must see every multicast as protobuf (fault
	// injection acts on protobuf messages only) and for measuring.
	PackLocal bool
	// Recorder, if enabled, receives every multicast and delivery event,
	// stamped with the wall clock (Unix ns), on the actor's goroutine (or
	// under the mailbox lock in HoldAtPost mode). It must not block. Off
	// (nil) costs one branch per Ready.
	Recorder history.Recorder
	// Logger receives rejected arrivals at debug level. Nil means the
	// standard logrus logger.
	Logger *logrus.Entry
}

// DefaultConfig returns a Config with the knobs set and the group left empty.
func DefaultConfig() Config {
	return Config{
		Class:        ClassReliable,
		Layer:        layer.DefaultConfig(),
		TickInterval: 2 * time.Millisecond, // the idle clock; under load TickEvery drives ticks
		TickEvery:    256,                  // a quarter of the layers' default window
		PendingLimit: 4096,                 // four windows of own payloads queued locally
		BatchMax:     outbox.DefaultConfig().MaxItems,
	}
}

// Validate reports what is wrong with c, wrapping ErrConfig.
func (c Config) Validate() error {
	switch {
	case c.Self == "":
		return fmt.Errorf("%w: Self is empty", ErrConfig)
	case c.Group == "":
		return fmt.Errorf("%w: Group is empty", ErrConfig)
	case !slices.Contains(c.Members, c.Self):
		return fmt.Errorf("%w: Self %q is not in Members", ErrConfig, c.Self)
	case c.PendingLimit < 0:
		return fmt.Errorf("%w: PendingLimit %d < 0", ErrConfig, c.PendingLimit)
	case c.TickEvery < 0:
		return fmt.Errorf("%w: TickEvery %d < 0", ErrConfig, c.TickEvery)
	case c.TickInterval < 0:
		return fmt.Errorf("%w: TickInterval %v < 0", ErrConfig, c.TickInterval)
	case c.BatchMax < 1:
		return fmt.Errorf("%w: BatchMax %d < 1", ErrConfig, c.BatchMax)
	case c.Mode != HoldInInvoker && c.Mode != HoldAtPost:
		return fmt.Errorf("%w: unknown Mode %d", ErrConfig, c.Mode)
	}
	for _, m := range c.Members {
		if c.PIDs[m] == nil {
			return fmt.Errorf("%w: no PID for member %q", ErrConfig, m)
		}
	}
	for _, k := range c.classes() {
		if err := c.coreConfig(k).Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	return nil
}

// classes returns the default class followed by the extra ones, without repeats.
func (c Config) classes() []Class {
	out := []Class{c.Class}
	for _, k := range c.Classes {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func (c Config) logger() *logrus.Entry {
	if c.Logger != nil {
		return c.Logger
	}
	return logrus.NewEntry(logrus.StandardLogger())
}

// outbox is the batching configuration of a member.
func (c Config) outbox() outbox.Config {
	oc := outbox.DefaultConfig()
	oc.MaxItems = c.BatchMax
	return oc
}
