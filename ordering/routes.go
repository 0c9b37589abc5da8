package ordering

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Members recognise each other's ordering traffic by the sender PID of the
// protoactor envelope: each member sends the traffic of class k under a
// "port" PID, its own PID with "#k" appended to the id. The port PID is never
// an actor; it names (process, class) on the wire at no cost, since the
// envelope and its sender travel anyway (and through protoactor remote). A
// message from a port of the group goes to the pure core of that class;
// anything else is the application's and passes through untouched.

type pidKey struct{ addr, id string }

type route struct {
	from history.ProcessID
	slot int
}

// ports interns port PIDs so that every member in this process uses the
// same pointer for a port: then in-process arrivals are routed by pointer
// and only remote ones (whose PIDs are decoded afresh) by their strings.
var ports sync.Map // pidKey -> *actor.PID

func portPID(member *actor.PID, class Class) *actor.PID {
	k := pidKey{member.Address, member.Id + "#" + class.String()}
	if p, ok := ports.Load(k); ok {
		return p.(*actor.PID)
	}
	p, _ := ports.LoadOrStore(k, actor.NewPID(k.addr, k.id))
	return p.(*actor.PID)
}

// routes maps process ids to PIDs and port PIDs back to (process, class).
// Built once before the mailbox is shared, then only read.
type routes struct {
	ids    []history.ProcessID // members, in rank order
	byRank []*actor.PID        // their PIDs
	pids   map[history.ProcessID]*actor.PID
	byPtr  map[*actor.PID]route
	byKey  map[pidKey]route
	ports  [][]*actor.PID // ports[rank][slot]
}

func newRoutes(cfg Config, classes []Class) routes {
	r := routes{
		ids:   cfg.Members,
		pids:  cfg.PIDs,
		byPtr: make(map[*actor.PID]route, len(cfg.Members)*len(classes)),
		byKey: make(map[pidKey]route, len(cfg.Members)*len(classes)),
	}
	for _, m := range cfg.Members {
		r.byRank = append(r.byRank, cfg.PIDs[m])
		r.ports = append(r.ports, make([]*actor.PID, len(classes)))
		for slot, k := range classes {
			p := portPID(cfg.PIDs[m], k)
			r.ports[len(r.ports)-1][slot] = p
			rt := route{from: m, slot: slot}
			r.byPtr[p] = rt
			r.byKey[pidKey{p.Address, p.Id}] = rt
		}
	}
	return r
}

// rankOf returns the rank (-1 if id is no member) and PID of id. A scan
// of the few members beats a map lookup: outbound ids are the core's own
// copies of cfg.Members, so the comparisons mostly succeed on the string
// pointer.
func (r *routes) rankOf(id history.ProcessID) (int, *actor.PID) {
	for i, m := range r.ids {
		if m == id {
			return i, r.byRank[i]
		}
	}
	return -1, r.pids[id]
}

// portOf returns the port of member id for slot, or nil.
func (r *routes) portOf(id history.ProcessID, slot int) *actor.PID {
	for i, m := range r.ids {
		if m == id {
			return r.ports[i][slot]
		}
	}
	return nil
}

func (r *routes) lookup(sender *actor.PID) (route, bool) {
	if rt, ok := r.byPtr[sender]; ok {
		return rt, true
	}
	rt, ok := r.byKey[pidKey{sender.Address, sender.Id}]
	return rt, ok
}

// isLockstepTraffic reports whether msg is one of Lockstep's ordering wire
// messages, so that one from an unknown sender is counted and dropped
// rather than handed to the application.
func isLockstepTraffic(msg any) bool {
	if _, ok := msg.(*localData); ok {
		return true
	}
	if _, ok := msg.(*outbox.Local); ok {
		return true
	}
	pm, ok := msg.(proto.Message)
	if !ok {
		return false
	}
	name := pm.ProtoReflect().Descriptor().FullName()
	return name == "lockstep.wire.Batch" || isLockstepType(name)
}

// isLockstepType reports whether name is one of the ordering cores' own
// wire messages: what a batch may carry.
func isLockstepType(name protoreflect.FullName) bool {
	return name == "lockstep.wire.Data" || name.Parent() == protoreflect.FullName("lockstep.layer")
}
