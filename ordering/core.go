package ordering

import (
	"errors"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// Core is the pure ordering stack a decorated mailbox drives: a step.Machine
// that also accepts the member's own multicasts. *layer.Member implements it.
type Core interface {
	step.Machine
	// Multicast stamps payload and queues it for the group; it refuses with
	// layer.ErrWindowFull while flow control says wait.
	Multicast(payload proto.Message) (history.MsgID, error)
}

var _ Core = (*layer.Member)(nil)

// coreConfig is the layers' configuration for class k: the knobs of
// c.Layer with the group filled in from c.
func (c Config) coreConfig(k Class) layer.Config {
	lc := c.Layer
	lc.Self, lc.Group, lc.Members, lc.View, lc.Class = c.Self, c.Group, c.Members, c.View, k
	// Payloads are packed only if some member can only be reached packed.
	lc.LazyPayload = c.allLocal()
	// And then own multicasts never become wire.Data (local.go).
	lc.LocalFanout = lc.LazyPayload
	// With nothing recorded, deliveries come as compact records
	// (compactCore) rather than history events.
	lc.CompactDeliveries = !history.Enabled(c.Recorder)
	return lc
}

// compactCore is what a core offers when it hands deliveries over as
// compact records (layer.Config.CompactDeliveries); *layer.Member has it.
type compactCore interface {
	Deliveries() []layer.Delivery
}

var _ compactCore = (*layer.Member)(nil)

// newCore builds the pure stack for one class.
func newCore(lc layer.Config) (Core, error) { return layer.New(lc) }

// isWindowFull reports whether err is the layers' flow-control refusal.
func isWindowFull(err error) bool { return errors.Is(err, layer.ErrWindowFull) }

// localCore is what a core offers for in-process delivery by pointer
// (local.go); *layer.Member has it, test cores need not.
type localCore interface {
	PayloadOf(d *wire.Data) proto.Message
	StepLocal(from history.ProcessID, seq uint64, vt []uint64, payload proto.Message) error
	// Fanouts lists the own multicasts of the last Ready that the driver
	// carries to the other members (layer.Config.LocalFanout).
	Fanouts() []layer.Fanout
}

var _ localCore = (*layer.Member)(nil)
