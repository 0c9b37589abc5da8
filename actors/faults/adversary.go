package faults

import (
	"math/rand/v2"

	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// Adversary decides what a process under the Arbitrary model sends. For each
// message the correct process would send to peer to, Outgoing returns what the
// faulty one sends instead: nothing, one message, or several. It must not
// modify msg (clone it, as Corrupt does) and must draw all randomness from rng
// so runs replay from their seed. It is called from one goroutine at a time.
type Adversary interface {
	Outgoing(to history.ProcessID, msg proto.Message, rng *rand.Rand) []proto.Message
}

// Silent sends nothing at all: the arbitrary failure that looks like a crash
// to everyone but is not announced by any failure detector signal.
type Silent struct{}

// Outgoing implements Adversary.
func (Silent) Outgoing(history.ProcessID, proto.Message, *rand.Rand) []proto.Message { return nil }

// Garbage sends every message with a randomly corrupted value.
type Garbage struct{}

// Outgoing implements Adversary.
func (Garbage) Outgoing(_ history.ProcessID, msg proto.Message, rng *rand.Rand) []proto.Message {
	return []proto.Message{Corrupt(msg, rng)}
}

// TwoFaced tells half of its peers the truth and the other half a corrupted
// value, so that peers comparing notes disagree. Which half a peer is in is
// fixed per peer by Salt, so the lie is consistent over a run.
type TwoFaced struct{ Salt uint64 }

// Outgoing implements Adversary.
func (a TwoFaced) Outgoing(to history.ProcessID, msg proto.Message, rng *rand.Rand) []proto.Message {
	if peerHash(to, a.Salt)&1 == 0 {
		return []proto.Message{msg}
	}
	return []proto.Message{Corrupt(msg, rng)}
}

// Replayer sends each message twice, the second time with a corrupted value,
// so a receiver sees two conflicting messages with one identity.
type Replayer struct{}

// Outgoing implements Adversary.
func (Replayer) Outgoing(_ history.ProcessID, msg proto.Message, rng *rand.Rand) []proto.Message {
	return []proto.Message{msg, Corrupt(msg, rng)}
}

// peerHash is FNV-1a over the peer's id, mixed with salt.
func peerHash(id history.ProcessID, salt uint64) uint64 {
	h := uint64(14695981039346656037) ^ salt
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}
