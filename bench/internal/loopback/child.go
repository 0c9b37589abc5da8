package loopback

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// EnvRole names the role a child process runs.
	EnvRole = "LOCKSTEP_BENCH_CHILD"
	// EnvParams carries a child's parameters as key=value pairs joined by ";".
	EnvParams = "LOCKSTEP_BENCH_PARAMS"
	// EnvCPUProfile, if set in the parent's environment, names a directory
	// where every child writes a CPU profile of its role and the
	// allocations it made (see profile.go).
	EnvCPUProfile = "LOCKSTEP_BENCH_CHILD_CPUPROFILE"
	// ChildTest is the test a child runs; it must call Serve.
	ChildTest = "TestLoopbackChild"
	// DefaultChildTimeout bounds a child whose parameters set no "timeout".
	DefaultChildTimeout = 60 * time.Second

	linePrefix = "lockstep-child:"
)

var (
	// ErrChild wraps every failure reported by or about a child process.
	ErrChild = errors.New("loopback: child failed")
	// ErrParam wraps a missing or malformed parameter.
	ErrParam = errors.New("loopback: bad parameter")
)

// Params are a child's parameters.
type Params map[string]string

// Int returns the integer parameter key.
func (p Params) Int(key string) (int, error) {
	v, ok := p[key]
	if !ok {
		return 0, fmt.Errorf("%w: %q missing", ErrParam, key)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %q=%q: %v", ErrParam, key, v, err)
	}
	return n, nil
}

// Duration returns the duration parameter key, or def when it is absent.
func (p Params) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := p[key]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %q=%q: %v", ErrParam, key, v, err)
	}
	return d, nil
}

func (p Params) encode() (string, error) {
	parts := make([]string, 0, len(p))
	for k, v := range p {
		if strings.ContainsAny(k, "=;") || strings.Contains(v, ";") {
			return "", fmt.Errorf("%w: %q=%q holds a separator", ErrParam, k, v)
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ";"), nil
}

func decodeParams(s string) Params {
	p := Params{}
	for part := range strings.SplitSeq(s, ";") {
		if k, v, ok := strings.Cut(part, "="); ok {
			p[k] = v
		}
	}
	return p
}

// Role is what a child process runs. It returns when its work is done or
// ctx ends (the parent closed the child's input, or the timeout passed).
type Role func(ctx context.Context, p Params, r *Report) error

var (
	rolesMu sync.Mutex
	roles   = map[string]Role{}
)

// Register makes role available to children under name; call it from init.
func Register(name string, role Role) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if _, dup := roles[name]; dup {
		panic("loopback: role " + name + " registered twice")
	}
	roles[name] = role
}

// Report sends control lines from a child to its parent.
type Report struct {
	mu  sync.Mutex
	out io.Writer
}

// Send prints one control line: key and fields, which must not hold spaces.
func (r *Report) Send(key string, fields ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.out, linePrefix, key, strings.Join(fields, " "))
}

// Serve runs the role this process was started for. Call it from the test
// named ChildTest; outside a child it skips, saying why.
func Serve(t testing.TB) {
	name := os.Getenv(EnvRole)
	if name == "" {
		t.Skip("runs only inside a child process started by a loopback benchmark")
	}
	rolesMu.Lock()
	role := roles[name]
	rolesMu.Unlock()
	report := &Report{out: os.Stdout}
	if role == nil {
		report.Send("error", "unknown-role", name)
		t.Fatalf("loopback: no role %q registered in this test binary", name)
	}
	p := decodeParams(os.Getenv(EnvParams))
	timeout, err := p.Duration("timeout", DefaultChildTimeout)
	if err != nil {
		report.Send("error", strings.ReplaceAll(err.Error(), " ", "_"))
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stopProfile, err := startProfile(name)
	if err != nil {
		report.Send("error", strings.ReplaceAll(err.Error(), " ", "_"))
		t.Fatal(err)
	}
	defer stopProfile()
	go func() {
		// the parent closing our input (or dying) ends the role
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		stopProfile() // the measurement is over: write it before teardown
		cancel()
	}()
	if err := role(ctx, p, report); err != nil {
		report.Send("error", strings.ReplaceAll(err.Error(), " ", "_"))
		t.Fatalf("loopback role %s: %v", name, err)
	}
}
