package byz

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// The strategies below are the notes' adversaries. Each is deterministic
// given its fields and the rng it is handed.

// Honest sends what a loyal general would: a traitor that behaves.
type Honest struct{}

// Choose implements Traitor.
func (Honest) Choose(c Choice, _ *rand.Rand) Action { return Send(c.Honest) }

// Silent omits every message (a crashed or mute traitor).
type Silent struct{}

// Choose implements Traitor.
func (Silent) Choose(Choice, *rand.Rand) Action { return Omitted }

// AlwaysLie sends the opposite of the honest value to everyone: ATTACK
// for RETREAT and RETREAT for anything else.
type AlwaysLie struct{}

// Choose implements Traitor.
func (AlwaysLie) Choose(c Choice, _ *rand.Rand) Action { return Send(opposite(c.Honest)) }

func opposite(v string) string {
	if v == Retreat {
		return Attack
	}
	return Retreat
}

// TwoFaced tells half the generals ATTACK and the other half RETREAT,
// whatever it heard: receivers whose position in Generals has the parity
// of Offset get ATTACK.
type TwoFaced struct{ Offset int }

// Choose implements Traitor.
func (s TwoFaced) Choose(c Choice, _ *rand.Rand) Action {
	if (slices.Index(c.Generals, c.To)+s.Offset)%2 == 0 {
		return Send(Attack)
	}
	return Send(Retreat)
}

// PathDependent lies about some paths and not others: it flips the honest
// value exactly when a hash of (Salt, path, receiver) is odd, so each
// receiver sees a different mixture of truth and lies at every depth.
type PathDependent struct{ Salt uint64 }

// Choose implements Traitor.
func (s PathDependent) Choose(c Choice, _ *rand.Rand) Action {
	h := fnv.New64a()
	var salt [8]byte
	for i := range salt {
		salt[i] = byte(s.Salt >> (8 * i))
	}
	h.Write(salt[:])
	for _, p := range c.Path {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	h.Write([]byte(c.To))
	if h.Sum64()&1 == 1 {
		return Send(opposite(c.Honest))
	}
	return Send(c.Honest)
}

// Random picks ATTACK, RETREAT or omission at random for every message;
// OmitPercent is the chance (0..100) of omission.
type Random struct{ OmitPercent int }

// Choose implements Traitor.
func (s Random) Choose(_ Choice, rng *rand.Rand) Action {
	if rng.IntN(100) < s.OmitPercent {
		return Omitted
	}
	if rng.IntN(2) == 0 {
		return Send(Attack)
	}
	return Send(Retreat)
}

// Colluding traitors share one split of the generals: all of them tell
// the generals in AttackTo ATTACK and everyone else RETREAT, so the loyal
// generals of the two halves hear consistent stories from every traitor.
type Colluding struct{ AttackTo map[history.ProcessID]bool }

// NewColluding picks a random half of generals to be told ATTACK. Give the
// same value to every traitor of a run.
func NewColluding(generals []history.ProcessID, rng *rand.Rand) Colluding {
	perm := rng.Perm(len(generals))
	to := make(map[history.ProcessID]bool, len(generals)/2)
	for _, i := range perm[:len(generals)/2] {
		to[generals[i]] = true
	}
	return Colluding{AttackTo: to}
}

// Choose implements Traitor.
func (s Colluding) Choose(c Choice, _ *rand.Rand) Action {
	if s.AttackTo[c.To] {
		return Send(Attack)
	}
	return Send(Retreat)
}

// Slot names one message a traitor may send: its receiver and path.
type Slot struct {
	To   history.ProcessID
	Path string // the path's generals joined by "/"
}

// SlotOf returns the slot of a choice.
func SlotOf(c Choice) Slot {
	ps := make([]string, len(c.Path))
	for i, p := range c.Path {
		ps[i] = string(p)
	}
	return Slot{To: c.To, Path: strings.Join(ps, "/")}
}

// Scripted plays an explicit script: the action for each slot, and the
// honest value for slots not in it. Enumerating every script over a
// traitor's slots with actions from {ATTACK, RETREAT, omit} is the
// exhaustive adversary.
type Scripted struct{ Script map[Slot]Action }

// Choose implements Traitor.
func (s Scripted) Choose(c Choice, _ *rand.Rand) Action {
	if a, ok := s.Script[SlotOf(c)]; ok {
		return a
	}
	return Send(c.Honest)
}

// OMSlots lists, in a fixed order, every message traitor sends in OM(m)
// for commander's instance among generals: each slot once.
func OMSlots(generals []history.ProcessID, commander, traitor history.ProcessID, m int) []Slot {
	var slots []Slot
	var walk func(path []history.ProcessID)
	walk = func(path []history.ProcessID) {
		if len(path) > m+1 {
			return
		}
		last := path[len(path)-1]
		for _, g := range generals {
			if slices.Contains(path, g) {
				continue
			}
			if last == traitor {
				slots = append(slots, SlotOf(Choice{To: g, Path: path}))
			}
			walk(append(slices.Clone(path), g))
		}
	}
	walk([]history.ProcessID{commander})
	return slots
}
