package agreement

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/protobuf/proto"
)

// sessionOf returns an agreement message and the session it belongs to.
func sessionOf(msg any) (proto.Message, string, error) {
	switch m := msg.(type) {
	case *byz.OralMessage:
		return m, m.GetSession(), nil
	case *byz.SignedMessage:
		return m, m.GetSession(), nil
	}
	return nil, "", fmt.Errorf("%w: %T", ErrUnexpectedMessage, msg)
}

// senderOf returns the general a message came from: the general whose
// actor the protoactor envelope names as sender. Loyal generals always
// send with their own PID there. The core then holds the payload to it:
// an oral message's path must end with it (byz.ErrSenderMismatch), while
// a signed message's chain speaks for itself through its signatures.
//
// Within one process the envelope's sender is written by the runtime for
// the sending actor, so this is the known sender of A2 by construction.
// Across processes any peer can write any PID there; SenderCheck, which
// NewCouncil installs on a node running mutual TLS, is what binds it to
// the peer's certificate (see doc.go).
func senderOf(members map[history.ProcessID]bool, sender *actor.PID) (history.ProcessID, error) {
	if sender == nil {
		return "", fmt.Errorf("%w: no envelope sender", ErrNoSender)
	}
	from := actors.ProcessIDOf(sender)
	if !members[from] {
		return "", fmt.Errorf("%w: %q", ErrNotGeneral, from)
	}
	return from, nil
}
