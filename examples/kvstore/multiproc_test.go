package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/examples/kvstore/linear"
	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// The multi-process test: three replicas as OS processes on loopback (this
// test binary re-executed), one founding the group and two joining through
// it, one of the joiners losing 5% of what it sends. Clients talk to the
// replicas' HTTP APIs; a third of the way through the parent SIGKILLs the
// founder, the group's sequencer and coordinator. The clients' history is
// checked with Porcupine.

const (
	envJoin     = "LOCKSTEP_KV_JOIN"
	envOmission = "LOCKSTEP_KV_OMISSION"
	childTest   = "TestKVStoreChild"
)

// TestKVStoreChild is one replica process of TestLinearizableMultiProcess.
func TestKVStoreChild(t *testing.T) {
	if _, ok := proctest.Role(); !ok {
		t.Skip("helper process of TestLinearizableMultiProcess")
	}
	cfg := serveConfig{Listen: "127.0.0.1:0", Join: os.Getenv(envJoin), HTTP: "127.0.0.1:0", Class: layer.CausalAtomic,
		SuspectTicks: 200, Stop: proctest.StdinClosed()}
	if rate, err := strconv.ParseFloat(os.Getenv(envOmission), 64); err == nil {
		cfg.Faults = &faults.Spec{Model: faults.SendOmission, Rate: rate, Seed: uint64(proctest.Index()) + 1}
	}
	err := serve(cfg, os.Stderr, func(addr, httpAddr string) {
		_ = proctest.Announce(os.Stdout, addr)
		fmt.Printf("HTTP %s\n", httpAddr)
	})
	// A replica removed from the group (for example suspected while the
	// machine is loaded) ends; its clients' calls then fail with unknown
	// outcome, which the parent's check allows for.
	if err != nil && !errors.Is(err, errRemoved) {
		t.Fatal(err)
	}
}

func TestLinearizableMultiProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	children, err := proctest.StartGroup(proctest.Spec{Run: childTest, Role: "founder"}, 2, func(i int, seed string) proctest.Spec {
		env := []string{envJoin + "=" + seed}
		if i == 1 {
			env = append(env, envOmission+"=0.05")
		}
		return proctest.Spec{Run: childTest, Role: "joiner", Env: env}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proctest.KillRunning(children)
	founder := children[0]
	doers := make([]*httpDoer, len(children))
	for i, c := range children {
		doers[i] = newHTTPDoer(httpAddrOf(t, c))
	}
	awaitMembers(t, doers[0], 3, 60*time.Second)

	var (
		mu   sync.Mutex
		dead = map[int]bool{}
		cnt  replica.Counters
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	killed := make(chan struct{})
	go func() { // SIGKILL the founder a third of the way through
		defer close(killed)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for cnt.Done.Load() < 25 {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		mu.Lock()
		dead[0] = true
		mu.Unlock()
		founder.Kill()
	}()
	recs, err := replica.RunWorkload(ctx, replica.WorkloadConfig{Clients: 4, OpsPerClient: 30, Keys: 3, Timeout: 5 * time.Second, Seed: 1},
		func(r *rand.Rand) replica.Doer {
			mu.Lock()
			defer mu.Unlock()
			for {
				if i := r.IntN(len(doers)); !dead[i] {
					return doers[i]
				}
			}
		}, &cnt)
	cancel()
	<-killed
	if err != nil {
		t.Fatal(err)
	}
	if err := linear.Check(recs, 20*time.Second); err != nil {
		t.Fatalf("%v (%d records)", err, len(recs))
	}
	if !dead[0] {
		t.Fatalf("the workload ended (%d done, %d unknown, %d refused) before the founder was killed", cnt.Done.Load(), cnt.Unknown.Load(), cnt.Refused.Load())
	}
	// The survivors form a view of two, unless the loaded machine made one
	// of them be suspected and removed (it then exits; see TestKVStoreChild).
	for i, c := range children[1:] {
		select {
		case <-c.Done():
			t.Logf("replica %d was removed from the group and exited:\n%s", i+1, c.Output())
			continue
		default:
		}
		if !removed(children[1:]) {
			awaitMembers(t, doers[i+1], 2, 30*time.Second)
		}
	}
	t.Logf("%d operations: %d done, %d unknown, %d refused; founder killed after 25", len(recs), cnt.Done.Load(), cnt.Unknown.Load(), cnt.Refused.Load())
	if err := proctest.StopAll(children[1:], 20*time.Second); err != nil {
		t.Fatal(err)
	}
}

func removed(cs []*proctest.Child) bool {
	for _, c := range cs {
		if strings.Contains(c.Output(), errRemoved.Error()) {
			return true
		}
		select {
		case <-c.Done():
			return true
		default:
		}
	}
	return false
}

// httpAddrOf waits (bounded) for the child's "HTTP addr" line.
func httpAddrOf(t *testing.T, c *proctest.Child) string {
	t.Helper()
	line, err := c.AwaitLine("HTTP ", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "HTTP "))
}

// awaitMembers polls a replica's /status until its view has n members.
func awaitMembers(t *testing.T, d *httpDoer, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last replica.Status
	for time.Now().Before(deadline) {
		<-tick.C
		resp, err := d.c.Get(d.base + "/status")
		if err != nil {
			continue
		}
		err = json.NewDecoder(resp.Body).Decode(&last)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK && len(last.Members) == n {
			return
		}
	}
	t.Fatalf("no view of %d members within %v; last status %+v", n, timeout, last)
}
