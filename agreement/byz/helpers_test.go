package byz_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

var (
	seedFlag = flag.Uint64("byz.seed", 1, "first seed of the randomized adversary tests")
	runsFlag = flag.Int("byz.runs", 0, "runs of the randomized adversary tests (0: the default count)")
)

// verdict is what judge found about one run.
type verdict struct {
	res byztest.Result
	// ic lists IC1/IC2 violations found by the checkers.
	ic []string
	// broken lists every other problem: an undecided loyal general, a round
	// count other than m+1, loyal message counts off the OM(m) formula.
	broken []string
}

// judge runs s and checks it.
func judge(s byztest.Setup) (verdict, error) {
	res, err := byztest.Run(s)
	if err != nil {
		return verdict{res: res}, err
	}
	v := verdict{res: res, ic: icViolations(res.History)}
	commanders := []int{s.Commander}
	if s.Interactive {
		commanders = nil
		for i := range s.N {
			commanders = append(commanders, i)
		}
	}
	loyal := func(i int) bool { _, t := s.Traitors[i]; return !t }
	lieutenants := 0
	for i := range s.N {
		if !loyal(i) {
			continue
		}
		id := res.Generals[i]
		for _, c := range commanders {
			if _, ok := res.Decisions[id][res.Generals[c]]; !ok {
				v.broken = append(v.broken, fmt.Sprintf("loyal %s did not decide for %s", id, res.Generals[c]))
			}
			if c != i {
				lieutenants++
			}
		}
	}
	if lieutenants > 0 && res.Rounds != s.M+1 {
		v.broken = append(v.broken, fmt.Sprintf("rounds = %d, want m+1 = %d", res.Rounds, s.M+1))
	}
	if s.Algorithm == byz.OralMessages {
		// Loyal generals send every message of the protocol whatever the
		// traitors do, so their counts must match the formula exactly.
		want := make([]int, s.M+1)
		for _, c := range commanders {
			if loyal(c) {
				want[0] += s.N - 1
			}
			loyalLieutenants := s.N - len(s.Traitors)
			if loyal(c) {
				loyalLieutenants--
			}
			for r := 2; r <= s.M+1; r++ {
				want[r-1] += loyalLieutenants * byz.OMLieutenantSends(s.N, r)
			}
		}
		if !slices.Equal(res.LoyalSentPerRound, want) {
			v.broken = append(v.broken, fmt.Sprintf("loyal messages per round %v, want %v", res.LoyalSentPerRound, want))
		}
		if n := len(res.Rejected); n > 0 {
			v.broken = append(v.broken, fmt.Sprintf("loyal generals rejected messages: %v", res.Rejected))
		}
	}
	if len(s.Traitors) == 0 {
		want := len(commanders) * byz.OMMessageCount(s.N, s.M)
		if s.Algorithm == byz.SignedMessages {
			want = len(commanders) * byz.SMMessageCount(s.N, s.M)
		}
		if res.Sent != want {
			v.broken = append(v.broken, fmt.Sprintf("sent %d messages, want %d", res.Sent, want))
		}
	}
	return v, nil
}

func (v verdict) problems() []string { return append(slices.Clone(v.broken), v.ic...) }

// describe renders a setup for failure messages.
func describe(s byztest.Setup) string {
	ts := make([]string, 0, len(s.Traitors))
	for i := range s.N {
		if t, ok := s.Traitors[i]; ok {
			ts = append(ts, fmt.Sprintf("g%d:%s", i, strategyName(t)))
		}
	}
	return fmt.Sprintf("%v n=%d m=%d commander=g%d interactive=%v values=%v traitors=%v seed=%d",
		s.Algorithm, s.N, s.M, s.Commander, s.Interactive, s.Values, ts, s.Seed)
}

func strategyName(t byz.Traitor) string {
	switch t := t.(type) {
	case byz.Scripted:
		keys := make([]string, 0, len(t.Script))
		for k, a := range t.Script {
			act := a.Value
			if a.Omit {
				act = "omit"
			}
			keys = append(keys, fmt.Sprintf("%s->%s:%s", k.Path, k.To, act))
		}
		slices.Sort(keys)
		return fmt.Sprintf("Scripted%v", keys)
	case byz.Colluding:
		var to []string
		for id := range t.AttackTo {
			to = append(to, string(id))
		}
		slices.Sort(to)
		return fmt.Sprintf("Colluding{ATTACK to %v}", to)
	}
	return fmt.Sprintf("%T%+v", t, t)
}

// structured returns the named, deterministic strategies, colluding ones
// sharing the split col.
func structured(col byz.Colluding) []byz.Traitor {
	return []byz.Traitor{
		byz.Silent{}, byz.AlwaysLie{}, byz.TwoFaced{Offset: 0}, byz.TwoFaced{Offset: 1},
		byz.PathDependent{Salt: 7}, col,
	}
}

// randomStrategy draws one strategy for traitor t of commander c's instance.
func randomStrategy(rng *rand.Rand, ids []history.ProcessID, c, t, m int, col byz.Colluding) byz.Traitor {
	switch rng.IntN(8) {
	case 0:
		return byz.Silent{}
	case 1:
		return byz.AlwaysLie{}
	case 2:
		return byz.TwoFaced{Offset: rng.IntN(2)}
	case 3:
		return byz.PathDependent{Salt: rng.Uint64()}
	case 4:
		return byz.Random{OmitPercent: rng.IntN(60)}
	case 5:
		return col
	case 6:
		return byz.Honest{}
	}
	// A random point of the exhaustive space.
	script := map[byz.Slot]byz.Action{}
	for _, s := range byz.OMSlots(ids, ids[c], ids[t], m) {
		script[s] = byztest.Actions[rng.IntN(len(byztest.Actions))]
	}
	return byz.Scripted{Script: script}
}

// randomSetup draws the adversary of run seed: up to m traitors (usually
// m) at random positions, each with a random strategy.
func randomSetup(alg byz.Algorithm, n, m int, seed uint64, interactive bool) byztest.Setup {
	rng := rand.New(rand.NewPCG(seed, 0x6279))
	ids := byztest.IDs(n)
	s := byztest.Setup{Algorithm: alg, N: n, M: m, Commander: rng.IntN(n), Interactive: interactive, Seed: seed,
		Traitors: map[int]byz.Traitor{}}
	for range n {
		s.Values = append(s.Values, []string{byz.Attack, byz.Retreat}[rng.IntN(2)])
	}
	k := m
	if rng.IntN(4) == 0 {
		k = rng.IntN(m + 1)
	}
	col := byz.NewColluding(ids, rng)
	for _, t := range rng.Perm(n)[:k] {
		s.Traitors[t] = randomStrategy(rng, ids, s.Commander, t, m, col)
	}
	return s
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6279)) }
