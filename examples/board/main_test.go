package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// The criterion: over 200 seeds, FIFO ordering displays a reply
// before its question in at least one run, and CheckCausal flags every
// such run; causal ordering never does, and CheckCausal passes every
// causal run. CheckFIFO passes all of them: FIFO is kept either way.
func TestFIFOShowsRepliesEarlyCausalNever(t *testing.T) {
	o := DefaultOptions()
	fifo, err := sweep(o, layer.FIFO)
	if err != nil {
		t.Fatal(err)
	}
	causal, err := sweep(o, layer.Causal)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fifo: early replies in %d of %d seeds, CheckCausal flagged %d", len(fifo.EarlySeeds), fifo.Runs, len(fifo.FlaggedSeeds))
	if fifo.Runs != 200 || causal.Runs != 200 {
		t.Fatalf("ran %d fifo and %d causal seeds, want 200 each", fifo.Runs, causal.Runs)
	}
	if len(fifo.EarlySeeds) == 0 {
		t.Errorf("no fifo run among seeds %d..%d displayed a reply before its question", o.Seed, o.Seed+199)
	}
	for _, seed := range fifo.EarlySeeds {
		if !slices.Contains(fifo.FlaggedSeeds, seed) {
			t.Errorf("fifo seed %d: a reply was displayed early but CheckCausal passed (replay: go run ./examples/board -seed %d -sweep 0)", seed, seed)
		}
	}
	if len(causal.EarlySeeds) > 0 || len(causal.FlaggedSeeds) > 0 {
		t.Errorf("causal: early replies in seeds %v, CheckCausal flagged seeds %v", causal.EarlySeeds, causal.FlaggedSeeds)
	}
	if fifo.FIFOFlagged+causal.FIFOFlagged > 0 {
		t.Errorf("CheckFIFO flagged %d fifo and %d causal runs", fifo.FIFOFlagged, causal.FIFOFlagged)
	}
}

// Without a slow link, replies overtake questions only by the luck of the
// delays; causal ordering still never shows one early.
func TestNoSlowLink(t *testing.T) {
	o := DefaultOptions()
	o.Slow, o.Extra, o.Sweep = nil, 2, 100
	causal, err := sweep(o, layer.Causal)
	if err != nil {
		t.Fatal(err)
	}
	fifo, err := sweep(o, layer.FIFO)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("no slow link: fifo early in %d of %d seeds", len(fifo.EarlySeeds), fifo.Runs)
	if len(fifo.EarlySeeds) == 0 {
		t.Errorf("no slow link: no fifo run among %d seeds displayed a reply early", fifo.Runs)
	}
	if len(causal.EarlySeeds)+len(causal.FlaggedSeeds) > 0 {
		t.Errorf("causal: early replies in seeds %v, CheckCausal flagged %v", causal.EarlySeeds, causal.FlaggedSeeds)
	}
}

// Every member displays every post exactly once, each reply after its
// author displayed the question, and a seed replays the same boards.
func TestBoardsCompleteAndReplayable(t *testing.T) {
	o := DefaultOptions()
	for _, c := range classes {
		for seed := uint64(1); seed <= 5; seed++ {
			a, err := runBoard(o, c, seed)
			if err != nil {
				t.Fatal(err)
			}
			b, err := runBoard(o, c, seed)
			if err != nil {
				t.Fatal(err)
			}
			want := 2 * (1 + len(o.Members)*o.Extra)
			for i, m := range a.Members {
				ids := map[string]bool{}
				for _, l := range m.board {
					ids[l.ID.String()] = true
				}
				if len(m.board) != want || len(ids) != want {
					t.Errorf("%v seed %d: %s displayed %d posts (%d distinct), want %d", c, seed, m.id, len(m.board), len(ids), want)
				}
				if fmt.Sprint(m.board) != fmt.Sprint(b.Members[i].board) {
					t.Errorf("%v seed %d: %s's board differs between two runs of the seed", c, seed, m.id)
				}
				for _, l := range m.board {
					if l.Re == "" {
						continue
					}
					author := a.Members[slices.IndexFunc(a.Members, func(x *member) bool { return x.id == l.ID.Sender })]
					qi := slices.IndexFunc(author.board, func(q line) bool { return q.ID.String() == l.Re })
					ri := slices.IndexFunc(author.board, func(r line) bool { return r.ID == l.ID })
					if qi < 0 || ri < qi {
						t.Errorf("%v seed %d: %v replied to %s before displaying it", c, seed, l.ID, l.Re)
					}
				}
			}
		}
	}
}

// The demo's output shows the boards, marks the early reply and reports
// the checkers' verdicts and the sweep.
func TestDemoOutput(t *testing.T) {
	o := DefaultOptions()
	o.Sweep = 10
	var out bytes.Buffer
	rep, err := run(&out, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Shown) != 2 || rep.Shown[0].Early == 0 || rep.Shown[1].Early != 0 {
		t.Fatalf("seed %d: shown runs %d, early replies fifo/causal: %d/%d", o.Seed, len(rep.Shown), rep.Shown[0].Early, rep.Shown[1].Early)
	}
	for _, want := range []string{"carol's board:", "REPLY BEFORE ITS QUESTION", "history.CheckCausal: passes",
		"no member displayed a reply before its question", "over seeds 1..10"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

func TestOptionErrors(t *testing.T) {
	for _, f := range []func(*Options){
		func(o *Options) { o.Members = o.Members[:2] },
		func(o *Options) { o.MinDelay = 0 },
		func(o *Options) { o.Slow = map[Link]int64{{"alice", "zoe"}: 3} },
		func(o *Options) { o.Extra = -1 },
	} {
		o := DefaultOptions()
		f(&o)
		if _, err := run(&bytes.Buffer{}, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := parseSlow("alice-carol:3"); err == nil {
		t.Error("parseSlow accepted alice-carol:3")
	}
}
