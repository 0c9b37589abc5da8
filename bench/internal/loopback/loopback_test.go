package loopback

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func init() {
	Register("test-echo", func(ctx context.Context, p Params, r *Report) error {
		n, err := p.Int("n")
		if err != nil {
			return err
		}
		r.Send("ready", strconv.Itoa(n*2))
		<-ctx.Done() // until the parent closes our input
		return nil
	})
	Register("test-fail", func(ctx context.Context, p Params, r *Report) error {
		return errors.New("asked to fail")
	})
}

func TestLoopbackChild(t *testing.T) { Serve(t) }

func TestChildRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Spawn(ctx, "test-echo", Params{"n": "21"})
	if err != nil {
		t.Fatal(err)
	}
	fields, err := c.Await(ctx, "ready")
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 1 || fields[0] != "42" {
		t.Fatalf("ready fields %q, want [42]", fields)
	}
	if err := c.Close(10 * time.Second); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestChildFailuresAreErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for role, params := range map[string]Params{
		"test-fail":    {},
		"test-echo":    {"n": "not-a-number"},
		"test-missing": {},
	} {
		c, err := Spawn(ctx, role, params)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Await(ctx, "ready"); !errors.Is(err, ErrChild) {
			t.Errorf("%s %v: Await = %v, want ErrChild", role, params, err)
		}
		_ = c.Close(10 * time.Second)
	}
}

func TestChildTimeoutBoundsTheWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Spawn(ctx, "test-echo", Params{"n": "1", "timeout": "200ms"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Await(ctx, "ready"); err != nil {
		t.Fatal(err)
	}
	// without closing its input, the child ends by its own timeout
	if _, err := c.Await(ctx, "never-sent"); !errors.Is(err, ErrChild) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Await after the child's timeout = %v, want its exit reported", err)
	}
}

func TestParams(t *testing.T) {
	if _, err := (Params{"a": "x;y"}).encode(); !errors.Is(err, ErrParam) {
		t.Errorf("separator in value: %v, want ErrParam", err)
	}
	p := decodeParams("a=1;b=2s;c")
	if n, err := p.Int("a"); err != nil || n != 1 {
		t.Errorf("Int(a) = %d, %v", n, err)
	}
	if _, err := p.Int("z"); !errors.Is(err, ErrParam) {
		t.Errorf("missing Int: %v, want ErrParam", err)
	}
	if d, err := p.Duration("b", 0); err != nil || d != 2*time.Second {
		t.Errorf("Duration(b) = %v, %v", d, err)
	}
	if _, err := p.Duration("a", 0); !errors.Is(err, ErrParam) {
		t.Errorf("malformed Duration: %v, want ErrParam", err)
	}
}

// With EnvCPUProfile set, a child that is asked to stop leaves a complete
// CPU profile of its role and its allocations (gzipped protobufs) in that
// directory.
func TestChildWritesItsProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCPUProfile, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Spawn(ctx, "test-echo", Params{"n": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Await(ctx, "ready"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"cpu", "allocs"} {
		files, err := filepath.Glob(filepath.Join(dir, "test-echo-*."+kind+".pprof"))
		if err != nil || len(files) != 1 {
			t.Fatalf("%s profiles %v (%v), want one", kind, files, err)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Fatalf("%s profile of %d bytes is not gzipped: the child did not finish writing it", kind, len(b))
		}
	}
}
