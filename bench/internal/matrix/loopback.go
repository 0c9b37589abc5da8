package matrix

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"github.com/sirupsen/logrus"
)

// LoopbackRole is the child role of the multi-process runs; a test binary
// that calls RunLoopback registers LoopbackMember under it.
const LoopbackRole = "matrix-member"

// loopbackSuspect is the suspicion timeout of the multi-process runs, in
// membership ticks (5 ms): 1 s, as in membership's multi-process tests,
// because several processes sharing two loaded cores can go quiet for
// longer than the 100 ms default without having failed, and these runs
// measure throughput without failures.
const loopbackSuspect = 200

// LoopbackConfig is a failure-free run of Procs OS processes on 127.0.0.1,
// one member each, every one multicasting closed-loop.
type LoopbackConfig struct {
	Class    layer.Class
	Procs    int
	Window   int
	Payload  int
	Warmup   time.Duration
	Duration time.Duration
	Timeout  time.Duration
}

// DefaultLoopbackConfig is three processes measured for two seconds.
func DefaultLoopbackConfig(class layer.Class) LoopbackConfig {
	return LoopbackConfig{Class: class, Procs: 3, Window: 256, Payload: 100, Warmup: 300 * time.Millisecond,
		Duration: 2 * time.Second, Timeout: time.Minute}
}

// LoopbackResult is what the members of a multi-process run measured.
type LoopbackResult struct {
	// MinRate and MeanRate are delivered messages per second at the
	// slowest member and on average.
	MinRate, MeanRate float64
	// P50 is the median of the members' medians, P99 the largest of
	// their 99th percentiles (histograms stay in their processes).
	P50, P99 time.Duration
	// Views is the most views a member installed after the group was
	// complete (0 = no view change during the measurement).
	Views int
}

// RunLoopback spawns cfg.Procs children of this test binary (the first
// founds the group, the others join through its address), lets them
// stream, and collects their figures.
func RunLoopback(ctx context.Context, cfg LoopbackConfig) (*LoopbackResult, error) {
	if !cfg.Class.Valid() || cfg.Procs < 2 || cfg.Duration <= 0 {
		return nil, fmt.Errorf("%w: loopback %v x %d for %v", ErrConfig, cfg.Class, cfg.Procs, cfg.Duration)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	params := loopback.Params{
		"class": strconv.Itoa(int(cfg.Class)), "procs": strconv.Itoa(cfg.Procs), "window": strconv.Itoa(cfg.Window),
		"payload": strconv.Itoa(cfg.Payload), "warmup": cfg.Warmup.String(), "duration": cfg.Duration.String(),
		"timeout": cfg.Timeout.String(),
	}
	var children []*loopback.Child
	defer func() {
		for _, c := range children {
			_ = c.Close(5 * time.Second)
		}
	}()
	var seed string
	for i := range cfg.Procs {
		p := params
		if i > 0 {
			p = loopback.Params{"seed": seed}
			for k, v := range params {
				p[k] = v
			}
		}
		c, err := loopback.Spawn(ctx, LoopbackRole, p)
		if err != nil {
			return nil, err
		}
		children = append(children, c)
		f, err := c.Await(ctx, "addr")
		if err != nil {
			return nil, err
		}
		if i == 0 && len(f) > 0 {
			seed = f[0]
		}
	}
	res := &LoopbackResult{MinRate: -1}
	var p50s []time.Duration
	for _, c := range children {
		f, err := c.Await(ctx, "result")
		if err != nil {
			return nil, err
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("%w: result line %q", loopback.ErrChild, f)
		}
		rate, _ := strconv.ParseFloat(f[0], 64)
		p50, _ := strconv.ParseInt(f[1], 10, 64)
		p99, _ := strconv.ParseInt(f[2], 10, 64)
		views, _ := strconv.Atoi(f[3])
		if res.MinRate < 0 || rate < res.MinRate {
			res.MinRate = rate
		}
		res.MeanRate += rate / float64(cfg.Procs)
		p50s = append(p50s, time.Duration(p50))
		res.P99 = max(res.P99, time.Duration(p99))
		res.Views = max(res.Views, views)
	}
	slices.Sort(p50s)
	res.P50 = p50s[len(p50s)/2]
	return res, nil
}

// LoopbackMember is the child's side of RunLoopback: one member on its own
// node with protoactor remote on 127.0.0.1.
func LoopbackMember(ctx context.Context, p loopback.Params, r *loopback.Report) error {
	classN, err := p.Int("class")
	if err != nil {
		return err
	}
	procs, err := p.Int("procs")
	if err != nil {
		return err
	}
	window, err := p.Int("window")
	if err != nil {
		return err
	}
	payload, err := p.Int("payload")
	if err != nil {
		return err
	}
	warmup, err := p.Duration("warmup", 300*time.Millisecond)
	if err != nil {
		return err
	}
	duration, err := p.Duration("duration", 2*time.Second)
	if err != nil {
		return err
	}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", 0), actors.WithLogger(logrus.NewEntry(quiet)))
	if err != nil {
		return err
	}
	defer node.Close()
	s := &stream{body: make([]byte, payload), window: window, changed: make(chan struct{}, 1)}
	m := &member{self: node.ProcessID("m"), s: s}
	cfg := membership.DefaultConfig(groupName)
	cfg.Name = "m"
	cfg.Core.Class = layer.Class(classN)
	cfg.Core.SuspectTimeout = loopbackSuspect
	if seed := p["seed"]; seed != "" {
		cfg.Seeds = []string{seed}
	} else {
		cfg.Members = []history.ProcessID{m.self}
	}
	g, err := membership.Start(node, cfg, func() actor.Actor { return m })
	if err != nil {
		return err
	}
	m.group.Store(g)
	r.Send("addr", node.Address())
	full := func(v viewAt) bool { return len(v.members) == procs }
	for {
		if _, ok := m.view(full); ok {
			break
		}
		select {
		case <-s.changed:
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	complete := m.viewCount()
	s.sending.Store(true)
	node.Root().Send(g.PID(), &kick{})
	if err := wait(ctx, time.Now().Add(warmup)); err != nil {
		return err
	}
	from, opened := m.delivered.Load(), time.Now()
	s.measuring.Store(true)
	if err := wait(ctx, opened.Add(duration)); err != nil {
		return err
	}
	to, closed := m.delivered.Load(), time.Now()
	s.measuring.Store(false)
	s.sending.Store(false)
	m.mu.Lock()
	p50, p99 := m.lat.Quantile(0.5), m.lat.Quantile(0.99)
	m.mu.Unlock()
	rate := float64(to-from) / closed.Sub(opened).Seconds()
	r.Send("result", strconv.FormatFloat(rate, 'f', 1, 64), strconv.FormatInt(int64(p50), 10),
		strconv.FormatInt(int64(p99), 10), strconv.Itoa(m.viewCount()-complete))
	<-ctx.Done() // stay in the group until every member has measured
	return nil
}
