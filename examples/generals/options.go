package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// Driver names what runs the generals' cores.
type Driver string

const (
	// Actors runs one protoactor actor per general (package agreement).
	Actors Driver = "actors"
	// Pure steps the cores synchronously in this goroutine, in waves.
	Pure Driver = "pure"
)

// Options describe one run of the demo.
type Options struct {
	// N generals g0..g(N-1), tolerating M traitors.
	N, M int
	// Algorithm is OM(m) or SM(m).
	Algorithm byz.Algorithm
	// Interactive runs interactive consistency: every general commands its
	// own value (Values), and every loyal general decides a vector.
	Interactive bool
	// Commander is the index of the commander of a single instance.
	Commander int
	// Value is the commander's order in a single instance.
	Value string
	// Values are the generals' own values in interactive consistency, by
	// index; missing entries alternate ATTACK and RETREAT.
	Values []string
	// Traitors maps general indices to strategy names (see strategyNames).
	Traitors map[int]string
	// Seed seeds the traitors' random choices.
	Seed uint64
	// Driver says what runs the cores.
	Driver Driver
	// ShowBound runs the three-generals scenarios of the n = 3m bound
	// instead of the run above.
	ShowBound bool
	// TraceLimit caps the lines of the round trace printed per round.
	TraceLimit int
}

// DefaultOptions: OM(1) among four generals on actors, whose commander
// g0 is two-faced; the loyal lieutenants must still agree.
func DefaultOptions() Options {
	return Options{
		N: 4, M: 1, Algorithm: byz.OralMessages, Value: byz.Attack,
		Traitors: map[int]string{0: "two-faced"}, Seed: 1, Driver: Actors, TraceLimit: 24,
	}
}

// Validate reports the first option the demo cannot run.
func (o Options) Validate() error {
	switch {
	case o.N < 2 || o.N > 16:
		return fmt.Errorf("-n %d: want 2..16 generals (OM sends O(n^(m+1)) messages)", o.N)
	case o.M < 0 || o.M > o.N-2:
		return fmt.Errorf("-m %d: want 0..n-2 = %d", o.M, o.N-2)
	case o.Algorithm == byz.OralMessages && o.N > 8 && o.M > 2:
		return fmt.Errorf("OM(%d) among %d generals is too many messages for a demo", o.M, o.N)
	case o.Algorithm != byz.OralMessages && o.Algorithm != byz.SignedMessages:
		return fmt.Errorf("unknown algorithm %v", o.Algorithm)
	case !o.Interactive && (o.Commander < 0 || o.Commander >= o.N):
		return fmt.Errorf("-commander %d: want 0..%d", o.Commander, o.N-1)
	case o.Value == "":
		return fmt.Errorf("-value must not be empty")
	case o.Driver != Actors && o.Driver != Pure:
		return fmt.Errorf("-driver %q: want actors or pure", o.Driver)
	}
	for i, name := range o.Traitors {
		if i < 0 || i >= o.N {
			return fmt.Errorf("traitor g%d: want 0..%d", i, o.N-1)
		}
		if !slices.Contains(strategyNames, name) {
			return fmt.Errorf("traitor g%d: unknown strategy %q (want one of %s)", i, name, strings.Join(strategyNames, ", "))
		}
	}
	return nil
}

// value returns general i's own value: the commander's order, or its
// entry of the interactive-consistency vector.
func (o Options) value(i int) string {
	if !o.Interactive {
		return o.Value
	}
	if i < len(o.Values) && o.Values[i] != "" {
		return o.Values[i]
	}
	if i%2 == 0 {
		return byz.Attack
	}
	return byz.Retreat
}

// strategyNames lists the traitor strategies the -traitors flag accepts.
var strategyNames = []string{"honest", "silent", "lie", "two-faced", "two-faced-odd", "path-dependent", "random", "colluding"}

// strategy builds the named byz.Traitor for generals ids. Colluding
// traitors all tell the odd-numbered generals ATTACK and the others
// RETREAT, so every traitor of a run tells the same story.
func strategy(name string, ids []history.ProcessID, seed uint64) byz.Traitor {
	switch name {
	case "silent":
		return byz.Silent{}
	case "lie":
		return byz.AlwaysLie{}
	case "two-faced": // even-numbered generals hear ATTACK, odd ones RETREAT
		return byz.TwoFaced{}
	case "two-faced-odd": // the other way round
		return byz.TwoFaced{Offset: 1}
	case "path-dependent":
		return byz.PathDependent{Salt: seed}
	case "random":
		return byz.Random{OmitPercent: 20}
	case "colluding":
		to := map[history.ProcessID]bool{}
		for i, id := range ids {
			if i%2 == 1 {
				to[id] = true
			}
		}
		return byz.Colluding{AttackTo: to}
	}
	return byz.Honest{}
}

// parseTraitors reads "3:two-faced,1:silent".
func parseTraitors(s string) (map[int]string, error) {
	out := map[int]string{}
	if strings.TrimSpace(s) == "" || s == "none" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		idx, name, ok := strings.Cut(strings.TrimSpace(part), ":")
		i, err := strconv.Atoi(strings.TrimPrefix(idx, "g"))
		if !ok || err != nil {
			return nil, fmt.Errorf("-traitors %q: want index:strategy, e.g. 3:two-faced", part)
		}
		out[i] = name
	}
	return out, nil
}

// parseAlgorithm reads "om" or "sm".
func parseAlgorithm(s string) (byz.Algorithm, error) {
	switch strings.ToLower(s) {
	case "om":
		return byz.OralMessages, nil
	case "sm":
		return byz.SignedMessages, nil
	}
	return 0, fmt.Errorf("-alg %q: want om or sm", s)
}
