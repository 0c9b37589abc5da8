package byztest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// ErrNoDecision: a run ended its tick budget before every loyal general
// decided; it means a liveness bug in the core under test.
var ErrNoDecision = errors.New("byztest: loyal generals did not decide in time")

// Setup describes one run.
type Setup struct {
	Algorithm byz.Algorithm
	// N generals named IDs(N), tolerating M traitors.
	N, M int
	// Commander is the index of the commander of a single instance;
	// Interactive runs interactive consistency instead (every general
	// commands its own value).
	Commander   int
	Interactive bool
	// Values holds each general's own value by index (the commander's
	// true value, or every general's in interactive consistency). Missing
	// entries are ATTACK.
	Values []string
	// Traitors maps general indices to their strategies.
	Traitors map[int]byz.Traitor
	// Seed seeds the traitors' rngs (one per traitor, derived from it).
	Seed uint64
	// RoundTicks is Config.RoundTicks (default 2; delivery takes no ticks).
	RoundTicks int
	// Keys holds the generals' keys for SM; nil means NewKeys(IDs(N)).
	Keys *Keys
	// Session is Config.Session.
	Session string
}

// Result is what a run produced.
type Result struct {
	// Generals are the generals' IDs, by index.
	Generals []history.ProcessID
	// History holds every general's events (Propose, Decide, Faulty),
	// Time being the harness tick.
	History history.History
	// Decisions maps each loyal general to its decisions by commander.
	Decisions map[history.ProcessID]map[history.ProcessID]string
	// Rounds is the largest number of rounds a loyal general closed.
	Rounds int
	// Waves is the number of delivery waves, Ticks the ticks given.
	Waves, Ticks int
	// Sent counts all messages handed to the network (omitted ones are
	// not), SentPerRound by round (index r-1 for round r), and
	// LoyalSentPerRound those sent by loyal generals.
	Sent                            int
	SentPerRound, LoyalSentPerRound []int
	// Rejected counts messages loyal generals rejected, by sentinel.
	Rejected map[error]int
}

// Keys holds the generals' ed25519 keys.
type Keys struct {
	Private map[history.ProcessID]ed25519.PrivateKey
	Public  map[history.ProcessID]ed25519.PublicKey
}

// NewKeys derives a fixed key pair for each id from the id alone, so runs
// replay; never use such keys outside tests.
func NewKeys(ids []history.ProcessID) *Keys {
	k := &Keys{Private: map[history.ProcessID]ed25519.PrivateKey{}, Public: map[history.ProcessID]ed25519.PublicKey{}}
	for _, id := range ids {
		seed := sha256.Sum256([]byte("byztest key " + string(id)))
		priv := ed25519.NewKeyFromSeed(seed[:])
		k.Private[id] = priv
		k.Public[id] = priv.Public().(ed25519.PublicKey)
	}
	return k
}

// IDs returns the names of n generals: g0, g1, ...
func IDs(n int) []history.ProcessID {
	ids := make([]history.ProcessID, n)
	for i := range ids {
		ids[i] = history.ProcessID(fmt.Sprintf("g%d", i))
	}
	return ids
}

// Group is the set of generals a Setup describes, ready to be driven by
// any driver (Run, the simulator, actors).
type Group struct {
	// IDs names the generals, by index.
	IDs []history.ProcessID
	// Machines holds every general's machine, by index: a *byz.General
	// for a loyal one, a *byz.TraitorGeneral for a traitor.
	Machines []step.Machine
	// Loyal holds the loyal generals by index, nil for traitors.
	Loyal []*byz.General
}

// Done reports whether every loyal general has decided every instance.
func (g Group) Done() bool { return allDone(g.Loyal) }

// Build creates the generals of s without running them. s.RoundTicks
// must be set (Run defaults it).
func Build(s Setup) (Group, error) {
	ids := IDs(s.N)
	if s.Commander < 0 || s.Commander >= s.N {
		return Group{}, fmt.Errorf("byztest: commander %d of %d generals", s.Commander, s.N)
	}
	if s.Algorithm == byz.SignedMessages && s.Keys == nil {
		s.Keys = NewKeys(ids)
	}
	coalition := map[history.ProcessID]ed25519.PrivateKey{}
	if s.Keys != nil {
		for i := range s.Traitors {
			coalition[ids[i]] = s.Keys.Private[ids[i]]
		}
	}
	grp := Group{IDs: ids, Machines: make([]step.Machine, s.N), Loyal: make([]*byz.General, s.N)}
	for i := range ids {
		g, err := newGeneral(s, ids, i)
		if err != nil {
			return Group{}, err
		}
		if strategy, ok := s.Traitors[i]; ok {
			rng := rand.New(rand.NewPCG(s.Seed, uint64(i)))
			grp.Machines[i] = byz.NewTraitorGeneral(g, strategy, rng, coalition)
		} else {
			grp.Machines[i], grp.Loyal[i] = g, g
		}
	}
	return grp, nil
}

// Run runs s to the end: until every loyal general has decided every
// instance and no message is in flight.
func Run(s Setup) (Result, error) {
	if s.RoundTicks == 0 {
		s.RoundTicks = 2
	}
	grp, err := Build(s)
	if err != nil {
		return Result{}, err
	}
	ids, machines, loyal := grp.IDs, grp.Machines, grp.Loyal
	index := make(map[history.ProcessID]int, s.N)
	for i, id := range ids {
		index[id] = i
	}

	res := Result{
		Generals:          ids,
		Decisions:         map[history.ProcessID]map[history.ProcessID]string{},
		SentPerRound:      make([]int, s.M+1),
		LoyalSentPerRound: make([]int, s.M+1),
		Rejected:          map[error]int{},
	}
	type inFlight struct {
		from int
		out  step.Outbound
	}
	var wave []inFlight
	maxTicks := (s.M+2)*s.RoundTicks + 1
	for steps := 0; ; steps++ {
		if steps > 100*maxTicks {
			return res, fmt.Errorf("byztest: run did not settle after %d steps", steps)
		}
		wave = wave[:0]
		for i, m := range machines {
			if !m.HasReady() {
				continue
			}
			rd := m.Ready()
			for _, ev := range rd.Events {
				ev.Index, ev.Time = int64(len(res.History)), int64(res.Ticks)
				res.History = append(res.History, ev)
			}
			for _, ob := range rd.Messages {
				wave = append(wave, inFlight{from: i, out: ob})
			}
			m.Advance(rd)
		}
		if len(wave) > 0 {
			res.Waves++
			for _, f := range wave {
				r := roundOf(f.out.Msg)
				for len(res.SentPerRound) < r {
					res.SentPerRound = append(res.SentPerRound, 0)
					res.LoyalSentPerRound = append(res.LoyalSentPerRound, 0)
				}
				res.Sent++
				if r > 0 {
					res.SentPerRound[r-1]++
					if loyal[f.from] != nil {
						res.LoyalSentPerRound[r-1]++
					}
				}
				to, ok := index[f.out.To]
				if !ok {
					continue
				}
				_ = machines[to].Step(ids[f.from], f.out.Msg) // rejections are counted below
			}
			continue
		}
		if allDone(loyal) {
			break
		}
		if res.Ticks >= maxTicks {
			return res, fmt.Errorf("%w: %d ticks", ErrNoDecision, res.Ticks)
		}
		res.Ticks++
		for _, m := range machines {
			m.Tick()
		}
	}
	for i, g := range loyal {
		if g == nil {
			continue
		}
		res.Decisions[ids[i]] = g.Decisions()
		res.Rounds = max(res.Rounds, g.Rounds())
		for e, n := range g.Stats().Rejected {
			res.Rejected[e] += n
		}
	}
	return res, nil
}

func newGeneral(s Setup, ids []history.ProcessID, i int) (*byz.General, error) {
	cfg := byz.DefaultConfig()
	cfg.ID, cfg.Generals, cfg.M, cfg.RoundTicks, cfg.Session = ids[i], ids, s.M, s.RoundTicks, s.Session
	cfg.Value = byz.Attack
	if i < len(s.Values) && s.Values[i] != "" {
		cfg.Value = s.Values[i]
	}
	if s.Keys != nil {
		cfg.Key, cfg.PublicKeys = s.Keys.Private[ids[i]], s.Keys.Public
	}
	switch {
	case s.Interactive && s.Algorithm == byz.OralMessages:
		return byz.NewInteractiveOM(cfg)
	case s.Interactive && s.Algorithm == byz.SignedMessages:
		return byz.NewInteractiveSM(cfg)
	}
	cfg.Commander = ids[s.Commander]
	if s.Algorithm == byz.SignedMessages {
		return byz.NewSM(cfg)
	}
	return byz.NewOM(cfg)
}

func roundOf(msg any) int {
	switch m := msg.(type) {
	case *byz.OralMessage:
		return len(m.GetPath())
	case *byz.SignedMessage:
		return len(m.GetChain())
	}
	return 0
}

func allDone(loyal []*byz.General) bool {
	for _, g := range loyal {
		if g != nil && !g.Done() {
			return false
		}
	}
	return true
}

// Actions are the three choices of the exhaustive adversary.
var Actions = []byz.Action{byz.Send(byz.Attack), byz.Send(byz.Retreat), byz.Omitted}

// Scripts yields every script assigning one of Actions to each slot:
// 3^len(slots) of them, in a fixed order. The yielded map is reused;
// copy it to keep it.
func Scripts(slots []byz.Slot) iter.Seq[byz.Scripted] {
	return func(yield func(byz.Scripted) bool) {
		digits := make([]int, len(slots))
		script := make(map[byz.Slot]byz.Action, len(slots))
		for {
			for i, s := range slots {
				script[s] = Actions[digits[i]]
			}
			if !yield(byz.Scripted{Script: script}) {
				return
			}
			i := 0
			for ; i < len(digits); i++ {
				digits[i]++
				if digits[i] < len(Actions) {
					break
				}
				digits[i] = 0
			}
			if i == len(digits) {
				return
			}
		}
	}
}
