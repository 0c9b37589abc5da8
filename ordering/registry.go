package ordering

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// registry finds the driver of a member actor in this process: from inside
// the actor by its Self PID pointer (Multicast, MetaOf), from outside by the
// PID's strings (Handle).
var registry struct {
	byPtr sync.Map // *actor.PID -> *driver
	byKey sync.Map // pidKey -> *driver
}

func register(self *actor.PID, d *driver) {
	registry.byPtr.Store(self, d)
	registry.byKey.Store(pidKey{self.Address, self.Id}, d)
}

func unregister(self *actor.PID, d *driver) {
	registry.byPtr.CompareAndDelete(self, d)
	registry.byKey.CompareAndDelete(pidKey{self.Address, self.Id}, d)
}

func lookupDriver(pid *actor.PID) *driver {
	if pid == nil {
		return nil
	}
	if d, ok := registry.byPtr.Load(pid); ok {
		return d.(*driver)
	}
	if d, ok := registry.byKey.Load(pidKey{pid.Address, pid.Id}); ok {
		return d.(*driver)
	}
	return nil
}
