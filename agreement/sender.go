package agreement

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/protobuf/proto"
)

// claim returns the general a message says sent it and the session it
// belongs to. The sender is read from the payload, never from the
// protoactor envelope, which any peer can fill in: in OM it is the last
// general of the path (the core then checks the path is well formed and
// ends with it), in SM the last signer of the chain (whose signature the
// core verifies).
func claim(msg any) (pm proto.Message, from history.ProcessID, session string, err error) {
	switch m := msg.(type) {
	case *byz.OralMessage:
		if p := m.GetPath(); len(p) > 0 {
			from = history.ProcessID(p[len(p)-1])
		}
		return m, from, m.GetSession(), nil
	case *byz.SignedMessage:
		if c := m.GetChain(); len(c) > 0 {
			from = history.ProcessID(c[len(c)-1].GetSigner())
		}
		return m, from, m.GetSession(), nil
	}
	return nil, "", "", fmt.Errorf("%w: %T", ErrUnexpectedMessage, msg)
}

// checkSender applies the known-sender checks the actor layer can make:
// the claimed sender must be a general of the council, and the envelope's
// sender must be that general's actor. Loyal generals always send with
// their own PID as the envelope sender, so a mismatch or a missing sender
// is proof of tampering. A match proves nothing across processes (a
// dishonest peer can write any PID into both), which is why doc.go asks
// for an authenticated transport in OM.
func checkSender(members map[history.ProcessID]bool, from history.ProcessID, sender *actor.PID) error {
	if !members[from] {
		return fmt.Errorf("%w: %q", ErrNotGeneral, from)
	}
	if sender == nil {
		return fmt.Errorf("%w: no envelope sender, payload claims %q", ErrSpoofedSender, from)
	}
	if got := actors.ProcessIDOf(sender); got != from {
		return fmt.Errorf("%w: envelope from %q, payload claims %q", ErrSpoofedSender, got, from)
	}
	return nil
}
