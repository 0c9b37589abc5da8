package agreement

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/tlstest"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/sirupsen/logrus"
)

// The four-process test re-executes this test binary: a child is told by
// these environment variables which general it hosts and where to write
// its history, and talks to the parent over stdin/stdout, one line each:
//
//	child -> parent   ADDR <host:port>        its node is listening
//	parent -> child   GENERALS <id> ...       every general, in order
//	child -> parent   READY                   every general answers it
//	parent -> child   START                   every general exists: begin
//	child -> parent   DONE <rounds> <msgs>    its session is over
//	parent -> child   EXIT                    everyone is done: shut down
const (
	childIndexEnv = "LOCKSTEP_AGREEMENT_CHILD"
	childDirEnv   = "LOCKSTEP_AGREEMENT_DIR"
	// The certificate authority of the TLS variant, PEM encoded; when set,
	// a child runs its node over mutual TLS and its traitor also forges.
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
	if idx := os.Getenv(childIndexEnv); idx != "" {
		runChild(t, idx)
		return
	}
	fourProcesses(t, nil, false)
}

// TestOMFourProcessesForgedPlaintext is the TLS test's forgery without TLS:
// the forged commander message is believed, both loyal lieutenants take
// RETREAT from a loyal commander who said ATTACK, and IC2 fails. It shows
// that what keeps IC2 in TestOMFourProcessesTLS is the transport's check.
func TestOMFourProcessesForgedPlaintext(t *testing.T) {
	if idx := os.Getenv(childIndexEnv); idx != "" {
		runChild(t, idx)
		return
	}
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
	if idx := os.Getenv(childIndexEnv); idx != "" {
		runChild(t, idx)
		return
	}
	ca, err := tlstest.NewCA("four-processes")
	if err != nil {
		t.Fatal(err)
	}
	fourProcesses(t, ca, true)
}

// fourProcesses runs the four-process test, over mutual TLS under ca
// unless ca is nil, with the traitor forging the commander if forge.
func fourProcesses(t *testing.T, ca *tlstest.CA, forge bool) {
	ctx, cancel := context.WithTimeout(context.Background(), processDeadline)
	defer cancel()
	dir := t.TempDir()
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
	children := make([]*child, processes)
	for i := range children {
		children[i] = startChild(ctx, t, i, dir, env)
	}
	ids := make([]string, processes)
	for i, c := range children {
		addr := c.expect(t, "ADDR")
		ids[i] = addr + "/" + fmt.Sprintf("g%d", i)
	}
	for _, c := range children {
		c.send(t, "GENERALS "+strings.Join(ids, " "))
	}
	// A message to an actor not spawned yet is a dead letter, lost for
	// good, and a first message pays for the connection: so no session
	// starts before every child has connected to every general.
	for _, c := range children {
		c.expect(t, "READY")
	}
	for _, c := range children {
		c.send(t, "START")
	}
	for i, c := range children {
		done := c.expect(t, "DONE")
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
	for _, c := range children {
		c.send(t, "EXIT")
	}
	var hs []history.History
	for i, c := range children {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, c.stderr.String())
		}
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("g%d.jsonl", i)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := history.ReadJSONL(f)
		f.Close()
		if err != nil {
			t.Fatalf("child %d history: %v", i, err)
		}
		hs = append(hs, h)
	}
	h := history.Merge(hs...)
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
			t.Logf("child %d stderr:\n%s", i, c.stderr.String())
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

// child is one re-executed test binary hosting one general.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
	index  int
}

func startChild(ctx context.Context, t *testing.T, i int, dir string, env []string) *child {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childIndexEnv+"="+strconv.Itoa(i), childDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	c := &child{cmd: cmd, lines: make(chan string, 16), stderr: &bytes.Buffer{}, index: i}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("child %d stderr:\n%s", i, c.stderr.String())
		}
	})
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

// expect returns the rest of the child's next line starting with word,
// skipping the test framework's own output, failing after processDeadline.
func (c *child) expect(t *testing.T, word string) string {
	t.Helper()
	timeout := time.After(processDeadline)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("child %d exited before %s:\n%s", c.index, word, c.stderr.String())
			}
			if rest, found := strings.CutPrefix(line, word+" "); found {
				return rest
			}
			if strings.HasPrefix(line, "FAIL ") {
				t.Fatalf("child %d: %s\n%s", c.index, line, c.stderr.String())
			}
		case <-timeout:
			t.Fatalf("child %d: no %s line in time:\n%s", c.index, word, c.stderr.String())
		}
	}
}

func (c *child) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		t.Fatalf("child %d: %v", c.index, err)
	}
}

// runChild is the child's side: host general g<idx> on a remote node,
// run one session and record it.
func runChild(t *testing.T, idx string) {
	fail := func(err error) {
		fmt.Println("FAIL", strings.ReplaceAll(err.Error(), "\n", " "))
		t.Fatal(err)
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		fail(err)
	}
	nc := actors.DefaultConfig()
	// Peers that already left keep a graceful gRPC stop waiting; the
	// session is over and recorded, so a short bound is enough.
	nc.ShutdownTimeout = time.Second
	lg := logrus.New()
	lg.SetOutput(os.Stderr)
	lg.SetLevel(logrus.DebugLevel)
	nodeOpts := []actors.Option{actors.WithRemote("127.0.0.1", 0), actors.WithProtoactorLogs(), actors.WithLogger(logrus.NewEntry(lg))}
	withTLS := os.Getenv(childCACertEnv) != ""
	if withTLS {
		tlsOpts, err := childTLS()
		if err != nil {
			fail(err)
		}
		nodeOpts = append(nodeOpts, tlsOpts...)
	}
	node, err := actors.NewNode(nc, nodeOpts...)
	if err != nil {
		fail(err)
	}
	// The node is not closed: the process exits when the test returns, and
	// the pinned protoactor's remote shutdown races with its own handling
	// of peers that disconnect at the same moment (endpointManager.stop
	// against removeEndpoint), which -race reports.
	fmt.Println("ADDR", node.Address())

	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		fail(fmt.Errorf("no GENERALS line: %v", in.Err()))
	}
	fields := strings.Fields(in.Text())
	if len(fields) != processes+1 || fields[0] != "GENERALS" {
		fail(fmt.Errorf("bad GENERALS line %q", in.Text()))
	}
	cfg := DefaultConfig()
	cfg.Name, cfg.RoundDuration = "four-processes", processRound
	for _, f := range fields[1:] {
		cfg.Generals = append(cfg.Generals, history.ProcessID(f))
	}
	self := cfg.Generals[i]

	f, err := os.Create(filepath.Join(os.Getenv(childDirEnv), fmt.Sprintf("g%d.jsonl", i)))
	if err != nil {
		fail(err)
	}
	buf := bufio.NewWriter(f)
	rec := history.NewJSONLWriter(buf)
	opts := []Option{WithRecorder(rec)}
	if i == processTraitor {
		opts = append(opts, WithTraitor(self, byz.TwoFaced{}, 1))
	}
	c, err := NewCouncil(node, cfg, opts...)
	if err != nil {
		fail(err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), processDeadline)
	defer ccancel()
	if err := c.Connect(cctx); err != nil {
		fail(err)
	}
	if os.Getenv(childForgeEnv) != "" && i == processTraitor {
		if err := forgeCommander(node, cfg); err != nil {
			fail(err)
		}
	}
	fmt.Println("READY .")
	if !in.Scan() || in.Text() != "START" {
		fail(fmt.Errorf("no START line: %q %v", in.Text(), in.Err()))
	}
	run, err := c.Start(map[history.ProcessID]string{self: byz.Attack})
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), processDeadline)
	defer cancel()
	out, err := run.Wait(ctx)
	if err != nil {
		fail(err)
	}
	if err := buf.Flush(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
	if err := rec.Err(); err != nil {
		fail(err)
	}
	st := c.Stats()
	fmt.Printf("DONE rounds=%d sent=%d accepted=%d rejected=%v authenticated=%v transport_refused=%d decisions=%v\n",
		out.Rounds, out.Messages, st.Accepted, st.Rejected, c.Authenticated(), node.Stats().CheckRefusals, out.Decisions)
	for in.Scan() {
		if in.Text() == "EXIT" {
			return
		}
	}
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
