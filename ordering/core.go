package ordering

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"google.golang.org/protobuf/proto"
)

// Core is the pure ordering stack a decorated mailbox drives: a step.Machine
// that also accepts the member's own multicasts. The layers' *layer.Member
// implements it.
type Core interface {
	step.Machine
	// Multicast stamps payload and queues it for the group; it may refuse
	// with the layers' window-full error when flow control says wait.
	Multicast(payload proto.Message) (history.MsgID, error)
}

// coreConfig is what one core is built from.
// TEMPORARY until the layers land: then it becomes layer.Config.
type coreConfig struct {
	Self    history.ProcessID
	Group   string
	Members []history.ProcessID
	View    uint64
	Class   Class
}

func (c Config) coreConfig(class Class) coreConfig {
	return coreConfig{Self: c.Self, Group: c.Group, Members: c.Members, View: c.View, Class: class}
}

// newCore builds the pure stack for one class. A variable so that internal
// tests can substitute a scripted core.
var newCore = func(cc coreConfig) (Core, error) { return newPassthrough(cc), nil }

// isWindowFull reports whether err is the layers' flow-control refusal.
func isWindowFull(err error) bool { return false }
