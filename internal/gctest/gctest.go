// Package gctest lets tests assert that something is garbage collected:
// that no global (a registry, a goroutine, a cache) keeps it alive once its
// owner is done with it.
package gctest

import (
	"runtime"
	"testing"
	"time"
)

// AwaitCollected fails t unless obj is garbage collected within timeout.
// It registers a cleanup on obj and triggers collections until the cleanup
// runs. The caller must hold no other reference to obj once it calls this.
func AwaitCollected[T any](t testing.TB, obj *T, timeout time.Duration, what string) {
	t.Helper()
	collected := make(chan struct{})
	runtime.AddCleanup(obj, func(ch chan struct{}) { close(ch) }, collected)
	obj = nil
	deadline := time.After(timeout)
	gc := time.NewTicker(10 * time.Millisecond)
	defer gc.Stop()
	for {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-deadline:
			t.Fatalf("%s is still reachable %v after it was shut down: something global keeps it", what, timeout)
		case <-gc.C:
		}
	}
}
