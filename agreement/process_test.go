package agreement

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/tlstest"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/sirupsen/logrus"
)

// The four-process tests start this test binary again as four children
// (TestGeneralProcess), one general each. A child learns from its
// environment whether to run over mutual TLS and whether its traitor
// forges, announces its node's address, and then steps with the parent
// one line at a time:
//
//	parent -> child   GENERALS <id> ...       every general, in order
//	child -> parent   READY                   every general answers it
//	parent -> child   START                   every general exists: begin
//	child -> parent   DONE <stats>            its session is over, recorded
//
// The parent then stops the children and merges their histories.
const (
	generalTest = "TestGeneralProcess"
	// The certificate authority of the TLS variant, PEM encoded; when set,
	// a child runs its node over mutual TLS.
	childCACertEnv = "LOCKSTEP_AGREEMENT_CA_CERT"
	childCAKeyEnv  = "LOCKSTEP_AGREEMENT_CA_KEY"
	// childForgeEnv makes the traitor forge the commander (forgeCommander).
	childForgeEnv = "LOCKSTEP_AGREEMENT_FORGE"
)

const (
	processes       = 4
	processTraitor  = 2 // a lieutenant, so IC2 has teeth as well as IC1
	processRound    = 3 * time.Second
	processDeadline = 90 * time.Second
)

// TestOMFourProcesses runs OM(1) with 4 generals in 4 OS processes on
// loopback, one general per process and one of them a two-faced traitor;
// each child records its general's events as JSON lines, and the parent
// merges the four histories and checks IC1 and IC2.
func TestOMFourProcesses(t *testing.T) {
	fourProcesses(t, nil, false)
}

// TestOMFourProcessesForgedPlaintext is the TLS test's forgery without TLS:
// the forged commander message is believed, both loyal lieutenants take
// RETREAT from a loyal commander who said ATTACK, and IC2 fails. It shows
// that what keeps IC2 in TestOMFourProcessesTLS is the transport's check.
func TestOMFourProcessesForgedPlaintext(t *testing.T) {
	fourProcesses(t, nil, true)
}

// TestOMFourProcessesTLS is TestOMFourProcesses over mutual TLS, with a
// traitor that also forges: before the session starts it sends each loyal
// lieutenant an oral message for the session that claims to be the
// commander's RETREAT, in the commander's name in both the envelope and
// the path. Were it believed, both lieutenants would take RETREAT from
// the commander and IC2 would fail; the receiving nodes refuse it in the
// transport (SenderCheck), count it, and the loyal lieutenants still
// decide the commander's ATTACK.
func TestOMFourProcessesTLS(t *testing.T) {
	ca, err := tlstest.NewCA("four-processes")
	if err != nil {
		t.Fatal(err)
	}
	fourProcesses(t, ca, true)
}

// fourProcesses runs the four-process test, over mutual TLS under ca
// unless ca is nil, with the traitor forging the commander if forge.
func fourProcesses(t *testing.T, ca *tlstest.CA, forge bool) {
	var env []string
	if ca != nil {
		certPEM, keyPEM, err := ca.PEM()
		if err != nil {
			t.Fatal(err)
		}
		env = []string{childCACertEnv + "=" + string(certPEM), childCAKeyEnv + "=" + string(keyPEM)}
	}
	if forge {
		env = append(env, childForgeEnv+"=1")
	}
	dir := t.TempDir()
	children, err := proctest.StartN(processes, func(int) proctest.Spec {
		return proctest.Spec{Run: generalTest, Role: "general", HistoryDir: dir, Env: env}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proctest.KillRunning(children)
	ids := make([]string, processes)
	for i, c := range children {
		ids[i] = fmt.Sprintf("%s/g%d", c.Addr(), i)
	}
	sendAll(t, children, "GENERALS "+strings.Join(ids, " "))
	// A message to an actor not spawned yet is a dead letter, lost for
	// good, and a first message pays for the connection: so no session
	// starts before every child has connected to every general.
	for _, c := range children {
		awaitLine(t, c, "READY")
	}
	sendAll(t, children, "START")
	for i, c := range children {
		done := awaitLine(t, c, "DONE ")
		t.Logf("g%d: %s", i, done)
		if ca == nil || i == 0 || i == processTraitor {
			continue
		}
		// The traitor reported READY only after a touch answered on the
		// stream opened after the refusal (forgeCommander): by DONE the
		// refusal has been counted.
		if !strings.Contains(done, " authenticated=true ") {
			t.Errorf("g%d: council not authenticated by the transport: %s", i, done)
		}
		var refused uint64
		if _, err := fmt.Sscanf(done[strings.Index(done, "transport_refused="):], "transport_refused=%d", &refused); err != nil || refused == 0 {
			t.Errorf("g%d: the forged commander message was not refused by the transport (%v): %s", i, err, done)
		}
	}
	if err := proctest.StopAll(children, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	h, err := proctest.ReadHistories(children)
	if err != nil {
		t.Fatal(err)
	}
	if forge && ca == nil {
		vs := history.CheckAll(h, history.CheckIC1, history.CheckIC2)
		if len(vs) == 0 {
			t.Fatalf("the forged commander message left IC1 and IC2 intact over plaintext:\n%v", h)
		}
		for _, v := range vs {
			t.Logf("expected without TLS: %v", v)
		}
		return
	}
	if got := checkIC(t, h, "four processes"); got != processes-2 {
		t.Errorf("%d loyal decisions, want %d:\n%v", got, processes-2, h)
		for i, c := range children {
			t.Logf("child %d output:\n%s", i, c.Output())
		}
	}
	if !hasFaulty(h, history.ProcessID(ids[processTraitor])) {
		t.Errorf("the traitor's Faulty event is missing:\n%v", h)
	}
	decided := 0
	for _, e := range h {
		if e.Kind == history.Decide && e.Value == byz.Attack {
			decided++
		}
	}
	if decided != processes-2 {
		t.Errorf("%d lieutenants decided the loyal commander's ATTACK, want %d", decided, processes-2)
	}
}

// sendAll sends line to every child.
func sendAll(t *testing.T, children []*proctest.Child, line string) {
	t.Helper()
	for _, c := range children {
		if err := c.Send(line); err != nil {
			t.Fatal(err)
		}
	}
}

// awaitLine returns the child's line that starts with prefix, failing after
// processDeadline or as soon as the child exits without one.
func awaitLine(t *testing.T, c *proctest.Child, prefix string) string {
	t.Helper()
	line, err := c.AwaitLine(prefix, processDeadline)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// TestGeneralProcess is one child of the four-process tests: it hosts
// general g<index> on a remote node, runs one session and records it.
func TestGeneralProcess(t *testing.T) {
	if _, ok := proctest.Role(); !ok {
		t.Skip("helper process of the four-process tests")
	}
	i := proctest.Index()
	nc := actors.DefaultConfig()
	// Peers that already left keep a graceful gRPC stop waiting; the
	// session is over and recorded, so a short bound is enough.
	nc.ShutdownTimeout = time.Second
	lg := logrus.New()
	lg.SetOutput(os.Stderr)
	lg.SetLevel(logrus.DebugLevel)
	nodeOpts := []actors.Option{actors.WithRemote("127.0.0.1", 0), actors.WithProtoactorLogs(), actors.WithLogger(logrus.NewEntry(lg))}
	if os.Getenv(childCACertEnv) != "" {
		tlsOpts, err := childTLS()
		if err != nil {
			t.Fatal(err)
		}
		nodeOpts = append(nodeOpts, tlsOpts...)
	}
	node, err := actors.NewNode(nc, nodeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	// The node is not closed: the process exits when the test returns, and
	// the pinned protoactor's remote shutdown races with its own handling
	// of peers that disconnect at the same moment (endpointManager.stop
	// against removeEndpoint), which -race reports.
	in := proctest.StdinLines()
	if err := proctest.Announce(os.Stdout, node.Address()); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(nextLine(t, in, "GENERALS"))
	if len(fields) != processes+1 {
		t.Fatalf("bad GENERALS line %q", fields)
	}
	cfg := DefaultConfig()
	cfg.Name, cfg.RoundDuration = "four-processes", processRound
	for _, f := range fields[1:] {
		cfg.Generals = append(cfg.Generals, history.ProcessID(f))
	}
	self := cfg.Generals[i]

	hist, err := proctest.CreateHistory()
	if err != nil {
		t.Fatal(err)
	}
	opts := []Option{WithRecorder(hist)}
	if i == processTraitor {
		opts = append(opts, WithTraitor(self, byz.TwoFaced{}, 1))
	}
	c, err := NewCouncil(node, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), processDeadline)
	defer ccancel()
	if err := c.Connect(cctx); err != nil {
		t.Fatal(err)
	}
	if os.Getenv(childForgeEnv) != "" && i == processTraitor {
		if err := forgeCommander(node, cfg); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("READY")
	nextLine(t, in, "START")
	run, err := c.Start(map[history.ProcessID]string{self: byz.Attack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), processDeadline)
	defer cancel()
	out, err := run.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := hist.Close(); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	fmt.Printf("DONE rounds=%d sent=%d accepted=%d rejected=%v authenticated=%v transport_refused=%d decisions=%v\n",
		out.Rounds, out.Messages, st.Accepted, st.Rejected, c.Authenticated(), node.Stats().CheckRefusals, out.Decisions)
	for range in {
		// serve until the parent stops us (end of input)
	}
}

// nextLine returns the next line from the parent, which must start with
// word, waiting at most processDeadline.
func nextLine(t *testing.T, in <-chan string, word string) string {
	t.Helper()
	select {
	case line, ok := <-in:
		if !ok || !strings.HasPrefix(line, word) {
			t.Fatalf("want a %s line from the parent, got %q (input open: %v)", word, line, ok)
		}
		return line
	case <-time.After(processDeadline):
		t.Fatalf("no %s line from the parent within %v", word, processDeadline)
	}
	return ""
}

// childTLS returns the options of a child's node under the parent's
// authority: a reserved port and a certificate naming it.
func childTLS() ([]actors.Option, error) {
	ca, err := tlstest.LoadCA([]byte(os.Getenv(childCACertEnv)), []byte(os.Getenv(childCAKeyEnv)))
	if err != nil {
		return nil, err
	}
	port, err := tlstest.ReservePort("127.0.0.1")
	if err != nil {
		return nil, err
	}
	tc, err := ca.NodeConfig(fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	return []actors.Option{actors.WithRemote("127.0.0.1", port), actors.WithTLS(tc)}, nil
}

// forgeCommander sends every general but the commander and this process's
// own an oral message for session 1 that claims to come from the
// commander (envelope sender and path alike) with RETREAT. It returns once
// each target answered a Touch sent after the forgery: over plaintext the
// forgery then sits in the general's mailbox (one stream, FIFO), before the
// session can start; under TLS the refusal closed the stream the forgery
// came on, and the answer came on the next one, so the refusal is counted.
func forgeCommander(node *actors.Node, cfg Config) error {
	commander := cfg.Generals[0]
	from, _ := actors.PIDOf(commander)
	var targets []*actor.PID
	for _, id := range cfg.Generals[1:] {
		to, _ := actors.PIDOf(id)
		if to.Address == node.Address() {
			continue
		}
		node.Root().RequestWithCustomSender(to, &byz.OralMessage{
			Session: sessionName(cfg.Name, 1), Commander: string(commander),
			Path: []string{string(commander)}, Value: byz.Retreat,
		}, from)
		targets = append(targets, to)
	}
	errs := make(chan error, len(targets))
	for _, to := range targets {
		go func() {
			for attempt := 0; attempt < 10; attempt++ {
				res, _ := node.Root().RequestFuture(to, &actor.Touch{}, time.Second).Result()
				if _, ok := res.(*actor.Touched); ok {
					errs <- nil
					return
				}
			}
			errs <- fmt.Errorf("%v did not answer a touch after the forgery", to)
		}()
	}
	var all []error
	for range targets {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}
