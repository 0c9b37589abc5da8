package agreement

import (
	"errors"
	"fmt"

	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// Sentinel errors of the actor set. A message a general refuses is counted
// in Stats.Rejected under the sentinel its error wraps: one of these, or one
// of package byz's when the core refused it.
var (
	// ErrConfig: a Config failed Validate, or NewCouncil's arguments do not
	// fit it.
	ErrConfig = errors.New("agreement: invalid config")
	// ErrClosed: the council has been closed.
	ErrClosed = errors.New("agreement: council closed")
	// ErrNoDecision: a run's context ended before every local loyal general
	// decided.
	ErrNoDecision = errors.New("agreement: no decision before the context ended")
	// ErrBadValue: a proposed value is empty or longer than MaxValueLen.
	ErrBadValue = errors.New("agreement: invalid value")
	// ErrUnexpectedMessage: a general received something that is not an
	// agreement message.
	ErrUnexpectedMessage = errors.New("agreement: unexpected message")
	// ErrNotGeneral: the actor the envelope names as sender is not a
	// general of the council.
	ErrNotGeneral = errors.New("agreement: sender is not a general")
	// ErrNoSender: the protoactor envelope names no sender, which no
	// loyal general sends. (A payload that names another sender than the
	// envelope is refused by the core, as byz.ErrSenderMismatch.)
	ErrNoSender = errors.New("agreement: message without a sender")
	// ErrUnknownSession: the message's session does not belong to this
	// council.
	ErrUnknownSession = errors.New("agreement: unknown session")
	// ErrStaleSession: the message belongs to a session this general has
	// already finished.
	ErrStaleSession = errors.New("agreement: session already finished")
	// ErrEarlyOverflow: too many messages arrived for sessions this general
	// has not begun yet (Config.MaxEarly).
	ErrEarlyOverflow = errors.New("agreement: too many messages for sessions not yet begun")
)

// sentinels lists every sentinel a rejection can wrap, ours and the core's,
// most specific first.
var sentinels = []error{
	ErrUnexpectedMessage, ErrNotGeneral, ErrNoSender, ErrUnknownSession,
	ErrStaleSession, ErrEarlyOverflow,
	byz.ErrUnexpectedMessage, byz.ErrWrongSession, byz.ErrUnknownInstance, byz.ErrNotMember,
	byz.ErrBadPath, byz.ErrSenderMismatch, byz.ErrLate, byz.ErrDuplicate, byz.ErrBadValue,
	byz.ErrBadChain, byz.ErrDuplicateSigner, byz.ErrUnknownSigner, byz.ErrForged,
}

// sentinelOf returns the sentinel err wraps, or err itself.
func sentinelOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

func unknownSession(name string) error { return fmt.Errorf("%w: %q", ErrUnknownSession, name) }
func staleSession(n uint64) error      { return fmt.Errorf("%w: session %d", ErrStaleSession, n) }
func earlyOverflow(n uint64) error     { return fmt.Errorf("%w: session %d", ErrEarlyOverflow, n) }
