package proctest

import (
	"context"
	"os"
	"os/exec"
	"time"
)

// TB is the part of testing.TB this package uses.
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Isolate runs the calling test in a fresh process of its own. In the
// parent it re-executes the test binary with only this test selected, waits
// for it (at most timeout), fails t with the child's output if the child
// failed, and returns false: the caller returns at once. In the child it
// returns true: the caller runs the test body.
//
//	func TestWithRemote(t *testing.T) {
//		if !proctest.Isolate(t, time.Minute) {
//			return
//		}
//		... body that starts a remote node ...
//	}
//
// Subtests are not supported: call Isolate from a top-level test.
func Isolate(t TB, timeout time.Duration) bool {
	t.Helper()
	if os.Getenv(EnvIsolated) == t.Name() {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(childEnv(), EnvIsolated+"="+t.Name())
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		t.Fatalf("isolated %s did not finish within %v:\n%s", t.Name(), timeout, out)
	case err != nil:
		t.Fatalf("isolated %s failed (%v):\n%s", t.Name(), err, out)
	}
	t.Logf("isolated run:\n%s", out)
	return false
}
