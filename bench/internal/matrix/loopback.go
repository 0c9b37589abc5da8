package matrix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// LoopbackRole is the child role of the multi-process runs; a test binary
// that calls RunLoopback registers LoopbackMember under it.
const LoopbackRole = "matrix-member"

// loopbackSuspect is the suspicion timeout of the multi-process runs, in
// membership ticks (5 ms): 1 s, as in membership's multi-process tests,
// because several processes sharing two loaded cores can go quiet for
// longer than the 100 ms default without having failed. The timing
// scenario's delay is three of these, and a crash the heartbeats alone
// must detect takes at least this long to end in a view (protoactor's
// report of the lost connection, Config.ConnectionHints, usually suspects
// a killed process sooner).
const loopbackSuspect = 200

// formationWait bounds the wait for the children's complete view. A joiner
// suspected while the group forms (a process starved of CPU on a loaded
// machine) keeps the view from ever being complete; the run then fails
// with ErrFormation and may be tried again.
const formationWait = 15 * time.Second

// ErrFormation wraps a failure before the fault moment: the group never
// became complete.
var ErrFormation = errors.New("matrix: the loopback group did not form")

// DefaultLoopbackConfig is the cell class x procs x s across processes:
// one second measured before the fault moment and one after it, three
// after it in the scenarios that remove a member, because the view change
// across processes takes about the suspicion timeout (1 s, see
// loopbackSuspect) and the window must also show throughput coming back
// after it. Throughput is sampled every 20 ms (each sample travels back to
// the parent in a control line).
func DefaultLoopbackConfig(class layer.Class, procs int, s Scenario) Config {
	cfg := DefaultConfig(class, procs, s)
	cfg.Warmup, cfg.Before, cfg.After = 300*time.Millisecond, time.Second, time.Second
	if s.RemovesMember() {
		cfg.After = 3 * time.Second
	}
	cfg.SampleEvery = 20 * time.Millisecond
	cfg.Timeout = 90 * time.Second
	return cfg
}

// RunLoopback measures one cell with every member in a child OS process
// of this test binary (cfg.Members of them, on 127.0.0.1, protoactor
// remote): the first founds the group, the others join through its
// address, and none is the parent, so the parent can SIGKILL any of them,
// the coordinator included.
//
// The timeline is anchored at the complete view: each child reports when
// it installed it, and the parent puts the fault moment Warmup+Before after
// the latest of those (the timing victim fires its own fault at that
// moment of its clock and reports it), kills the crash victim then,
// closes the window After later and asks every child to stop and report
// its counters, whose series it reads at the window's bounds. The faults
// are injected as in Run: send omission and timing through the victim's
// membership.WithFaults, the slow consumer in its application; the
// crashes are SIGKILLs of the member ranked last (crash) or first
// (coordinator-crash) in the complete view.
func RunLoopback(ctx context.Context, cfg Config) (*LoopbackResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	children := make([]*loopback.Child, 0, cfg.Members)
	kills := make([]context.CancelFunc, 0, cfg.Members)
	var closing sync.WaitGroup
	stopped := false
	stopAll := func() {
		if stopped {
			return
		}
		stopped = true
		for _, c := range children {
			closing.Go(func() { _ = c.Close(viewWait + 10*time.Second) })
		}
	}
	defer func() {
		// Once their reports are read (or the run failed) the children
		// are killed rather than left to close their nodes: a graceful
		// remote shutdown takes seconds per process, for nothing.
		stopAll()
		for _, kill := range kills {
			kill()
		}
		closing.Wait()
	}()

	var founder string
	for i := range cfg.Members {
		p := loopbackParams(cfg)
		p["rank"] = strconv.Itoa(i)
		if i > 0 {
			p["seed"] = founder
		}
		// Each child has a context of its own: cancelling it SIGKILLs it.
		cctx, kill := context.WithCancel(ctx)
		c, err := loopback.Spawn(cctx, LoopbackRole, p)
		if err != nil {
			kill()
			return nil, err
		}
		children, kills = append(children, c), append(kills, kill)
		f, err := c.Await(ctx, "addr")
		if err != nil {
			return nil, err
		}
		if i == 0 && len(f) > 0 {
			founder = f[0]
		}
	}

	fctx, fcancel := context.WithTimeout(ctx, formationWait)
	defer fcancel()
	ids := make([]history.ProcessID, len(children))
	fulls := make([]viewAt, len(children))
	var fullView viewAt
	var anchor time.Time
	for i, c := range children {
		f, err := c.Await(fctx, "full")
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFormation, err)
		}
		self, v, err := parseFull(f)
		if err != nil {
			return nil, err
		}
		ids[i], fulls[i], fullView = self, v, v
		if v.at.After(anchor) {
			anchor = v.at
		}
	}
	victim := injectedVictim(cfg.Scenario, cfg.Members)
	switch cfg.Scenario {
	case Crash:
		victim = slices.Index(ids, fullView.members[len(fullView.members)-1])
	case CoordinatorCrash:
		victim = slices.Index(ids, fullView.members[0])
	}
	if cfg.Scenario != None && victim < 0 {
		return nil, fmt.Errorf("%w: the complete view %v names no child", ErrReport, fullView.members)
	}

	fault := anchor.Add(cfg.Warmup + cfg.Before)
	switch cfg.Scenario {
	case Timing:
		f, err := children[victim].Await(ctx, "fault")
		if err != nil {
			return nil, err
		}
		if len(f) != 1 {
			return nil, fmt.Errorf("%w: fault line %q", ErrReport, f)
		}
		if fault, err = parseUnix(f[0]); err != nil {
			return nil, err
		}
	case Crash, CoordinatorCrash:
		if err := wait(ctx, fault); err != nil {
			return nil, err
		}
		fault = time.Now()
		kills[victim]()
	}
	tl := timeline{open: fault.Add(-cfg.Before), fault: fault, close: fault.Add(cfg.After)}
	if err := wait(ctx, tl.close); err != nil {
		return nil, err
	}

	stopAll()
	reports := make([]*childReport, len(children))
	for i, c := range children {
		if i == victim && cfg.Scenario.RemovesMember() {
			continue
		}
		r, err := readReport(ctx, c)
		if err != nil {
			return nil, err
		}
		r.ID, r.Full, r.FullID = ids[i], fulls[i].at, fulls[i].id
		reports[i] = r
	}
	var gone history.ProcessID
	if victim >= 0 {
		gone = ids[victim]
	}
	return aggregate(cfg, reports, victim, gone, tl)
}

// readReport reads what a child sends once asked to stop.
func readReport(ctx context.Context, c *loopback.Child) (*childReport, error) {
	r := &childReport{}
	f, err := c.Await(ctx, "views")
	if err != nil {
		return nil, err
	}
	if r.Views, err = parseViews(f); err != nil {
		return nil, err
	}
	if f, err = c.Await(ctx, "latency"); err != nil {
		return nil, err
	}
	if r.Latency, err = parseSketch(f); err != nil {
		return nil, err
	}
	for more := true; more; {
		if f, err = c.Await(ctx, "series"); err != nil {
			return nil, err
		}
		var pts []point
		if pts, more, err = parseSeries(f); err != nil {
			return nil, err
		}
		r.Series = append(r.Series, pts...)
	}
	if f, err = c.Await(ctx, "done"); err != nil {
		return nil, err
	}
	r.Removed = len(f) == 1 && f[0] == "1"
	return r, nil
}
