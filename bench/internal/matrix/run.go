package matrix

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/sirupsen/logrus"
)

const groupName = "matrix"

// timingLead is how long after the timing scenario's injector is set up
// its fault may fire at the earliest: the injector's trigger counts from
// its creation, before the group has even started, so the run's timeline
// is laid out from that moment and start-up must fit in this lead.
const timingLead = time.Second

// viewWait bounds the wait, after the window, for the survivors to install
// the view without the faulty member: a cell whose view change hangs
// fails after it instead of holding the whole matrix up.
const viewWait = 5 * time.Second

// run is one cell being measured.
type run struct {
	cfg       Config
	node      *actors.Node
	ids       []history.ProcessID
	members   []*member
	groups    []*membership.Group
	victim    int
	survivors []int
	s         *stream
}

// Run measures one cell of the matrix. It starts a fresh node and group,
// so runs do not share state, and closes them before it returns.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	quiet.SetLevel(logrus.ErrorLevel)
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithLogger(logrus.NewEntry(quiet)))
	if err != nil {
		return nil, err
	}
	defer node.Close()
	r := &run{cfg: cfg, node: node, victim: cfg.Scenario.victim(cfg.Members),
		s: &stream{body: make([]byte, cfg.PayloadBytes), window: cfg.Window, changed: make(chan struct{}, 1)}}
	for i := range cfg.Members {
		r.ids = append(r.ids, node.ProcessID(fmt.Sprintf("m%d", i)))
		if i != r.victim || !cfg.Scenario.RemovesMember() {
			r.survivors = append(r.survivors, i)
		}
	}
	created := time.Now()
	if err := r.start(); err != nil {
		return nil, err
	}
	if err := r.await(ctx, "the first view", func() bool {
		for _, m := range r.members {
			if m.viewCount() == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		return nil, err
	}
	// The timeline: kick, warm up, open the window, the fault moment
	// Before later, close the window After it.
	kickAt := time.Now()
	if cfg.Scenario == Timing {
		kickAt = created.Add(timingLead)
		if err := wait(ctx, kickAt); err != nil {
			return nil, err
		}
	}
	faultAt := kickAt.Add(cfg.Warmup + cfg.Before)
	r.s.sending.Store(true)
	for i, g := range r.groups {
		if cfg.sends(i) {
			node.Root().Send(g.PID(), &kick{})
		}
	}
	sampler := newSampler(r, cfg.SampleEvery)
	if err := wait(ctx, faultAt.Add(-cfg.Before)); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs := ms.Mallocs
	opened := time.Now()
	r.s.measuring.Store(true)
	sampler.open(opened)
	if err := wait(ctx, faultAt); err != nil {
		return nil, err
	}
	faulted := time.Now()
	switch cfg.Scenario {
	case Crash, CoordinatorCrash:
		_ = node.Root().StopFuture(r.groups[r.victim].PID()).Wait()
	case Timing:
		faulted = faultAt // the injector's trigger fires on its own clock
	}
	if err := wait(ctx, faultAt.Add(cfg.After)); err != nil {
		return nil, err
	}
	closed := time.Now()
	counts := sampler.close()
	r.s.measuring.Store(false)
	runtime.ReadMemStats(&ms)
	r.s.sending.Store(false)
	res.Window = closed.Sub(opened)
	res.Fault = faulted.Sub(opened)
	res.Samples = sampler.samples
	perMember := float64(counts) / float64(len(r.survivors))
	res.PerMember = perMember / res.Window.Seconds()
	if perMember > 0 {
		res.AllocsPerMulticast = float64(ms.Mallocs-mallocs) / perMember
	}
	if cfg.Scenario.RemovesMember() {
		gone := r.ids[r.victim]
		without := func(v viewAt) bool { return v.id > 1 && !slices.Contains(v.members, gone) }
		after := func(v viewAt) bool { return without(v) && !v.at.Before(faulted) }
		early := false // the victim was suspected and removed before its fault
		for _, i := range r.survivors {
			if v, ok := r.members[i].view(without); ok && v.at.Before(faulted) {
				early = true
			}
		}
		vctx, vcancel := context.WithTimeout(ctx, viewWait)
		defer vcancel()
		if err := r.await(vctx, "the view without "+string(gone), func() bool {
			if early {
				return true
			}
			for _, i := range r.survivors {
				if _, ok := r.members[i].view(after); !ok && !r.members[i].removed.Load() {
					return false
				}
			}
			return true
		}); err != nil {
			return nil, err
		}
		var last time.Time
		for _, i := range r.survivors {
			if v, ok := r.members[i].view(after); ok && v.at.After(last) {
				last = v.at
			}
		}
		switch {
		case early:
			res.RemovedEarly = true
		case last.IsZero():
			return nil, fmt.Errorf("matrix: %v %s n=%d: every survivor was removed or blocked (views installed, id:size: %s)",
				cfg.Scenario, cfg.Class, cfg.Members, r.viewsSeen())
		default:
			res.ViewChange = last.Sub(faulted)
		}
	}
	for _, m := range r.members {
		if m.multicasts.Load() > 0 {
			res.Senders++
		}
	}
	for _, i := range r.survivors {
		m := r.members[i]
		m.mu.Lock()
		res.Latency.Merge(&m.lat)
		m.mu.Unlock()
		res.Views = max(res.Views, m.viewCount())
		if m.removed.Load() {
			res.Removed++
		}
	}
	return res, nil
}

// start spawns the group, the faulty member with its injector.
func (r *run) start() error {
	cfg := r.cfg
	for i, id := range r.ids {
		m := &member{self: id, s: r.s}
		if cfg.Scenario == SlowConsumer && i == r.victim {
			m.slow = cfg.SlowDelivery
		}
		mcfg := membership.DefaultConfig(groupName)
		mcfg.Name, mcfg.Members = fmt.Sprintf("m%d", i), r.ids
		mcfg.Core.Class = cfg.Class
		var opts []membership.Option
		if spec, ok := r.faultSpec(i); ok {
			f, err := r.node.NewFaults(spec)
			if err != nil {
				return err
			}
			opts = append(opts, membership.WithFaults(f))
		}
		g, err := membership.Start(r.node, mcfg, func() actor.Actor { return m }, opts...)
		if err != nil {
			return err
		}
		m.group.Store(g)
		r.members, r.groups = append(r.members, m), append(r.groups, g)
	}
	return nil
}

// faultSpec is the injector of member i, if the scenario gives it one.
func (r *run) faultSpec(i int) (faults.Spec, bool) {
	cfg := r.cfg
	if i != r.victim {
		return faults.Spec{}, false
	}
	tick := actors.DefaultConfig().FaultTick
	switch cfg.Scenario {
	case Omission:
		return faults.Spec{Model: faults.SendOmission, Rate: cfg.OmissionRate, Seed: cfg.Seed}, true
	case Timing:
		core := membership.DefaultConfig(groupName)
		timeout := time.Duration(core.Core.SuspectTimeout) * core.TickInterval
		at := timingLead + cfg.Warmup + cfg.Before
		return faults.Spec{Model: faults.Timing, Delay: int64(3 * timeout / tick),
			Start: faults.Trigger{AtTick: int64(at / tick)}, Seed: cfg.Seed}, true
	}
	return faults.Spec{}, false
}

// viewsSeen lists, per member, the views it installed as id:size, for
// the error a hung view change returns.
func (r *run) viewsSeen() string {
	var b strings.Builder
	for i, m := range r.members {
		m.mu.Lock()
		fmt.Fprintf(&b, " m%d[", i)
		for _, v := range m.views {
			fmt.Fprintf(&b, " %d:%d", v.id, len(v.members))
		}
		b.WriteString(" ]")
		m.mu.Unlock()
	}
	return strings.TrimSpace(b.String())
}

// await polls cond on every view change and every millisecond until it
// holds or ctx ends.
func (r *run) await(ctx context.Context, what string, cond func() bool) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-r.s.changed:
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("matrix: %v %s n=%d: waiting for %s (views installed, id:size: %s): %w",
				r.cfg.Scenario, r.cfg.Class, r.cfg.Members, what, r.viewsSeen(), ctx.Err())
		}
	}
	return nil
}

// wait returns at the wall-clock moment at, or when ctx ends.
func wait(ctx context.Context, at time.Time) error {
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("matrix: %w", ctx.Err())
	}
}
