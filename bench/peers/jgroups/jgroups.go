package jgroups

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// DefaultJar is where Debian's libjgroups-java installs JGroups 2.12.
const DefaultJar = "/usr/share/java/jgroups.jar"

var (
	// ErrUnavailable wraps the reason the baseline cannot run here.
	ErrUnavailable = errors.New("jgroups: baseline unavailable")
	// ErrRun wraps a run that failed, timed out or printed no result.
	ErrRun = errors.New("jgroups: run failed")
	// ErrParse wraps a malformed SUMMARY line.
	ErrParse = errors.New("jgroups: malformed result")
)

// skipStatus is run.sh's exit status when a prerequisite is missing.
const skipStatus = 3

// Options configure a run of run.sh.
type Options struct {
	// Script is the path of run.sh.
	Script string
	// Jar is the JGroups jar (DefaultJar when empty).
	Jar string
	// Messages and Warmup are the timed and untimed multicasts per mode.
	Messages, Warmup int
	// PayloadBytes is each message's size.
	PayloadBytes int
	// PerModeTimeout bounds each mode's JVMs (the script adds 15 s of grace
	// before killing them); Run's context bounds the whole run.
	PerModeTimeout time.Duration
	// Sender is "coordinator" (SEQUENCER's sequencer sends, no forwarding)
	// or "youngest" (each multicast is forwarded to the sequencer first).
	Sender string
	// Modes are "nakack" and/or "sequencer"; empty runs both.
	Modes []string
}

// DefaultOptions runs both modes with 100,000 timed 100-byte messages
// after 20,000 warm-up ones, the coordinator sending, 60 s per mode.
func DefaultOptions(script string) Options {
	return Options{Script: script, Jar: DefaultJar, Messages: 100_000, Warmup: 20_000, PayloadBytes: 100,
		PerModeTimeout: 60 * time.Second, Sender: "coordinator"}
}

// Available says why the baseline cannot run here, wrapping ErrUnavailable,
// or returns nil: it needs java, javac and the JGroups jar.
func Available(jar string) error {
	if jar == "" {
		jar = DefaultJar
	}
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%w: %s not found (a JDK 17 is expected)", ErrUnavailable, tool)
		}
	}
	if _, err := os.Stat(jar); err != nil {
		return fmt.Errorf("%w: %s missing (apt-get install -y libjgroups-java): %v", ErrUnavailable, jar, err)
	}
	return nil
}

// Result is one mode's figures.
type Result struct {
	Mode     string // "nakack" or "sequencer"
	Sender   string // "coordinator" or "youngest"
	Members  int    // members that reported
	Messages int    // timed messages multicast
	// MinRate is the slowest member's delivered messages per second: the
	// group's rate. MeanRate averages the members.
	MinRate, MeanRate float64
	// Failed counts members that timed out or missed messages.
	Failed int
}

// Run runs the script with opts and returns one Result per mode.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	if err := Available(opts.Jar); err != nil {
		return nil, err
	}
	args := []string{
		"-m", strconv.Itoa(opts.Messages), "-w", strconv.Itoa(opts.Warmup),
		"-b", strconv.Itoa(opts.PayloadBytes), "-t", strconv.Itoa(int(opts.PerModeTimeout.Seconds())),
		"-s", opts.Sender,
	}
	args = append(args, opts.Modes...)
	cmd := exec.CommandContext(ctx, "bash", append([]string{opts.Script}, args...)...)
	cmd.Env = append(os.Environ(), "JGROUPS_JAR="+opts.Jar)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if exit, ok := errors.AsType[*exec.ExitError](err); ok && exit.ExitCode() == skipStatus {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, strings.TrimSpace(string(out)))
	}
	results, perr := Parse(out)
	switch {
	case err != nil:
		return results, fmt.Errorf("%w: %v; output: %s; stderr: %s", ErrRun, err, strings.TrimSpace(string(out)), tail(stderr.String(), 2000))
	case perr != nil:
		return nil, perr
	case len(results) == 0:
		return nil, fmt.Errorf("%w: no SUMMARY line in: %s", ErrRun, strings.TrimSpace(string(out)))
	}
	for _, r := range results {
		if r.Failed > 0 || r.Members == 0 {
			return results, fmt.Errorf("%w: mode %s: %d of %d members failed", ErrRun, r.Mode, r.Failed, r.Members)
		}
	}
	return results, nil
}

// Parse reads the SUMMARY lines of run.sh's output.
func Parse(out []byte) ([]Result, error) {
	var results []Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "SUMMARY ")
		if !ok {
			continue
		}
		f := map[string]string{}
		for kv := range strings.FieldsSeq(rest) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				f[k] = v
			}
		}
		var r Result
		var err error
		r.Mode, r.Sender = f["mode"], f["sender"]
		ints := map[string]*int{"members": &r.Members, "messages": &r.Messages, "failed": &r.Failed}
		for k, p := range ints {
			if *p, err = strconv.Atoi(f[k]); err != nil {
				return nil, fmt.Errorf("%w: %s in %q: %v", ErrParse, k, line, err)
			}
		}
		floats := map[string]*float64{"min_msgs_per_sec": &r.MinRate, "mean_msgs_per_sec": &r.MeanRate}
		for k, p := range floats {
			if *p, err = strconv.ParseFloat(f[k], 64); err != nil {
				return nil, fmt.Errorf("%w: %s in %q: %v", ErrParse, k, line, err)
			}
		}
		if r.Mode == "" {
			return nil, fmt.Errorf("%w: no mode in %q", ErrParse, line)
		}
		results = append(results, r)
	}
	return results, nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
