package gctest_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/internal/gctest"
)

type thing struct{ buf [64]byte }

var kept *thing

// The helper passes for garbage and fails for what a global keeps.
func TestAwaitCollected(t *testing.T) {
	gctest.AwaitCollected(t, &thing{}, 5*time.Second, "an unreferenced object")
	kept = &thing{}
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine that calls it
		defer close(done)
		gctest.AwaitCollected(ft, kept, 100*time.Millisecond, "a global")
	}()
	<-done
	if !ft.failed {
		t.Fatal("AwaitCollected passed for an object a global still holds")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
