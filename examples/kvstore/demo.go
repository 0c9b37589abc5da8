package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/spacetime"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// demoConfig sizes the embedded demo.
type demoConfig struct {
	Replicas int
	Clients  int
	Keys     int
	// Phase is the time between the demo's steps: start, crash a replica,
	// crash the sequencer, add a replica, stop.
	Phase time.Duration
	Seed  uint64
	Class layer.Class
	// SuspectTicks is the suspicion timeout in 5 ms ticks.
	SuspectTicks int64
	SVGPath      string
	// Progress receives the live counter line; nil for none.
	Progress io.Writer
}

func defaultDemoConfig() demoConfig {
	return demoConfig{Replicas: 5, Clients: 16, Keys: 32, Phase: 1500 * time.Millisecond, Seed: 1, Class: layer.CausalAtomic, SuspectTicks: 30,
		SVGPath: filepath.Join(os.TempDir(), "kvstore-spacetime.svg")}
}

// viewChange is one step of the demo that changed the view.
type viewChange struct {
	What     string
	View     uint64
	Members  int
	Duration time.Duration
	// Detected is how long until the first suspicion of the crashed
	// replica (0 for a join).
	Detected time.Duration
	at       int64 // when the cause happened (Unix ns)
	victim   history.ProcessID
}

// summary is what the demo measured.
type summary struct {
	Done, Refused, Unknown int64
	Elapsed                time.Duration
	Changes                []viewChange
	Final                  []replica.Status
	Identical              bool
	SVG                    spacetime.Stats
}

// runDemo runs the embedded demo and prints its summary to out.
func runDemo(cfg demoConfig, out io.Writer) (*summary, error) {
	log := history.NewLog()
	ccfg := replica.DefaultClusterConfig()
	ccfg.Replicas = cfg.Replicas
	ccfg.Replica.Class = cfg.Class
	ccfg.SuspectTimeout = cfg.SuspectTicks
	ccfg.Recorder = log
	fmt.Fprintf(out, "kvstore: %d replicas in one process, class %v, %d clients on %d keys, seed %d\n",
		cfg.Replicas, cfg.Class, cfg.Clients, cfg.Keys, cfg.Seed)
	c, err := replica.NewCluster(ccfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()

	var cnt replica.Counters
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	start := time.Now()
	loadDone := make(chan error, 1)
	go func() {
		_, err := replica.RunWorkload(ctx, replica.WorkloadConfig{Clients: cfg.Clients, Keys: cfg.Keys, Timeout: 2 * time.Second, Seed: cfg.Seed},
			func(r *rand.Rand) replica.Doer {
				live := c.Live()
				if len(live) == 0 {
					return nil
				}
				return live[r.IntN(len(live))]
			}, &cnt)
		loadDone <- err
	}()
	stopProgress := showProgress(cfg.Progress, c, &cnt, start)

	s := &summary{}
	step := func(what string, act func() (*replica.Replica, error), ok func(*membership.ViewChange) bool) error {
		time.Sleep(cfg.Phase) // the demo's pace: let the load run between steps
		at := time.Now()
		r, err := act()
		if err != nil {
			return err
		}
		if err := c.AwaitView(10*time.Second, ok); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		v := c.Live()[0].Group().View()
		vc := viewChange{What: what, View: v.ID, Members: len(v.Members), Duration: time.Since(at), at: at.UnixNano()}
		if what != "replica joined (state transfer)" {
			vc.victim = r.ID()
		}
		s.Changes = append(s.Changes, vc)
		return nil
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 99))
	var victim, seq *replica.Replica
	err = step("replica crashed", func() (*replica.Replica, error) {
		live := c.Live()
		victim = live[1+rng.IntN(len(live)-1)] // anyone but the sequencer
		c.Crash(victim)
		return victim, nil
	}, func(v *membership.ViewChange) bool { return !v.Has(victim.ID()) })
	if err == nil {
		err = step("sequencer crashed", func() (*replica.Replica, error) {
			seq = c.Sequencer()
			if seq == nil {
				return nil, errors.New("no sequencer")
			}
			c.Crash(seq)
			return seq, nil
		}, func(v *membership.ViewChange) bool { return !v.Has(seq.ID()) })
	}
	var joiner *replica.Replica
	if err == nil {
		err = step("replica joined (state transfer)", func() (*replica.Replica, error) {
			var err error
			joiner, err = c.Join(fmt.Sprintf("r%d", cfg.Replicas))
			return joiner, err
		}, func(v *membership.ViewChange) bool { return joiner != nil && v.Has(joiner.ID()) })
	}
	if err == nil {
		time.Sleep(cfg.Phase)
	}
	stopLoad()
	loadErr := <-loadDone
	s.Elapsed = time.Since(start)
	stopProgress()
	if err != nil {
		return nil, err
	}
	if loadErr != nil {
		return nil, loadErr
	}
	s.Done, s.Refused, s.Unknown = cnt.Done.Load(), cnt.Refused.Load(), cnt.Unknown.Load()
	if err := c.AwaitQuiet(10 * time.Second); err != nil {
		return nil, err
	}
	if s.Final, err = c.Statuses(); err != nil {
		return nil, err
	}
	h := log.History()
	for i := range s.Changes {
		s.Changes[i].Detected = firstSuspicion(h, s.Changes[i])
	}
	s.Identical = len(s.Final) > 0
	for _, st := range s.Final {
		s.Identical = s.Identical && st.Checksum == s.Final[0].Checksum
	}
	if cfg.SVGPath != "" {
		if err := writeDiagram(cfg.SVGPath, h, s, seq); err != nil {
			return nil, err
		}
	}
	printSummary(out, cfg, s)
	return s, nil
}

// showProgress rewrites one status line on w every 100 ms until stopped.
func showProgress(w io.Writer, c *replica.Cluster, cnt *replica.Counters, start time.Time) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	line := func() {
		el := time.Since(start)
		d := cnt.Done.Load()
		view, members := uint64(0), 0
		if live := c.Live(); len(live) > 0 {
			if v := live[0].Group().View(); v != nil {
				view, members = v.ID, len(v.Members)
			}
		}
		fmt.Fprintf(w, "\r  %5.1fs  ops %7d  %6.0f ops/s  unknown %3d  refused %3d  view %d (%d replicas)   ",
			el.Seconds(), d, float64(d)/el.Seconds(), cnt.Unknown.Load(), cnt.Refused.Load(), view, members)
	}
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				line()
			case <-quit:
				line()
				fmt.Fprintln(w)
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}

// writeDiagram draws the window around the sequencer's crash: the last
// deliveries before it, the silence while the survivors detect it, the
// flush's deliveries and the new view.
func writeDiagram(path string, h history.History, s *summary, seq *replica.Replica) error {
	var ch viewChange
	for _, c := range s.Changes {
		if c.What == "sequencer crashed" {
			ch = c
		}
	}
	to := ch.at + ch.Duration.Nanoseconds()
	for _, e := range h { // end a little after the last survivor installed the view
		if e.Kind == history.ViewInstall && e.View == ch.View && e.Time > to {
			to = e.Time
		}
	}
	from := ch.at - 15*time.Millisecond.Nanoseconds()
	to += 10 * time.Millisecond.Nanoseconds()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("kvstore: the sequencer %s crashes; view %d is installed %v later", shortID(seq.ID()), ch.View, ch.Duration.Round(time.Millisecond))
	s.SVG, err = spacetime.Write(f, h, spacetime.Config{From: from, To: to, MaxMessages: 40, Title: title, CompressGaps: 5 * time.Millisecond.Nanoseconds()})
	return errors.Join(err, f.Close())
}

func shortID(p history.ProcessID) string {
	s := string(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}

func printSummary(out io.Writer, cfg demoConfig, s *summary) {
	fmt.Fprintf(out, "\nsummary (seed %d)\n", cfg.Seed)
	fmt.Fprintf(out, "  operations: %d done, %d with unknown outcome (their replica crashed), %d refused\n", s.Done, s.Unknown, s.Refused)
	fmt.Fprintf(out, "  throughput: %.0f ops/s over %v\n", float64(s.Done)/s.Elapsed.Seconds(), s.Elapsed.Round(time.Millisecond))
	fmt.Fprintln(out, "  view changes:")
	for _, c := range s.Changes {
		detail := ""
		if c.Detected > 0 {
			detail = fmt.Sprintf(" (first suspicion after %v)", c.Detected.Round(time.Millisecond))
		}
		fmt.Fprintf(out, "    %-32s -> view %d, %d replicas, installed everywhere after %v%s\n", c.What, c.View, c.Members, c.Duration.Round(time.Millisecond), detail)
	}
	fmt.Fprintln(out, "  final state:")
	for _, st := range s.Final {
		fmt.Fprintf(out, "    %-4s view %d  applied %6d  keys %3d  checksum %016x\n", shortID(st.ID), st.View, st.Applied, st.Keys, st.Checksum)
	}
	if s.Identical {
		fmt.Fprintf(out, "  identical state on all %d replicas: yes\n", len(s.Final))
	} else {
		fmt.Fprintf(out, "  identical state on all %d replicas: NO\n", len(s.Final))
	}
	if cfg.SVGPath != "" {
		fmt.Fprintf(out, "  space-time diagram (%d multicasts, %d deliveries, %d view installs, %d crash): %s\n",
			s.SVG.Multicasts, s.SVG.Deliveries, s.SVG.Views, s.SVG.Crashes, cfg.SVGPath)
	}
}

// firstSuspicion is how long after the crash some replica first suspected
// the crashed one, or 0.
func firstSuspicion(h history.History, c viewChange) time.Duration {
	if c.victim == "" {
		return 0
	}
	first := int64(0)
	for _, e := range h {
		if e.Kind == history.Suspect && e.Peer == c.victim && e.Time >= c.at && (first == 0 || e.Time < first) {
			first = e.Time
		}
	}
	if first == 0 {
		return 0
	}
	return time.Duration(first - c.at)
}
