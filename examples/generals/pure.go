package main

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// councilName names the council; its first session is councilName#1, and
// the pure driver uses the same session so that SM signatures match.
const councilName = "generals"

// session is the byz session string of the council's first session.
const session = councilName + "#1"

// sentMsg is one message a general handed to the network.
type sentMsg struct {
	From, To history.ProcessID
	// Path is the oral message's path, or the signers of a signed chain;
	// its first element is the commander, its length the round.
	Path  []history.ProcessID
	Value string
}

// outcome is what a run produced, whichever driver ran it.
type outcome struct {
	IDs     []history.ProcessID
	Traitor []bool
	// Decisions maps each loyal general to its decisions by commander.
	Decisions map[history.ProcessID]map[history.ProcessID]string
	// Sent holds every message sent, in order, when the driver could see
	// them (the pure driver); Messages counts them either way.
	Sent     []sentMsg
	Messages int
	// Rejected counts messages loyal generals refused, by sentinel.
	Rejected map[error]int
	History  history.History
}

// buildCores builds the machines the council's actors would build for
// session 1: same configuration, RoundTicks 1, traitor rngs seeded from
// (seed, session number), the traitors' keys as their coalition.
func buildCores(o Options, ids []history.ProcessID, keys *byztest.Keys) ([]step.Machine, []*byz.General, error) {
	coalition := map[history.ProcessID]ed25519.PrivateKey{}
	for i := range o.Traitors {
		coalition[ids[i]] = keys.Private[ids[i]]
	}
	machines := make([]step.Machine, len(ids))
	loyal := make([]*byz.General, len(ids))
	for i, id := range ids {
		cfg := byz.DefaultConfig()
		cfg.ID, cfg.Generals, cfg.M, cfg.RoundTicks, cfg.Session = id, ids, o.M, 1, session
		cfg.Value, cfg.Commander = o.value(i), ids[o.Commander]
		cfg.Key, cfg.PublicKeys = keys.Private[id], keys.Public
		var g *byz.General
		var err error
		switch {
		case o.Interactive && o.Algorithm == byz.OralMessages:
			g, err = byz.NewInteractiveOM(cfg)
		case o.Interactive:
			g, err = byz.NewInteractiveSM(cfg)
		case o.Algorithm == byz.OralMessages:
			g, err = byz.NewOM(cfg)
		default:
			g, err = byz.NewSM(cfg)
		}
		if err != nil {
			return nil, nil, err
		}
		if name, ok := o.Traitors[i]; ok {
			rng := rand.New(rand.NewPCG(o.Seed, 1))
			machines[i] = byz.NewTraitorGeneral(g, strategy(name, ids, o.Seed), rng, coalition)
		} else {
			machines[i], loyal[i] = g, g
		}
	}
	return machines, loyal, nil
}

// runPure drives the cores of generals ids in one goroutine, as package
// byztest does: every message sent since the last wave is delivered in the
// next wave, and a tick is given only when nothing is in flight, so rounds
// close by completeness (OM) or at their tick (SM, and OM with omissions).
// It records every message it carries.
func runPure(o Options, ids []history.ProcessID) (outcome, error) {
	keys := byztest.NewKeys(ids)
	machines, loyal, err := buildCores(o, ids, keys)
	if err != nil {
		return outcome{}, err
	}
	index := make(map[history.ProcessID]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	out := outcome{IDs: ids, Traitor: make([]bool, len(ids)), Rejected: map[error]int{},
		Decisions: map[history.ProcessID]map[history.ProcessID]string{}}
	for i := range o.Traitors {
		out.Traitor[i] = true
	}
	type inFlight struct {
		from int
		msg  step.Outbound
	}
	// Rounds need at most M+1 ticks; the bound only stops a broken core.
	maxTicks, ticks := o.M+3, 0
	for waves := 0; ; waves++ {
		if waves > 1000 {
			return out, fmt.Errorf("pure driver: no end after %d waves", waves)
		}
		var wave []inFlight
		for i, m := range machines {
			if !m.HasReady() {
				continue
			}
			rd := m.Ready()
			for _, ev := range rd.Events {
				ev.Index, ev.Time = int64(len(out.History)), int64(ticks)
				out.History = append(out.History, ev)
			}
			for _, ob := range rd.Messages {
				wave = append(wave, inFlight{from: i, msg: ob})
			}
			m.Advance(rd)
		}
		if len(wave) > 0 {
			for _, f := range wave {
				out.Sent = append(out.Sent, describe(ids[f.from], f.msg))
				if to, ok := index[f.msg.To]; ok {
					_ = machines[to].Step(ids[f.from], f.msg.Msg) // refusals are counted in Stats
				}
			}
			continue
		}
		if allDone(loyal) {
			break
		}
		if ticks >= maxTicks {
			return out, fmt.Errorf("pure driver: loyal generals undecided after %d ticks", ticks)
		}
		ticks++
		for _, m := range machines {
			m.Tick()
		}
	}
	out.Messages = len(out.Sent)
	for i, g := range loyal {
		if g == nil {
			continue
		}
		out.Decisions[ids[i]] = g.Decisions()
		for e, n := range g.Stats().Rejected {
			out.Rejected[e] += n
		}
	}
	return out, nil
}

func allDone(loyal []*byz.General) bool {
	for _, g := range loyal {
		if g != nil && !g.Done() {
			return false
		}
	}
	return true
}

// describe extracts path and value from an outbound message.
func describe(from history.ProcessID, ob step.Outbound) sentMsg {
	s := sentMsg{From: from, To: ob.To}
	switch m := ob.Msg.(type) {
	case *byz.OralMessage:
		s.Value = m.GetValue()
		for _, p := range m.GetPath() {
			s.Path = append(s.Path, history.ProcessID(p))
		}
	case *byz.SignedMessage:
		s.Value = m.GetValue()
		for _, l := range m.GetChain() {
			s.Path = append(s.Path, history.ProcessID(l.GetSigner()))
		}
	}
	return s
}

// received returns, sorted, what general id received, as "path=value".
func (o outcome) received(id history.ProcessID) []string {
	var got []string
	for _, s := range o.Sent {
		if s.To == id {
			got = append(got, pathString(s.Path)+"="+s.Value)
		}
	}
	slices.Sort(got)
	return got
}
