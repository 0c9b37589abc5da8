package matrix

import (
	"context"
	"io"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"github.com/sirupsen/logrus"
)

// LoopbackMember is the child's side of RunLoopback: one member on its own
// node with protoactor remote on 127.0.0.1. Once the group is complete it
// streams and samples its counters until the parent asks it to stop, then
// reports (see loopback_report.go). Its own timeline starts at the
// complete view: latency is recorded from Warmup after it for Before+After,
// and the timing victim's fault fires Warmup+Before after it.
func LoopbackMember(ctx context.Context, p loopback.Params, r *loopback.Report) error {
	cfg, rank, err := childConfig(p)
	if err != nil {
		return err
	}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	clock := &faultClock{}
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", 0),
		actors.WithLogger(logrus.NewEntry(quiet)), actors.WithClock(clock))
	if err != nil {
		return err
	}
	defer node.Close()
	victim := rank == injectedVictim(cfg.Scenario, cfg.Members)
	s := &stream{body: make([]byte, cfg.PayloadBytes), window: cfg.Window, changed: make(chan struct{}, 1)}
	m := &member{self: node.ProcessID("m"), s: s}
	if victim && cfg.Scenario == SlowConsumer {
		m.slow = cfg.SlowDelivery
	}
	mcfg := membership.DefaultConfig(groupName)
	mcfg.Name = "m"
	mcfg.Core.Class = cfg.Class
	mcfg.Core.SuspectTimeout = loopbackSuspect
	if seed := p["seed"]; seed != "" {
		mcfg.Seeds = []string{seed}
	} else {
		mcfg.Members = []history.ProcessID{m.self}
	}
	var opts []membership.Option
	if spec, ok := loopbackFaultSpec(cfg, mcfg, actors.DefaultConfig().FaultTick); ok && victim {
		f, err := node.NewFaults(spec)
		if err != nil {
			return err
		}
		opts = append(opts, membership.WithFaults(f))
	}
	g, err := membership.Start(node, mcfg, func() actor.Actor { return m }, opts...)
	if err != nil {
		return err
	}
	m.group.Store(g)
	r.Send("addr", node.Address())

	complete := func(v viewAt) bool { return len(v.members) == cfg.Members }
	if err := awaitView(ctx, m, complete, nil); err != nil {
		return err
	}
	full, _ := m.view(complete)
	// A block while the group formed (a joiner suspected for a moment)
	// has healed once the view is complete: only what follows counts.
	if !m.stopped.Load() {
		m.removed.Store(false)
	}
	r.Send("full", fullFields(full, m.self)...)
	smp := startCounters(m, cfg.SampleEvery)
	s.sending.Store(true)
	if cfg.sends(rank) {
		node.Root().Send(g.PID(), &kick{})
	}
	open := full.at.Add(cfg.Warmup)
	measure := time.AfterFunc(time.Until(open), func() { s.measuring.Store(true) })
	defer measure.Stop()
	unmeasure := time.AfterFunc(time.Until(open.Add(cfg.Before+cfg.After)), func() { s.measuring.Store(false) })
	defer unmeasure.Stop()
	if victim && cfg.Scenario == Timing {
		fire := time.AfterFunc(time.Until(open.Add(cfg.Before)), func() {
			clock.fire()
			r.Send("fault", unixField(time.Now()))
		})
		defer fire.Stop()
	}

	<-ctx.Done() // the parent closed our input: the run is over
	pts := smp.stop()
	s.measuring.Store(false)
	s.sending.Store(false)
	if cfg.Scenario.RemovesMember() {
		// The view without the faulty member may still be on its way; a
		// member blocked meanwhile (a false suspicion left its side
		// without a majority) may still install it when that heals.
		smaller := func(v viewAt) bool { return v.id > full.id && len(v.members) < cfg.Members }
		wctx, cancel := context.WithTimeout(context.Background(), viewWait)
		_ = awaitView(wctx, m, smaller, &m.stopped)
		cancel()
	}
	m.mu.Lock()
	views, lat := viewFields(m.views), sketchOf(&m.lat, sketchPoints)
	m.mu.Unlock()
	r.Send("views", views...)
	r.Send("latency", lat.fields()...)
	for _, line := range seriesLines(full.at, pts, seriesChunk) {
		r.Send("series", line...)
	}
	removed := "0"
	if m.removed.Load() {
		removed = "1"
	}
	r.Send("done", removed)
	// Stay up until the parent, once it has read every child's report,
	// kills us. A child that exited now would look crashed to the members
	// still reporting: they would suspect it and, with two of three gone,
	// block, which their reports would show as a live member removed.
	linger := time.NewTimer(lingerAfterReport)
	defer linger.Stop()
	<-linger.C
	return nil
}

// lingerAfterReport bounds how long a child that has reported waits to be
// killed: longer than the parent takes to read the slowest report, which
// may wait viewWait for a view change.
const lingerAfterReport = viewWait + 10*time.Second

// childConfig reads the run's Config and the child's spawn rank from its
// parameters (see loopbackParams).
func childConfig(p loopback.Params) (Config, int, error) {
	var cfg Config
	ints := map[string]*int{"procs": &cfg.Members, "window": &cfg.Window, "payload": &cfg.PayloadBytes, "senders": &cfg.Senders}
	var class, scenario, rank, seed int
	ints["class"], ints["scenario"], ints["rank"], ints["fseed"] = &class, &scenario, &rank, &seed
	for k, dst := range ints {
		v, err := p.Int(k)
		if err != nil {
			return Config{}, 0, err
		}
		*dst = v
	}
	cfg.Class, cfg.Scenario, cfg.Seed = layer.Class(class), Scenario(scenario), uint64(seed)
	durs := map[string]*time.Duration{"warmup": &cfg.Warmup, "before": &cfg.Before, "after": &cfg.After,
		"slow": &cfg.SlowDelivery, "sample": &cfg.SampleEvery, "timeout": &cfg.Timeout}
	for k, dst := range durs {
		v, err := p.Duration(k, 0)
		if err != nil {
			return Config{}, 0, err
		}
		*dst = v
	}
	rate, err := strconv.ParseFloat(p["omission"], 64)
	if err != nil {
		return Config{}, 0, loopback.ErrParam
	}
	cfg.OmissionRate = rate
	return cfg, rank, cfg.Validate()
}

// loopbackParams are the children's parameters for cfg; the parent adds
// each child's rank and, to the joiners, the founder's address as "seed".
func loopbackParams(cfg Config) loopback.Params {
	return loopback.Params{
		"class": strconv.Itoa(int(cfg.Class)), "procs": strconv.Itoa(cfg.Members), "scenario": strconv.Itoa(int(cfg.Scenario)),
		"window": strconv.Itoa(cfg.Window), "payload": strconv.Itoa(cfg.PayloadBytes), "fseed": strconv.FormatUint(cfg.Seed, 10),
		"senders": strconv.Itoa(cfg.Senders),
		"warmup":  cfg.Warmup.String(), "before": cfg.Before.String(), "after": cfg.After.String(),
		"slow": cfg.SlowDelivery.String(), "sample": cfg.SampleEvery.String(), "timeout": cfg.Timeout.String(),
		"omission": strconv.FormatFloat(cfg.OmissionRate, 'g', -1, 64),
	}
}

// awaitView waits until m installed a view satisfying ok, or *out is set,
// or ctx ends.
func awaitView(ctx context.Context, m *member, ok func(viewAt) bool, out interface{ Load() bool }) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if _, found := m.view(ok); found || (out != nil && out.Load()) {
			return nil
		}
		select {
		case <-m.s.changed:
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// allocMetrics are the runtime counters that add up to MemStats.Mallocs,
// read without stopping the world.
var allocMetrics = []string{"/gc/heap/allocs:objects", "/gc/heap/tiny/allocs:objects"}

// counterSampler records a child's deliveries and allocations periodically.
type counterSampler struct {
	m     *member
	read  []metrics.Sample
	mu    sync.Mutex
	pts   []point
	quit  chan struct{}
	ended chan struct{}
}

func startCounters(m *member, every time.Duration) *counterSampler {
	c := &counterSampler{m: m, quit: make(chan struct{}), ended: make(chan struct{})}
	for _, name := range allocMetrics {
		c.read = append(c.read, metrics.Sample{Name: name})
	}
	c.take()
	go func() {
		defer close(c.ended)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-t.C:
				c.take()
			}
		}
	}()
	return c
}

func (c *counterSampler) take() {
	c.mu.Lock()
	defer c.mu.Unlock()
	metrics.Read(c.read)
	var allocs uint64
	for _, s := range c.read {
		if s.Value.Kind() == metrics.KindUint64 {
			allocs += s.Value.Uint64()
		}
	}
	c.pts = append(c.pts, point{At: time.Now(), Delivered: c.m.delivered.Load(), Allocs: allocs})
}

// stop takes a last point and returns the series.
func (c *counterSampler) stop() []point {
	close(c.quit)
	<-c.ended
	c.take()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pts
}
