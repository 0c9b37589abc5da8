package membership_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The multi-process test: five OS processes on loopback (this test binary
// re-executed as children), one founding the group and four joining it
// through its address as seed. Once all five share a view each streams
// multicasts; the parent SIGKILLs one halfway through its stream (a member, or the
// coordinator), waits for the survivors to deliver every survivor's
// stream, stops them, merges every history (the victim's up to the kill:
// each event is one write, so a kill cannot tear a line) and judges it.

const (
	envSeed      = "LOCKSTEP_MEMBERSHIP_SEED"
	envPerSender = "LOCKSTEP_MEMBERSHIP_N"
	childName    = "member"
	childTest    = "TestMembershipChild"
)

// childConfig: 5 ms ticks, heartbeat every 10 ms, suspicion after 2 s
// of silence: five race-instrumented processes share two cores with other
// work, and a process starved for a second would otherwise be removed.
func childConfig() membership.Config {
	cfg := membership.DefaultConfig("mp")
	cfg.Name = childName
	cfg.Core.SuspectTimeout = 400
	return cfg
}

func TestMultiProcessCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five processes")
	}
	for _, tc := range []struct {
		name   string
		victim int // index among the children; 0 is the founder, the coordinator
	}{{"member", 3}, {"coordinator", 0}} {
		t.Run(tc.name, func(t *testing.T) { runMultiProcess(t, tc.victim) })
	}
}

func runMultiProcess(t *testing.T, victim int) {
	const perSender = 200
	dir := t.TempDir()
	env := []string{envPerSender + "=" + strconv.Itoa(perSender)}
	children, err := proctest.StartGroup(proctest.Spec{Run: childTest, Role: "founder", HistoryDir: dir, Env: env}, 4,
		func(_ int, seed string) proctest.Spec {
			return proctest.Spec{Run: childTest, Role: "joiner", HistoryDir: dir, Env: append([]string{envSeed + "=" + seed}, env...)}
		})
	if err != nil {
		t.Fatal(err)
	}
	defer proctest.KillRunning(children)
	for _, c := range children {
		awaitLine(t, c, "FULL", 60*time.Second)
	}
	v := children[victim]
	awaitLine(t, v, "HALF", 60*time.Second)
	v.Kill() // SIGKILL, mid-stream
	killed := time.Now().UnixNano()
	var survivors []*proctest.Child
	for i, c := range children {
		if i != victim {
			survivors = append(survivors, c)
		}
	}
	var done []string
	for _, c := range survivors {
		done = append(done, awaitLine(t, c, "DONE", 60*time.Second))
	}
	if err := proctest.StopAll(survivors, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	h, err := proctest.ReadHistories(children)
	if err != nil {
		t.Fatal(err)
	}
	victimID := history.ProcessID(v.Addr() + "/" + childName)
	h = append(h, history.Event{Index: int64(len(h)), Time: killed, Process: victimID, Kind: history.Crash, Value: "SIGKILL"})
	var ids []history.ProcessID
	for _, c := range survivors {
		ids = append(ids, history.ProcessID(c.Addr()+"/"+childName))
	}
	checkHistory(t, h)
	checkSurvivorsLoseNothing(t, h, ids)
	sentByVictim := 0
	for _, e := range h {
		if e.Kind == history.Multicast && e.Process == victimID {
			sentByVictim++
		}
	}
	if sentByVictim >= perSender {
		t.Fatalf("the victim multicast all %d payloads before the kill: not a crash mid-stream", sentByVictim)
	}
	t.Logf("victim %s (child %d) multicast %d before the kill; merged history: %d events, %d multicasts, %d deliveries, %d view installs",
		victimID, victim, sentByVictim, len(h), count(h, history.Multicast), count(h, history.Deliver), count(h, history.ViewInstall))
	for _, line := range done {
		t.Log(line)
	}
}

// awaitLine returns the child's line starting with word, failing after
// timeout or as soon as the child exits without printing one.
func awaitLine(t *testing.T, c *proctest.Child, word string, timeout time.Duration) string {
	t.Helper()
	line, err := c.AwaitLine(word, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// TestMembershipChild is one process of TestMultiProcessCrash.
func TestMembershipChild(t *testing.T) {
	role, ok := proctest.Role()
	if !ok {
		t.Skip("helper process of TestMultiProcessCrash")
	}
	perSender, err := strconv.Atoi(os.Getenv(envPerSender))
	if err != nil {
		t.Fatal(err)
	}
	// One write per event, unbuffered: a SIGKILL leaves whole lines only.
	f, err := os.Create(proctest.HistoryPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := history.NewJSONLWriter(f)
	nodeOpts := []actors.Option{actors.WithRemote("127.0.0.1", 0)}
	if os.Getenv("LOCKSTEP_MEMBERSHIP_DEBUG") != "" {
		l := logrus.New()
		l.SetLevel(logrus.DebugLevel)
		nodeOpts = append(nodeOpts, actors.WithLogger(logrus.NewEntry(l)))
	}
	node, err := actors.NewNode(actors.DefaultConfig(), nodeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	self := node.ProcessID(childName)
	cfg := childConfig()
	if role == "founder" {
		cfg.Members = []history.ProcessID{self}
	} else {
		cfg.Seeds = []string{os.Getenv(envSeed)} // a bare address: the seed's actor is also "member"
	}
	b := newBoard()
	g, err := membership.Start(node, cfg, b.producer(self), membership.WithRecorder(rec))
	if err != nil {
		t.Fatal(err)
	}
	if err := proctest.Announce(os.Stdout, node.Address()); err != nil {
		t.Fatal(err)
	}
	stdinClosed := proctest.StdinClosed()
	b.await(t, 60*time.Second, "a view of five", func() bool {
		v := b.apps[self].lastView()
		return v != nil && len(v.Members) == 5
	})
	fmt.Printf("FULL view %d\n", g.View().ID)
	idx := int(time.Now().UnixNano() % 1000) // tells this process's values apart in logs only
	start := time.Now()
	tick := time.NewTicker(2 * time.Millisecond)
	for k, tries := 1, 0; k <= perSender; tries++ {
		<-tick.C
		if tries > 50*perSender {
			t.Fatalf("could not multicast %d payloads in %d tries; stats %+v", perSender, tries, g.Stats())
		}
		err := g.Multicast(wrapperspb.UInt64(uint64(idx)*1_000_000 + uint64(k)))
		if errors.Is(err, membership.ErrBackpressure) {
			continue // retry on the next tick
		}
		if err != nil {
			t.Fatal(err)
		}
		if k == perSender/2 {
			fmt.Println("HALF")
		}
		k++
	}
	tick.Stop()
	// Shorter than the parent's wait, so that a failure here is reported.
	b.await(t, 45*time.Second, "every member's stream (stats "+fmt.Sprint(g.Stats())+" at the start)", func() bool {
		a := b.apps[self]
		v := a.lastView()
		// The parent kills exactly one process: wait for the view without it.
		return len(v.Members) == 4 && b.deliveredAll([]history.ProcessID{self}, v.Members, perSender)
	})
	a := b.apps[self]
	b.mu.Lock()
	fmt.Printf("DONE %s: view %d of %d, delivered %d in %v, stats %+v\n", filepath.Base(string(self)), a.lastView().ID,
		len(a.lastView().Members), a.count, time.Since(start).Round(time.Millisecond), g.Stats())
	b.mu.Unlock()
	<-stdinClosed
	node.Close()
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}
}
