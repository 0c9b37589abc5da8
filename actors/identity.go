package actors

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// ErrBadProcessID is wrapped by the errors returned for a string that is not
// a process identity of the "address/name" form.
var ErrBadProcessID = errors.New("actors: malformed process id")

// LocalAddress is the address protoactor gives the actors of a node without
// remote. Process ids of such actors read "nonhost/name": they are unique
// within one node, and no other process can reach them anyway.
const LocalAddress = "nonhost"

// ProcessIDOf returns the process identity of the actor pid names:
// "address/name", for example "127.0.0.1:40123/alice". The address part is
// the node's Address (host:port, which never contains a slash), the name
// part is the actor's protoactor id (which may: children are "parent/child").
// The mapping is a bijection, so ids need no registry to be shared between
// processes: any process can turn an id from a view or a history back into
// a PID with PIDOf.
func ProcessIDOf(pid *actor.PID) history.ProcessID {
	if pid == nil {
		return ""
	}
	return history.ProcessID(pid.Address + "/" + pid.Id)
}

// PIDOf returns the protoactor PID of the process id, the inverse of
// ProcessIDOf.
func PIDOf(id history.ProcessID) (*actor.PID, error) {
	addr, name, ok := strings.Cut(string(id), "/")
	if !ok || addr == "" || name == "" {
		return nil, fmt.Errorf("%w: %q (want address/name)", ErrBadProcessID, id)
	}
	return actor.NewPID(addr, name), nil
}
