package ordering

import (
	"errors"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
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
	return lc
}

// newCore builds the pure stack for one class.
func newCore(lc layer.Config) (Core, error) { return layer.New(lc) }

// isWindowFull reports whether err is the layers' flow-control refusal.
func isWindowFull(err error) bool { return errors.Is(err, layer.ErrWindowFull) }
