package matrix

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// TestSketchMergeMatchesDirectMerge: two processes' histograms merged
// through their sketches give the percentiles the histograms merged
// directly give, within the histogram's own bucket error.
func TestSketchMergeMatchesDirectMerge(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, seed))
	var a, b, direct, viaSketch metrics.Histogram
	for range 20000 {
		a.Record(time.Duration(rng.ExpFloat64() * float64(time.Millisecond)))
	}
	for range 5000 { // a slower, smaller process: it shapes the tail
		b.Record(time.Duration(20*time.Millisecond) + time.Duration(rng.ExpFloat64()*float64(5*time.Millisecond)))
	}
	direct.Merge(&a)
	direct.Merge(&b)
	for _, h := range []*metrics.Histogram{&a, &b} {
		s, err := parseSketch(sketchOf(h, sketchPoints).fields())
		if err != nil {
			t.Fatal(err)
		}
		s.addTo(&viaSketch)
	}
	if viaSketch.Count() != direct.Count() {
		t.Fatalf("seed %d: %d samples through the sketches, want %d", seed, viaSketch.Count(), direct.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		got, want := viaSketch.Quantile(q), direct.Quantile(q)
		if d := float64(got-want) / float64(want); d < -0.07 || d > 0.07 {
			t.Errorf("seed %d: q%.2f %v through the sketches, %v merged directly", seed, q, got, want)
		}
	}
}

func TestReportLinesRoundTrip(t *testing.T) {
	base := time.Unix(1700000000, 123)
	var pts []point
	for i := range 1000 {
		pts = append(pts, point{At: base.Add(time.Duration(i) * 20 * time.Millisecond), Delivered: int64(i * 100), Allocs: uint64(i * 7)})
	}
	lines := seriesLines(base, pts, seriesChunk)
	if len(lines) != 3 {
		t.Fatalf("%d series lines for 1000 points in chunks of %d, want 3", len(lines), seriesChunk)
	}
	var back []point
	for i, l := range lines {
		got, more, err := parseSeries(l)
		if err != nil {
			t.Fatal(err)
		}
		if more != (i < len(lines)-1) {
			t.Fatalf("line %d: more = %v", i, more)
		}
		back = append(back, got...)
	}
	if !slices.EqualFunc(back, pts, func(a, b point) bool { return a.At.Equal(b.At) && a.Delivered == b.Delivered && a.Allocs == b.Allocs }) {
		t.Fatal("series changed on the way")
	}
	if l := seriesLines(base, nil, seriesChunk); len(l) != 1 || l[0][0] != "last" {
		t.Fatalf("empty series lines %q, want one marked last", l)
	}

	views := []viewAt{{id: 3, at: base, members: ids("127.0.0.1:4000/m", "127.0.0.1:4001/m")}, {id: 4, at: base.Add(time.Second), members: ids("127.0.0.1:4000/m")}}
	vs, err := parseViews(viewFields(views))
	if err != nil || len(vs) != 2 || vs[1].id != 4 || !vs[1].at.Equal(views[1].at) || !slices.Equal(vs[0].members, views[0].members) {
		t.Fatalf("views came back as %+v, %v", vs, err)
	}
	self, full, err := parseFull(fullFields(views[0], "127.0.0.1:4001/m"))
	if err != nil || self != "127.0.0.1:4001/m" || full.id != 3 || len(full.members) != 2 {
		t.Fatalf("full line came back as %s %+v, %v", self, full, err)
	}

	for _, bad := range [][]string{{"sometimes", "1"}, {"last", "x"}, {"last", "1", "1,2"}, {"last", "1", "a,2,3"}} {
		if _, _, err := parseSeries(bad); !errors.Is(err, ErrReport) {
			t.Errorf("series %q: %v, want ErrReport", bad, err)
		}
	}
	for _, bad := range [][]string{{}, {"x"}, {"3"}, {"2", "1", "y"}} {
		if _, err := parseSketch(bad); !errors.Is(err, ErrReport) {
			t.Errorf("latency %q: %v, want ErrReport", bad, err)
		}
	}
	if _, err := parseViews([]string{"1;2"}); !errors.Is(err, ErrReport) {
		t.Errorf("short view: %v, want ErrReport", err)
	}
	if _, _, err := parseFull([]string{"1", "2"}); !errors.Is(err, ErrReport) {
		t.Errorf("short full line: %v, want ErrReport", err)
	}
}

func TestInterpolate(t *testing.T) {
	base := time.Unix(100, 0)
	pts := []point{{At: base, Delivered: 0, Allocs: 10}, {At: base.Add(time.Second), Delivered: 1000, Allocs: 30}}
	for _, c := range []struct {
		at         time.Duration
		deliv, all float64
	}{{-time.Second, 0, 10}, {0, 0, 10}, {250 * time.Millisecond, 250, 15}, {time.Second, 1000, 30}, {2 * time.Second, 1000, 30}} {
		got := interpolate(pts, base.Add(c.at))
		if got.delivered != c.deliv || got.allocs != c.all {
			t.Errorf("at %v: %+v, want %v delivered, %v allocs", c.at, got, c.deliv, c.all)
		}
	}
}

// TestAggregateCrash: three children, the last one crashed at 1 s; the
// survivors deliver 1,000 msgs/s each before it and, one at 2,000 and one
// at 1,000 msgs/s, after their view without it at 1.2 s and 1.3 s.
func TestAggregateCrash(t *testing.T) {
	base := time.Unix(1000, 0)
	a, b, gone := history.ProcessID("a"), history.ProcessID("b"), history.ProcessID("c")
	full := viewAt{id: 3, at: base, members: ids("a", "b", "c")}
	survivor := func(id history.ProcessID, after float64, installed time.Duration) *childReport {
		r := &childReport{ID: id, Full: base, FullID: 3,
			Views: []viewAt{{id: 1, at: base.Add(-time.Second)}, full, {id: 4, at: base.Add(installed), members: ids("a", "b")}}}
		var h metrics.Histogram
		for range 100 {
			h.Record(time.Millisecond)
		}
		r.Latency = sketchOf(&h, sketchPoints)
		var d float64
		for ms := 0; ms <= 3000; ms += 10 {
			r.Series = append(r.Series, point{At: base.Add(time.Duration(ms) * time.Millisecond), Delivered: int64(d), Allocs: uint64(50 * d)})
			if ms < 1000 {
				d += 10
			} else if ms >= int(installed/time.Millisecond) {
				d += after / 100
			}
		}
		return r
	}
	cfg := DefaultLoopbackConfig(layer.Atomic, 3, Crash)
	cfg.SampleEvery = 10 * time.Millisecond
	reports := []*childReport{survivor(a, 2000, 1200*time.Millisecond), survivor(b, 1000, 1300*time.Millisecond), nil}
	tl := timeline{open: base, fault: base.Add(time.Second), close: base.Add(3 * time.Second)}
	res, err := aggregate(cfg, reports, 2, gone, tl)
	if err != nil {
		t.Fatal(err)
	}
	if res.ViewChange != 300*time.Millisecond || res.RemovedEarly {
		t.Errorf("view change %v (early %v), want 300ms from the fault to the last survivor's view", res.ViewChange, res.RemovedEarly)
	}
	// a: 1000 + 1.8 s x 2000 = 4600; b: 1000 + 1.7 s x 1000 = 2700, over 3 s
	if want := (4600.0 + 2700) / 2 / 3; !near(res.PerMember, want) {
		t.Errorf("mean rate %v, want %v", res.PerMember, want)
	}
	if want := 2700.0 / 3; !near(res.MinRate, want) {
		t.Errorf("slowest rate %v, want %v", res.MinRate, want)
	}
	if !near(res.AllocsPerMulticast, 100) { // 50 per delivery at each of two processes
		t.Errorf("allocs per message %v, want 100", res.AllocsPerMulticast)
	}
	if res.Latency.Count() != 200 || res.Views != 2 || res.Removed != 0 {
		t.Errorf("latency samples %d, views %d, removed %d; want 200, 2, 0", res.Latency.Count(), res.Views, res.Removed)
	}
	if rec, ok := res.Recovery(0.9, 250*time.Millisecond); !ok || rec != 300*time.Millisecond {
		t.Errorf("recovery %v (%v), want 300ms: the mean rate is back at the view change", rec, ok)
	}

	// a survivor that never installs the view without the victim fails the run
	reports[1].Views = reports[1].Views[:2]
	if _, err := aggregate(cfg, reports, 2, gone, tl); err == nil {
		t.Error("a survivor without the view change was accepted")
	}
	// a view without the victim before the fault is a false suspicion
	reports[1].Views = append(reports[1].Views, viewAt{id: 4, at: base.Add(500 * time.Millisecond), members: ids("a", "b")})
	res, err = aggregate(cfg, reports, 2, gone, tl)
	if err != nil || !res.RemovedEarly || res.ViewChange != 0 {
		t.Errorf("early removal: %+v, %v; want RemovedEarly and no view change", res, err)
	}
	// survivors that were all removed or blocked measured no view change
	for _, r := range reports[:2] {
		r.Views, r.Removed = r.Views[:2], true
	}
	if _, err := aggregate(cfg, reports, 2, gone, tl); err == nil || !strings.Contains(err.Error(), "removed=true") {
		t.Errorf("every survivor removed: %v, want an error listing them", err)
	}
	// a missing survivor report is an error, not a zero
	reports[0] = nil
	if _, err := aggregate(cfg, reports, 2, gone, tl); !errors.Is(err, ErrReport) {
		t.Errorf("missing report: %v, want ErrReport", err)
	}
}

func ids(s ...string) []history.ProcessID {
	out := make([]history.ProcessID, len(s))
	for i, v := range s {
		out[i] = history.ProcessID(v)
	}
	return out
}

func near(got, want float64) bool { return got > want*0.99 && got < want*1.01 }
