package agreement

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// The algorithms a council runs (aliases of package byz's).
const (
	// OM is the oral-messages algorithm OM(m).
	OM = byz.OralMessages
	// SM is the signed-messages algorithm SM(m).
	SM = byz.SignedMessages
)

// Config configures a council: the same Config must be given to the council
// of every process that hosts some of its generals.
type Config struct {
	// Name names the council. Session names are Name#1, Name#2, ...; a
	// message of another council is rejected. It must not contain '#'.
	Name string
	// Algorithm is OM or SM.
	Algorithm byz.Algorithm
	// Interactive runs interactive consistency: every general commands an
	// instance with its own value and every loyal general decides a vector.
	// Otherwise one instance runs, commanded by Commander.
	Interactive bool
	// M is the number of traitors tolerated; a run takes M+1 rounds. OM
	// needs more than 3M generals, SM at least M+2.
	M int
	// Generals lists every general, in the same order everywhere. Each is a
	// process id of the actors runtime, "address/name": the council of the
	// node whose Address is address spawns the actor called name. A group
	// view's members in rank order fit as they are (see GeneralsOf).
	Generals []history.ProcessID
	// Commander commands the single instance; empty means Generals[0].
	// Interactive consistency ignores it.
	Commander history.ProcessID
	// RoundDuration is the wall-clock length of a round: each general's
	// timer posts one tick per RoundDuration into its own mailbox, and a
	// round missing messages closes at its tick (a missing message counts
	// as RETREAT). It must exceed the largest message delay between loyal
	// generals plus the spread of the moments they begin a session. OM
	// rounds whose messages have all arrived close at once; SM rounds
	// always last RoundDuration.
	RoundDuration time.Duration
	// MaxValueLen bounds the length of a value in bytes.
	MaxValueLen int
	// MaxEarly bounds, per general, the messages kept for sessions it has not
	// begun yet (they arrive when another process starts a session first).
	MaxEarly int
	// PublicKeys maps every general to its ed25519 public key (SM only).
	PublicKeys map[history.ProcessID]ed25519.PublicKey
	// PrivateKeys holds the private keys of the generals this process hosts
	// (SM only); the others' may be absent.
	PrivateKeys map[history.ProcessID]ed25519.PrivateKey
}

// DefaultConfig returns OM(1) in a council called "council", 200 ms rounds,
// values up to 256 bytes and up to 4096 early messages per general.
// Generals must still be set (and keys for SM).
func DefaultConfig() Config {
	return Config{
		Name:          "council",
		Algorithm:     OM,
		M:             1,
		RoundDuration: 200 * time.Millisecond,
		MaxValueLen:   256,
		MaxEarly:      4096,
	}
}

// Validate reports whether c can run. Unlike the cores, which accept more
// traitors than the bounds allow so that tests can show what goes wrong,
// a council refuses an M the algorithm cannot tolerate.
func (c Config) Validate() error {
	n := len(c.Generals)
	switch {
	case c.Name == "" || strings.Contains(c.Name, "#"):
		return fmt.Errorf("%w: Name %q must be non-empty without '#'", ErrConfig, c.Name)
	case c.Algorithm != OM && c.Algorithm != SM:
		return fmt.Errorf("%w: Algorithm %v", ErrConfig, c.Algorithm)
	case n < 2 || n > byz.MaxGenerals:
		return fmt.Errorf("%w: %d generals, need 2..%d", ErrConfig, n, byz.MaxGenerals)
	case c.M < 0:
		return fmt.Errorf("%w: M=%d", ErrConfig, c.M)
	case c.Algorithm == OM && n <= 3*c.M:
		return fmt.Errorf("%w: OM(%d) needs more than %d generals, has %d", ErrConfig, c.M, 3*c.M, n)
	case c.Algorithm == SM && n < c.M+2:
		return fmt.Errorf("%w: SM(%d) needs at least %d generals, has %d", ErrConfig, c.M, c.M+2, n)
	case c.RoundDuration <= 0:
		return fmt.Errorf("%w: RoundDuration %v", ErrConfig, c.RoundDuration)
	case c.MaxValueLen < 1:
		return fmt.Errorf("%w: MaxValueLen %d", ErrConfig, c.MaxValueLen)
	case c.MaxEarly < 0:
		return fmt.Errorf("%w: MaxEarly %d", ErrConfig, c.MaxEarly)
	}
	seen := make(map[history.ProcessID]bool, n)
	for _, g := range c.Generals {
		if seen[g] {
			return fmt.Errorf("%w: general %q repeated", ErrConfig, g)
		}
		if _, err := actors.PIDOf(g); err != nil {
			return fmt.Errorf("%w: general %w", ErrConfig, err)
		}
		seen[g] = true
	}
	if !c.Interactive && c.Commander != "" && !seen[c.Commander] {
		return fmt.Errorf("%w: commander %q is not a general", ErrConfig, c.Commander)
	}
	if c.Algorithm == SM {
		for _, g := range c.Generals {
			if len(c.PublicKeys[g]) != ed25519.PublicKeySize {
				return fmt.Errorf("%w: no ed25519 public key for %q", ErrConfig, g)
			}
		}
	}
	return nil
}

// commander is the commander of the single instance.
func (c Config) commander() history.ProcessID {
	if c.Commander != "" {
		return c.Commander
	}
	return c.Generals[0]
}

// GeneralsOf returns the generals of a council built on a group view: the
// members of the ViewInstall event view, in rank order. Every member of
// the view installs the same view with the same member order, so every
// process derives the same Generals; give it a fresh Config.Name (for
// example with the view number) so runs of different views cannot mix.
func GeneralsOf(view history.Event) ([]history.ProcessID, error) {
	if view.Kind != history.ViewInstall {
		return nil, fmt.Errorf("%w: %s event is not a view", ErrConfig, view.Kind)
	}
	return append([]history.ProcessID(nil), view.Members...), nil
}
