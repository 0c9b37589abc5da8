package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// benchLine is one parsed benchmark result line.
type benchLine struct {
	Name    string             // without the -GOMAXPROCS suffix
	Metrics map[string]float64 // unit -> value
}

// benchRun is the parsed output of one go test -bench invocation.
type benchRun struct {
	Lines []benchLine
	Skips map[string]string // benchmark name -> the reason it gave
	Fails map[string]string // benchmark name -> what it logged when it failed
	CPU   string            // the "cpu:" line go test prints
	Load  string            // the load average when the run started
}

// find returns the line named name.
func (r *benchRun) find(name string) (benchLine, bool) {
	for _, l := range r.Lines {
		if l.Name == name {
			return l, true
		}
	}
	return benchLine{}, false
}

// runBench runs go test -bench pattern in dir (the bench package) with the
// extra flags and parses what it prints. Output goes to the log as well,
// so a person sees progress.
func runBench(ctx context.Context, dir, pattern string, extra ...string) (*benchRun, error) {
	args := append([]string{"test", "-run", "^$", "-bench", pattern, "-count", "1"}, extra...)
	args = append(args, ".")
	load := loadAverage()
	logf("go %s (load %s)", strings.Join(args, " "), load)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	ownGroup(cmd)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	res := parseBench(out.String())
	res.Load = load
	for _, l := range res.Lines {
		logf("  %s %v", l.Name, l.Metrics)
	}
	for name, msg := range res.Fails {
		logf("  FAIL %s: %s", name, msg)
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("stopped at its time bound (%w): %w", ctx.Err(), err)
	}
	if err != nil {
		logf("  go test -bench %s: %v; its output ended with:\n%s", pattern, err, tail(out.String(), 1500))
		return res, fmt.Errorf("go test -bench %s: %w\n%s", pattern, err, tail(out.String(), 2000))
	}
	return res, nil
}

// parseBench reads benchmark lines ("BenchmarkX-2  1  12.5 unit ...") and
// skip and failure notices ("--- SKIP: BenchmarkX" or "--- FAIL: ..."
// followed by indented messages).
func parseBench(out string) *benchRun {
	res := &benchRun{Skips: map[string]string{}, Fails: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var notes map[string]string // Skips or Fails, while reading a notice
	noted := ""
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(trimmed, "--- SKIP: "); ok {
			notes, noted = res.Skips, strings.Fields(name)[0]
			notes[noted] = ""
			continue
		}
		if name, ok := strings.CutPrefix(trimmed, "--- FAIL: "); ok {
			notes, noted = res.Fails, strings.Fields(name)[0]
			notes[noted] = ""
			continue
		}
		if noted != "" && strings.HasPrefix(line, "    ") {
			msg := trimmed
			if i := strings.Index(msg, ": "); i > 0 && strings.Contains(msg[:i], ".go:") {
				msg = msg[i+2:]
			}
			notes[noted] = strings.TrimSpace(notes[noted] + " " + msg)
			continue
		}
		noted = ""
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.CPU = strings.TrimSpace(cpu)
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		bl := benchLine{Name: name, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				bl.Metrics[f[i+1]] = v
			}
		}
		res.Lines = append(res.Lines, bl)
	}
	return res
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
