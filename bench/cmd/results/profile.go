package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// profileTarget is one sub-benchmark to run again under a CPU profile,
// because a row it stands for missed its target.
type profileTarget struct {
	Bench string // full sub-benchmark name, e.g. BenchmarkOrdering/n=3/atomic
	Why   string // the missed row it explains, with the run's figure
	Scope string // what the profile covers, when it is not the whole workload
}

// pattern is the -bench expression selecting exactly t.Bench: each level
// of the name anchored on its own.
func (t profileTarget) pattern() string {
	parts := strings.Split(t.Bench, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// pprofNodeCount and pprofNodeFraction set how much of the profile pprof
// lists: functions down to 0.1% of the samples, and enough of them that
// the ones with no own time (listed last) but a wide cumulative share are
// not cut off.
const (
	pprofNodeCount    = 500
	pprofNodeFraction = "0.001"
)

// pprofTopArgs are the go command's arguments that list profile's
// functions as text.
func pprofTopArgs(profile string) []string {
	return []string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", pprofNodeCount), "-nodefraction=" + pprofNodeFraction, profile}
}

// reproduce is the pair of commands, run from the module root, that give a
// reader the same profile.
func (t profileTarget) reproduce(benchtime string) []string {
	return []string{
		fmt.Sprintf("go test -run '^$' -bench '%s' -benchtime %s -cpuprofile cpu.out ./bench/", t.pattern(), benchtime),
		"go " + strings.Join(pprofTopArgs("cpu.out"), " "),
	}
}

// cpuProfile is one profiled benchmark, summarised.
type cpuProfile struct {
	Target  profileTarget
	Command []string // how to reproduce it
	Load    string   // load average when it started
	Top     *pprofTop
	Err     error
}

// profiler runs benchmarks under a CPU profile. It builds the bench test
// binary once and runs it directly, which saves a link per profile; the
// binary is what `go test` would run, so the profile is the same.
type profiler struct {
	benchDir, benchtime string
	dir                 string // scratch directory for the binary and profiles
	binary              string
	buildErr            error
	runs                int
}

func newProfiler(benchDir, benchtime string) (*profiler, error) {
	dir, err := os.MkdirTemp("", "lockstep-results-")
	if err != nil {
		return nil, err
	}
	return &profiler{benchDir: benchDir, benchtime: benchtime, dir: dir}, nil
}

func (p *profiler) close() { _ = os.RemoveAll(p.dir) }

func (p *profiler) build(ctx context.Context) error {
	if p.binary != "" || p.buildErr != nil {
		return p.buildErr
	}
	bin := filepath.Join(p.dir, "bench.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".")
	cmd.Dir = p.benchDir
	if out, err := cmd.CombinedOutput(); err != nil {
		p.buildErr = fmt.Errorf("go test -c: %w\n%s", err, tail(string(out), 2000))
		return p.buildErr
	}
	p.binary = bin
	return nil
}

// profile runs t's benchmark once more with a CPU profile and summarises
// it with pprof -top.
func (p *profiler) profile(ctx context.Context, t profileTarget) *cpuProfile {
	cp := &cpuProfile{Target: t, Command: t.reproduce(p.benchtime), Load: loadAverage()}
	if err := p.build(ctx); err != nil {
		cp.Err = err
		return cp
	}
	p.runs++
	prof := filepath.Join(p.dir, fmt.Sprintf("cpu-%d.out", p.runs))
	logf("profiling %s (load %s)", t.Bench, cp.Load)
	cmd := exec.CommandContext(ctx, p.binary, "-test.run", "^$", "-test.bench", t.pattern(),
		"-test.benchtime", p.benchtime, "-test.count", "1", "-test.cpuprofile", prof)
	cmd.Dir = p.benchDir
	ownGroup(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		cp.Err = fmt.Errorf("%s: %w\n%s", t.Bench, err, tail(string(out), 2000))
		return cp
	}
	if !strings.Contains(string(out), t.Bench) {
		cp.Err = fmt.Errorf("%s did not run (no such benchmark in this build?)", t.Bench)
		return cp
	}
	top, err := exec.CommandContext(ctx, "go", pprofTopArgs(prof)...).Output()
	if err != nil {
		cp.Err = fmt.Errorf("go tool pprof: %w", err)
		return cp
	}
	cp.Top = parsePprofTop(string(top))
	if len(cp.Top.Nodes) == 0 {
		cp.Err = fmt.Errorf("pprof listed no functions for %s", t.Bench)
		return cp
	}
	parts := summarise(cp.Top, 1)
	for _, b := range parts[:min(3, len(parts))] {
		logf("  %s %.0f%%", b.Bucket, 100*b.Flat)
	}
	return cp
}

// runProfiles profiles each distinct target once.
func runProfiles(ctx context.Context, benchDir, benchtime string, targets []profileTarget) map[string]*cpuProfile {
	out := map[string]*cpuProfile{}
	if len(targets) == 0 {
		return out
	}
	p, err := newProfiler(benchDir, benchtime)
	if err != nil {
		for _, t := range targets {
			out[t.Bench] = &cpuProfile{Target: t, Command: t.reproduce(benchtime), Err: err}
		}
		return out
	}
	defer p.close()
	for _, t := range targets {
		if _, done := out[t.Bench]; done {
			continue
		}
		out[t.Bench] = p.profile(ctx, t)
	}
	return out
}

// mostlyWaiting is the average number of busy cores below which a
// profiled process is said to have spent most of its run waiting.
const mostlyWaiting = 0.5

// pct prints a share with one decimal below 10%.
func pct(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// profileIntro keys the explanation of the profile tables, printed once.
const profileIntro = ""

// profileNotes renders, under a section, the profiles of the rows that
// missed their targets; a profile already shown under an earlier section
// is referred to, not repeated.
func (r *report) profileNotes(w func(string, ...any), targets []profileTarget) {
	if len(targets) == 0 {
		return
	}
	w("### Where the CPU goes")
	w("")
	if !r.profilesShown[profileIntro] {
		r.profilesShown[profileIntro] = true
		w("Rows below their target (or below 5x raft, for the context row), run once more under `go test -cpuprofile` and")
		w("summarised with `go tool pprof -top`.")
		w("\"Own time\" is CPU spent in a part's own functions (the rows add up to the whole profile); \"widest entry\" is")
		w("the part's function with the largest cumulative share (its own time plus everything it calls).")
		w("")
	}
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.Bench] {
			continue
		}
		seen[t.Bench] = true
		p := r.Profiles[t.Bench]
		switch {
		case p == nil:
			w("- `%s` (%s): not profiled in this run. To get the profile:", t.Bench, t.Why)
			w("")
			for _, c := range t.reproduce("1s") {
				w("      %s", c)
			}
			w("")
			continue
		case r.profilesShown[t.Bench]:
			w("- `%s` (%s): see its profile above.", t.Bench, t.Why)
			w("")
			continue
		}
		r.profilesShown[t.Bench] = true
		renderProfile(w, p)
	}
}

func renderProfile(w func(string, ...any), p *cpuProfile) {
	t := p.Target
	if p.Err != nil {
		w("**`%s`** (%s): profiling failed: `%v`. To try again:", t.Bench, t.Why, firstLine(p.Err))
		w("")
		for _, c := range p.Command {
			w("    %s", c)
		}
		w("")
		return
	}
	w("**`%s`** (%s): %s of CPU samples over %s of wall time; load average %s when it started.", t.Bench, t.Why,
		p.Top.Total, p.Top.Duration, p.Load)
	if t.Scope != "" {
		w("%s", t.Scope)
	}
	if cores, ok := p.Top.cores(); ok && cores < mostlyWaiting {
		w("The process used %.2f of a core on average: it spent most of the run waiting (for the other members and", cores)
		w("the transport), so the profile shows what its own work costs, not what set the rate.")
	}
	w("Reproduce from the module root:")
	w("")
	for _, c := range p.Command {
		w("    %s", c)
	}
	w("")
	w("| part | own time | heaviest functions (own time) | widest entry (cumulative) |")
	w("|---|---|---|---|")
	for _, b := range summarise(p.Top, 3) {
		if b.Flat < 0.01 && b.Bucket != unlisted {
			continue // under 1%: noise in a table meant to be read
		}
		var fns []string
		for _, n := range b.Top {
			fns = append(fns, fmt.Sprintf("`%s` %s", shortName(n.Name), pct(n.Flat)))
		}
		top := "-"
		if len(fns) > 0 {
			top = strings.Join(fns, ", ")
		}
		entry := "-"
		if b.Entry.Name != "" {
			entry = fmt.Sprintf("`%s` %s", shortName(b.Entry.Name), pct(b.Entry.Cum))
		}
		w("| %s | %s | %s | %s |", b.Bucket, pct(b.Flat), top, entry)
	}
	w("")
	var heavy []string
	for _, n := range heaviest(p.Top, 8) {
		heavy = append(heavy, fmt.Sprintf("`%s` %s", shortName(n.Name), pct(n.Cum)))
	}
	w("Heaviest by cumulative share: %s.", strings.Join(heavy, ", "))
	w("")
}
