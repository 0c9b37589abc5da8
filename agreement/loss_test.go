package agreement

import (
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
	cfg.Generals, cfg.RoundDuration, cfg.MaxEarly = ids, testRound, 2
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
	for range 3 {
		root.RequestWithCustomSender(target, msg(7), c.pids[ids[0]]) // early: 2 kept, 1 refused
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
