package byz

import "errors"

// Sentinel errors. Step wraps one of them (test with errors.Is) whenever it
// rejects a message; a rejected message changes nothing and is counted in
// Stats.Rejected under its sentinel.
var (
	// ErrConfig: a Config failed Validate.
	ErrConfig = errors.New("byz: invalid config")
	// ErrUnexpectedMessage: the message is not of the algorithm's type.
	ErrUnexpectedMessage = errors.New("byz: unexpected message type")
	// ErrWrongSession: the message belongs to another run.
	ErrWrongSession = errors.New("byz: wrong session")
	// ErrUnknownInstance: no instance of this machine has that commander.
	ErrUnknownInstance = errors.New("byz: unknown instance")
	// ErrNotMember: the sender or a general named in the message is not one
	// of the generals.
	ErrNotMember = errors.New("byz: not a general")
	// ErrBadPath: an oral message's path is empty, too long, does not start
	// with the commander, repeats a general or names the receiver.
	ErrBadPath = errors.New("byz: malformed path")
	// ErrSenderMismatch: an oral message's path does not end with the
	// general it came from (the known-sender check of OM).
	ErrSenderMismatch = errors.New("byz: path does not end with the sender")
	// ErrLate: the message's round is already closed.
	ErrLate = errors.New("byz: round already closed")
	// ErrDuplicate: a value for that path was already received.
	ErrDuplicate = errors.New("byz: duplicate message")
	// ErrBadValue: the value is empty or longer than Config.MaxValueLen.
	ErrBadValue = errors.New("byz: invalid value")
	// ErrBadChain: a signature chain is empty, too long, does not start with
	// the commander, names the receiver or holds a malformed signature.
	ErrBadChain = errors.New("byz: malformed signature chain")
	// ErrDuplicateSigner: a general signed the same chain twice.
	ErrDuplicateSigner = errors.New("byz: duplicate signer in chain")
	// ErrUnknownSigner: a signer has no public key in Config.PublicKeys.
	ErrUnknownSigner = errors.New("byz: unknown signer")
	// ErrForged: a signature does not verify.
	ErrForged = errors.New("byz: forged signature")
)
