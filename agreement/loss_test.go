package agreement

import (
	"context"
	"errors"
	"strings"
	"time"

	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// TestLostMessagesCountAsRetreat: every message of one loyal lieutenant is
// lost in transit (as at-most-once remote may lose a stream's batch). The
// node records no fault, so the checkers count that general as loyal; its
// lost messages become RETREAT at round close, the loss is absorbed like
// one traitor's omissions, and all four lieutenants, it included, decide
// the commander's value.
func TestLostMessagesCountAsRetreat(t *testing.T) {
	rec := history.NewLog()
	node := newTestNode(t, nil) // no recorder: the loss is not a recorded fault
	ids := generalIDs(node, 5)
	f, err := node.NewFaults(faults.Spec{Model: faults.SendOmission, Rate: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Generals, cfg.RoundDuration = ids, testRound
	c := newTestCouncil(t, node, cfg, WithRecorder(rec), WithFaults(ids[1], f))
	out, err := c.Propose(waitCtx(t), byz.Attack)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkIC(t, rec.History(), "lossy lieutenant"); got != 4 {
		t.Errorf("%d decisions, want 4", got)
	}
	if v, ok := out.Value(ids[0]); !ok || v != byz.Attack || len(out.Decisions) != 5 {
		t.Errorf("decided %q %v: %v", v, ok, out.Decisions)
	}
	if st := f.Stats(); st.Dropped != byz.OMLieutenantSends(5, 2) {
		t.Errorf("dropped %d messages, want all %d the lieutenant sent", st.Dropped, byz.OMLieutenantSends(5, 2))
	}
}

// TestSessionBookkeeping: messages of a finished session are refused as
// stale, and messages for sessions not begun yet are kept up to MaxEarly.
func TestSessionBookkeeping(t *testing.T) {
	node := newTestNode(t, nil)
	ids := generalIDs(node, 4)
	cfg := DefaultConfig()
	// A lieutenant of OM(1) with 4 generals receives at most 3 messages of
	// a session before it begins it, so 4 leaves room for all of them.
	cfg.Generals, cfg.RoundDuration, cfg.MaxEarly = ids, testRound, 4
	// g1 commands, so no other general sends it anything of session 2
	// before it has begun it: its early buffer holds only what this test
	// puts there.
	cfg.Commander = ids[1]
	c := newTestCouncil(t, node, cfg)
	if _, err := c.Propose(waitCtx(t), byz.Attack); err != nil {
		t.Fatal(err)
	}
	root, target := node.Root(), c.pids[ids[1]]
	msg := func(session uint64) *byz.OralMessage {
		return &byz.OralMessage{Session: sessionName(cfg.Name, session), Commander: string(ids[0]),
			Path: []string{string(ids[0])}, Value: byz.Retreat}
	}
	root.RequestWithCustomSender(target, msg(1), c.pids[ids[0]]) // stale
	for range 5 {
		root.RequestWithCustomSender(target, msg(7), c.pids[ids[0]]) // early: 4 kept, 1 refused
	}
	// Session 2 begins after the messages above reached g1's mailbox.
	if _, err := c.Propose(waitCtx(t), byz.Retreat); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	if st.Rejected[ErrStaleSession] != 1 || st.Rejected[ErrEarlyOverflow] != 1 {
		t.Errorf("rejected %v, want one stale and one overflow", st.Rejected)
	}
	if _, err := c.Start(map[history.ProcessID]string{ids[0]: ""}); err == nil {
		t.Errorf("Start accepted an empty value")
	}
	c.Close()
	if _, err := c.Start(nil); err != ErrClosed {
		t.Errorf("Start after Close: %v", err)
	}
}

// TestConnect: Connect returns once every general answers, and reports
// the generals that never do.
func TestConnect(t *testing.T) {
	node := newTestNode(t, nil)
	cfg := DefaultConfig()
	cfg.Generals, cfg.RoundDuration = generalIDs(node, 4), testRound
	c := newTestCouncil(t, node, cfg)
	if err := c.Connect(waitCtx(t)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if st := c.Stats(); st.RejectedTotal() != 0 {
		t.Errorf("Connect's probes were counted as rejected messages: %v", st.Rejected)
	}

	node2 := newTestNode(t, nil)
	// A general of another node, which never runs: this node has no remote,
	// so messages to it are dead letters.
	cfg.Generals = append(generalIDs(node2, 4), "127.0.0.1:1/never-spawned")
	c2 := newTestCouncil(t, node2, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c2.Connect(ctx)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "never-spawned") {
		t.Errorf("Connect with a missing general: %v", err)
	}
}
