package proctest_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
)

const eventsPerChild = 50

// TestHelperProcess is the body of the children the tests below start.
func TestHelperProcess(t *testing.T) {
	role, ok := proctest.Role()
	if !ok {
		t.Skip("helper process for the proctest tests")
	}
	switch role {
	case "writer":
		h, err := proctest.CreateHistory()
		if err != nil {
			t.Fatal(err)
		}
		self := history.ProcessID(fmt.Sprintf("child-%d", proctest.Index()))
		for i := 1; i <= eventsPerChild; i++ {
			h.Record(history.Event{Time: int64(i), Process: self, Kind: history.Deliver, Msg: history.MsgID{Sender: "parent", Seq: uint64(i)}})
		}
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		if err := proctest.Announce(os.Stdout, fmt.Sprintf("addr-%d", proctest.Index())); err != nil {
			t.Fatal(err)
		}
		<-proctest.StdinClosed()
	case "silent":
		<-proctest.StdinClosed()
	case "founder":
		if err := proctest.Announce(os.Stdout, "founder-addr"); err != nil {
			t.Fatal(err)
		}
		<-proctest.StdinClosed()
	case "joiner":
		if err := proctest.Announce(os.Stdout, fmt.Sprintf("joiner-%d-of-%s", proctest.Index(), os.Getenv("PROCTEST_SEED"))); err != nil {
			t.Fatal(err)
		}
		<-proctest.StdinClosed()
	case "echo":
		if err := proctest.Announce(os.Stdout, "echo"); err != nil {
			t.Fatal(err)
		}
		for line := range proctest.StdinLines() {
			fmt.Println("ECHO", line)
		}
	case "failing":
		t.Fatal("this child fails on purpose")
	default:
		t.Fatalf("unknown role %q", role)
	}
}

func TestStartNWritesHistories(t *testing.T) {
	const n = 3
	dir := t.TempDir()
	children, err := proctest.StartN(n, func(int) proctest.Spec {
		return proctest.Spec{Run: "TestHelperProcess", Role: "writer", HistoryDir: dir}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range children {
		if want := fmt.Sprintf("addr-%d", i); c.Addr() != want {
			t.Errorf("child %d announced %q, want %q", i, c.Addr(), want)
		}
	}
	if err := proctest.StopAll(children, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	h, err := proctest.ReadHistories(children)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != n*eventsPerChild {
		t.Fatalf("merged history has %d events, want %d", len(h), n*eventsPerChild)
	}
	perChild := map[history.ProcessID][]uint64{}
	for _, e := range h {
		perChild[e.Process] = append(perChild[e.Process], e.Msg.Seq)
	}
	for i := range n {
		seqs := perChild[history.ProcessID(fmt.Sprintf("child-%d", i))]
		if len(seqs) != eventsPerChild || !slices.IsSorted(seqs) {
			t.Fatalf("child %d: %d events, order %v", i, len(seqs), seqs)
		}
	}
}

func TestStartReportsChildFailures(t *testing.T) {
	_, err := proctest.Start(proctest.Spec{Run: "TestHelperProcess", Role: "failing"})
	if !errors.Is(err, proctest.ErrChild) || !strings.Contains(err.Error(), "fails on purpose") {
		t.Fatalf("failing child: error %v, want ErrChild with the child's output", err)
	}
	_, err = proctest.Start(proctest.Spec{Run: "TestHelperProcess", Role: "silent", AnnounceTimeout: 200 * time.Millisecond})
	if !errors.Is(err, proctest.ErrChild) || !strings.Contains(err.Error(), "did not announce") {
		t.Fatalf("silent child: error %v, want a timeout", err)
	}
}

func TestIsolate(t *testing.T) {
	if !proctest.Isolate(t, time.Minute) {
		return
	}
	if os.Getenv(proctest.EnvIsolated) != t.Name() {
		t.Fatal("isolated body runs outside its own process")
	}
}

// Send, StdinLines and AwaitLine carry a line exchange: the child echoes
// what the parent sends; AwaitLine returns the line, and fails at once when
// the child has exited without printing it, or when its timeout passes.
func TestLineExchange(t *testing.T) {
	c, err := proctest.Start(proctest.Spec{Run: "TestHelperProcess", Role: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	defer proctest.KillRunning([]*proctest.Child{c})
	for _, word := range []string{"one", "two three"} {
		if err := c.Send(word); err != nil {
			t.Fatal(err)
		}
		line, err := c.AwaitLine("ECHO "+word, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if line != "ECHO "+word {
			t.Fatalf("AwaitLine returned %q, want %q", line, "ECHO "+word)
		}
	}
	// The first matching line is returned however long ago it came.
	if line, err := c.AwaitLine("ECHO ", time.Second); err != nil || line != "ECHO one" {
		t.Fatalf("AwaitLine(ECHO) = %q, %v; want the first echo", line, err)
	}
	if _, err := c.AwaitLine("NEVER", 50*time.Millisecond); !errors.Is(err, proctest.ErrChild) || !strings.Contains(err.Error(), "within") {
		t.Fatalf("AwaitLine on a live child that never prints the line = %v, want a timeout", err)
	}
	if err := c.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.AwaitLine("NEVER", time.Minute); !errors.Is(err, proctest.ErrChild) || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("AwaitLine on an exited child = %v, want an error saying it exited", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("AwaitLine on an exited child took %v: it should not wait for its timeout", d)
	}
	if err := c.Send("late"); !errors.Is(err, proctest.ErrChild) {
		t.Fatalf("Send after Stop = %v, want ErrChild", err)
	}
}

func TestKillRunning(t *testing.T) {
	children, err := proctest.StartN(2, func(int) proctest.Spec {
		return proctest.Spec{Run: "TestHelperProcess", Role: "echo"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := children[0].Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	proctest.KillRunning(append(children, nil)) // a stopped child and a nil one are skipped
	select {
	case <-children[1].Done():
	default:
		t.Fatal("a running child survived KillRunning")
	}
}

func TestStartGroup(t *testing.T) {
	joiner := func(role string) func(int, string) proctest.Spec {
		return func(_ int, seed string) proctest.Spec {
			return proctest.Spec{Run: "TestHelperProcess", Role: role, Env: []string{"PROCTEST_SEED=" + seed}}
		}
	}
	children, err := proctest.StartGroup(proctest.Spec{Run: "TestHelperProcess", Role: "founder"}, 2, joiner("joiner"))
	if err != nil {
		t.Fatal(err)
	}
	defer proctest.KillRunning(children)
	want := []string{"founder-addr", "joiner-0-of-founder-addr", "joiner-1-of-founder-addr"}
	if len(children) != len(want) {
		t.Fatalf("%d children, want %d", len(children), len(want))
	}
	for i, c := range children {
		if c.Addr() != want[i] {
			t.Errorf("child %d announced %q, want %q", i, c.Addr(), want[i])
		}
	}
	if err := proctest.StopAll(children, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := proctest.StartGroup(proctest.Spec{Run: "TestHelperProcess", Role: "founder"}, 1, joiner("failing")); !errors.Is(err, proctest.ErrChild) {
		t.Fatalf("StartGroup with a failing joiner = %v, want ErrChild", err)
	}
}
