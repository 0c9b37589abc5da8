package main

import (
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// Options describe the board's runs.
type Options struct {
	// Seed drives network delays and the times of the extra questions.
	Seed uint64
	// Members are the board's members, in rank order; each question is
	// answered by the member after its author (the last by the first).
	Members []history.ProcessID
	// Slow adds a delay, in ticks, to chosen links (sender -> receiver).
	Slow map[Link]int64
	// MinDelay and MaxDelay bound every message's network delay in ticks.
	MinDelay, MaxDelay int64
	// Extra is the number of questions each member posts at random ticks,
	// besides the opening question of the first member at tick 1.
	Extra int
	// Sweep is the number of seeds (Seed, Seed+1, ...) the summary runs per class.
	Sweep int
}

// Link is a directed link between two members.
type Link struct{ From, To history.ProcessID }

func (l Link) String() string { return string(l.From) + "->" + string(l.To) }

// DefaultOptions: four members on FIFO links of 1 to 8 ticks, the link
// alice -> carol 15 ticks slower, one extra question each, 200 seeds.
func DefaultOptions() Options {
	return Options{
		Seed:     1,
		Members:  []history.ProcessID{"alice", "bob", "carol", "dave"},
		Slow:     map[Link]int64{{"alice", "carol"}: 15},
		MinDelay: 1, MaxDelay: 8,
		Extra: 1,
		Sweep: 200,
	}
}

// Validate reports the first option the board cannot run with.
func (o Options) Validate() error {
	switch {
	case len(o.Members) < 3:
		return fmt.Errorf("board: %d members, want at least 3 (a reply must be able to take a detour)", len(o.Members))
	case o.MinDelay < 1 || o.MaxDelay < o.MinDelay:
		return fmt.Errorf("board: delays %d..%d ticks, want 1 <= min <= max", o.MinDelay, o.MaxDelay)
	case o.Extra < 0 || o.Extra > 20:
		return fmt.Errorf("board: %d extra questions per member, want 0..20", o.Extra)
	case o.Sweep < 0:
		return fmt.Errorf("board: sweep of %d seeds", o.Sweep)
	}
	for l, d := range o.Slow {
		if !slices.Contains(o.Members, l.From) || !slices.Contains(o.Members, l.To) || l.From == l.To || d < 0 {
			return fmt.Errorf("board: slow link %v (+%d ticks) is not a link between two members", l, d)
		}
	}
	return nil
}

// questions members may ask, in turn.
var questions = []string{
	"Who has the projector?", "Is the build green?", "Coffee at three?", "Who reviews my patch?",
	"Standup moved to ten?", "Anyone seen my keys?", "Demo on Friday?", "Which room is free?",
}

// Result is one run of the board in one class.
type Result struct {
	Class   layer.Class
	Seed    uint64
	Members []*member
	History history.History
	// Early counts replies displayed before their question, over all members.
	Early int
	// Causal and FIFO are the checkers' verdicts on the run's history.
	Causal, FIFO []history.Violation
}

// runBoard runs the board once in class c on the deterministic simulator.
func runBoard(o Options, c layer.Class, seed uint64) (Result, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Net.MinDelay, cfg.Net.MaxDelay = seed, o.MinDelay, o.MaxDelay
	cfg.MaxTime = 10_000
	s, err := sim.New(cfg)
	if err != nil {
		return Result{}, err
	}
	n := len(o.Members)
	replier := func(author history.ProcessID) history.ProcessID {
		return o.Members[(slices.Index(o.Members, author)+1)%n]
	}
	ms := make([]*member, n)
	for i, id := range o.Members {
		lc := layer.DefaultConfig()
		lc.Self, lc.Group, lc.Members, lc.Class = id, "board", o.Members, c
		slow := map[history.ProcessID]int64{}
		for l, d := range o.Slow {
			if l.From == id {
				slow[l.To] = d
			}
		}
		if ms[i], err = newMember(lc, replier, slow); err != nil {
			return Result{}, err
		}
		if err := s.Add(ms[i]); err != nil {
			return Result{}, err
		}
	}

	// The opening question, then each member's extra ones at random ticks.
	total := 1 + n*o.Extra
	s.Do(1, func(*sim.Sim) error { ms[0].post("Lunch at noon?", history.MsgID{}); return nil })
	q := 0
	for range o.Extra {
		for i := range ms {
			at, text := 2+s.Rand().Int64N(40), questions[q%len(questions)]
			q++
			s.Do(at, func(*sim.Sim) error { ms[i].post(text, history.MsgID{}); return nil })
		}
	}
	// Every question gets one reply; run until every member displayed all.
	done := func(*sim.Sim) bool {
		for _, m := range ms {
			if len(m.board) < 2*total || len(m.held) > 0 {
				return false
			}
		}
		return true
	}
	if err := s.RunUntil(done); err != nil {
		return Result{}, err
	}
	res := Result{Class: c, Seed: seed, Members: ms, History: s.History()}
	for _, m := range ms {
		if m.err != nil {
			return res, m.err
		}
		res.Early += m.early()
	}
	res.Causal, res.FIFO = history.CheckCausal(res.History), history.CheckFIFO(res.History)
	return res, nil
}

// Sweep is what the runs of many seeds found, per class.
type Sweep struct {
	Class layer.Class
	Runs  int
	// EarlySeeds lists the seeds in which some member displayed a reply
	// before its question; FlaggedSeeds those CheckCausal flagged.
	EarlySeeds, FlaggedSeeds []uint64
	// FIFOFlagged counts runs CheckFIFO flagged (it should be none).
	FIFOFlagged int
}

// sweep runs o.Sweep seeds from o.Seed in class c.
func sweep(o Options, c layer.Class) (Sweep, error) {
	sw := Sweep{Class: c}
	for seed := o.Seed; seed < o.Seed+uint64(o.Sweep); seed++ {
		r, err := runBoard(o, c, seed)
		if err != nil {
			return sw, fmt.Errorf("%v seed %d: %w", c, seed, err)
		}
		sw.Runs++
		if r.Early > 0 {
			sw.EarlySeeds = append(sw.EarlySeeds, seed)
		}
		if len(r.Causal) > 0 {
			sw.FlaggedSeeds = append(sw.FlaggedSeeds, seed)
		}
		if len(r.FIFO) > 0 {
			sw.FIFOFlagged++
		}
	}
	return sw, nil
}
