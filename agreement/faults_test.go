package agreement

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/protobuf/proto"
)

// flipForOdd is a protocol-aware adversary for the runtime's Arbitrary
// model: it tells generals whose name ends in an odd digit the opposite of
// every oral message's value, and the others the truth.
type flipForOdd struct{}

func (flipForOdd) Outgoing(to history.ProcessID, msg proto.Message, _ *rand.Rand) []proto.Message {
	om, ok := msg.(*byz.OralMessage)
	if !ok || (to[len(to)-1]-'0')%2 == 0 {
		return []proto.Message{msg}
	}
	lie := proto.Clone(om).(*byz.OralMessage)
	lie.Value = byz.Attack
	if om.GetValue() == byz.Attack {
		lie.Value = byz.Retreat
	}
	return []proto.Message{lie}
}

// TestFaultMiddlewareTraitor makes a general a traitor with the actors
// runtime's failure middleware rather than a byz strategy: its loyal core
// runs unchanged and an Arbitrary adversary rewrites what it sends. The
// node records the Faulty event, so the checkers judge the others only.
func TestFaultMiddlewareTraitor(t *testing.T) {
	for _, tc := range []struct {
		name      string
		traitor   int
		adversary faults.Adversary
	}{
		{"lieutenant/two-faced-garbage", 2, faults.TwoFaced{Salt: 6}},
		{"lieutenant/garbage", 1, faults.Garbage{}},
		{"commander/flip-for-odd", 0, flipForOdd{}},
		{"commander/two-faced-garbage", 0, faults.TwoFaced{Salt: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seed = 11
			rec := history.NewLog()
			node := newTestNode(t, rec)
			ids := generalIDs(node, 4)
			f, err := node.NewFaults(faults.Spec{Model: faults.Arbitrary, Adversary: tc.adversary, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Generals, cfg.RoundDuration = ids, testRound
			c := newTestCouncil(t, node, cfg, WithRecorder(rec), WithFaults(ids[tc.traitor], f))
			if _, err := c.Propose(waitCtx(t), byz.Attack); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			h := rec.History()
			if !hasFaulty(h, ids[tc.traitor]) {
				t.Fatalf("no Faulty event for %s", ids[tc.traitor])
			}
			want := 2
			if tc.traitor == 0 {
				want = 3
			}
			if got := checkIC(t, h, "seed 11"); got != want {
				t.Errorf("%d loyal decisions, want %d", got, want)
			}
			if st := f.Stats(); st.Forged == 0 {
				t.Errorf("the adversary changed nothing: %v", st)
			}
		})
	}
}

// TestRejectsSpoofedAndForeignMessages: a message with no envelope
// sender, from an actor that is no general, whose path claims another
// sender than the envelope's, or whose session belongs to another council
// is refused and counted, and the run that follows is not disturbed.
func TestRejectsSpoofedAndForeignMessages(t *testing.T) {
	rec := history.NewLog()
	node := newTestNode(t, rec)
	ids := generalIDs(node, 4)
	cfg := DefaultConfig()
	cfg.Generals, cfg.RoundDuration = ids, testRound
	c := newTestCouncil(t, node, cfg, WithRecorder(rec))
	root := node.Root()
	target := c.pids[ids[1]]
	om := func(session string, path ...history.ProcessID) *byz.OralMessage {
		p := make([]string, len(path))
		for i, id := range path {
			p[i] = string(id)
		}
		return &byz.OralMessage{Session: session, Commander: p[0], Path: p, Value: byz.Retreat}
	}
	s1 := sessionName(cfg.Name, 1)
	// No envelope sender, though the payload claims the commander.
	root.Send(target, om(s1, ids[0]))
	// The envelope names g3 while the path claims g0 sent it (the core
	// refuses it).
	root.RequestWithCustomSender(target, om(s1, ids[0]), c.pids[ids[3]])
	// The sender is no general of the council.
	root.RequestWithCustomSender(target, om(s1, ids[0]), actor.NewPID(node.Address(), "mallory"))
	// Another council's session.
	root.RequestWithCustomSender(target, om("other#1", ids[0]), c.pids[ids[0]])
	// Not an agreement message at all.
	root.RequestWithCustomSender(target, &byz.Signature{Signer: string(ids[0])}, c.pids[ids[0]])

	// Start posts after the messages above, from the same sender, so g1
	// has handled them once the run is over.
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	out, err := c.Propose(ctx, byz.Attack)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Value(ids[0]); !ok || v != byz.Attack {
		t.Errorf("decided %q %v after the spoofed messages", v, ok)
	}
	st := c.Stats()
	for sentinel, want := range map[error]int{
		ErrNoSender: 1, byz.ErrSenderMismatch: 1, ErrNotGeneral: 1, ErrUnknownSession: 1, ErrUnexpectedMessage: 1,
	} {
		if st.Rejected[sentinel] != want {
			t.Errorf("Rejected[%v] = %d, want %d (all: %v)", sentinel, st.Rejected[sentinel], want, st.Rejected)
		}
	}
	checkIC(t, rec.History(), "after spoofing")
}
