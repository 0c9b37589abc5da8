package byz

import (
	"crypto/ed25519"
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// MaxGenerals bounds the number of generals: paths are indexed by byte.
const MaxGenerals = 255

// Config configures one general. The same struct serves OM(m), SM(m) and
// their interactive-consistency forms; fields an algorithm does not use are
// ignored by it.
type Config struct {
	// ID is this general.
	ID history.ProcessID
	// Generals lists every general, this one included, without repeats.
	// Every general must be given the same list in the same order (the
	// order fixes the order of outbound messages, not the outcome).
	Generals []history.ProcessID
	// Commander is the general whose value is agreed on (NewOM, NewSM).
	// Interactive consistency runs one instance per general and ignores it.
	Commander history.ProcessID
	// M is the number of traitors to tolerate; the algorithms run M+1
	// rounds. OM(M) is correct only if len(Generals) > 3M, SM(M) only if
	// len(Generals) > M+1; Validate requires only M <= len(Generals)-2 so
	// that tests can show what goes wrong beyond the bound.
	M int
	// RoundTicks is the length of a round in ticks: round r closes at the
	// latest when the machine has seen r*RoundTicks ticks (see doc.go). It
	// must exceed the largest message delay, counted in ticks, between
	// loyal generals.
	RoundTicks int
	// Value is this general's own value when it commands an instance.
	Value string
	// Session names this run; messages of other sessions are rejected. In
	// SM it is signed, so signatures cannot be replayed across runs.
	Session string
	// MaxValueLen bounds the length of a value in bytes.
	MaxValueLen int
	// Key is this general's ed25519 private key (SM only).
	Key ed25519.PrivateKey
	// PublicKeys maps every general to its ed25519 public key (SM only).
	PublicKeys map[history.ProcessID]ed25519.PublicKey
}

// DefaultConfig returns the defaults: M=1, 10 ticks per round, values up
// to 256 bytes, own value RETREAT. ID, Generals and (for a single
// instance) Commander must still be set, and keys for SM.
func DefaultConfig() Config {
	return Config{M: 1, RoundTicks: 10, MaxValueLen: 256, Value: Retreat}
}

// Validate reports whether c can run OM(m) or its interactive form. SM
// needs validateKeys as well.
func (c Config) Validate() error {
	n := len(c.Generals)
	if n < 2 || n > MaxGenerals {
		return fmt.Errorf("%w: %d generals, need 2..%d", ErrConfig, n, MaxGenerals)
	}
	seen := make(map[history.ProcessID]bool, n)
	for _, g := range c.Generals {
		if g == "" || seen[g] {
			return fmt.Errorf("%w: general %q empty or repeated", ErrConfig, g)
		}
		seen[g] = true
	}
	if !seen[c.ID] {
		return fmt.Errorf("%w: ID %q is not among the generals", ErrConfig, c.ID)
	}
	if c.Commander != "" && !seen[c.Commander] {
		return fmt.Errorf("%w: commander %q is not among the generals", ErrConfig, c.Commander)
	}
	if c.M < 0 || c.M > n-2 {
		return fmt.Errorf("%w: M=%d, need 0 <= M <= %d for %d generals", ErrConfig, c.M, n-2, n)
	}
	if c.RoundTicks < 1 {
		return fmt.Errorf("%w: RoundTicks=%d, need >= 1", ErrConfig, c.RoundTicks)
	}
	if c.MaxValueLen < 1 {
		return fmt.Errorf("%w: MaxValueLen=%d, need >= 1", ErrConfig, c.MaxValueLen)
	}
	if c.Value == "" || len(c.Value) > c.MaxValueLen {
		return fmt.Errorf("%w: Value must be 1..%d bytes", ErrConfig, c.MaxValueLen)
	}
	return nil
}

// DecisionTicks is the tick by which every loyal general has decided,
// whatever the traitors do: the close of round M+1.
func (c Config) DecisionTicks() int { return (c.M + 1) * c.RoundTicks }

// validateKeys checks the keys SM needs: a private key for this general
// matching its public key, and a public key for every general.
func (c Config) validateKeys() error {
	if len(c.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: Key must be an ed25519 private key", ErrConfig)
	}
	for _, g := range c.Generals {
		if len(c.PublicKeys[g]) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: no ed25519 public key for %q", ErrConfig, g)
		}
	}
	own := c.Key.Public().(ed25519.PublicKey)
	if !own.Equal(c.PublicKeys[c.ID]) {
		return fmt.Errorf("%w: Key does not match PublicKeys[%q]", ErrConfig, c.ID)
	}
	return nil
}
