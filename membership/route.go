package membership

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Members address each other by process id, which maps to a protoactor PID
// without any registry (actors.PIDOf): views can name processes that joined
// from anywhere. The core's traffic is sent with the member actor's own PID
// as the envelope's sender, so the receiving view manager knows which
// process it came from; the membership traffic is told from the
// application's own messages by its protobuf package.

// pidCache maps process ids to PIDs; used on the actor's goroutine only.
type pidCache map[history.ProcessID]*actor.PID

func (c pidCache) pid(id history.ProcessID) (*actor.PID, error) {
	if p, ok := c[id]; ok {
		return p, nil
	}
	p, err := actors.PIDOf(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRoute, err)
	}
	c[id] = p
	return p, nil
}

// isTraffic reports whether msg is one of Lockstep's membership or ordering
// wire messages, which belong to the core rather than to the application.
func isTraffic(msg any) bool {
	pm, ok := msg.(proto.Message)
	if !ok {
		return false
	}
	return isTrafficType(pm.ProtoReflect().Descriptor().FullName())
}

// isTrafficType reports whether name is one of the core's wire messages:
// what a batch may carry.
func isTrafficType(name protoreflect.FullName) bool {
	switch name.Parent() {
	case protoreflect.FullName("lockstep.flush"), protoreflect.FullName("lockstep.layer"):
		return true
	}
	return name == "lockstep.wire.Data"
}
