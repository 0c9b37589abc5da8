package byz

import (
	"crypto/ed25519"
	"math/rand/v2"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"google.golang.org/protobuf/proto"
)

// Choice describes one message a traitor's protocol would send, for a
// Traitor strategy to decide on.
type Choice struct {
	// Traitor is the general sending, Commander the instance's commander.
	Traitor, Commander history.ProcessID
	// To is the receiver.
	To history.ProcessID
	// Path is the message's path (OM) or chain of signers (SM): it starts
	// with the commander and ends with Traitor. Do not modify it.
	Path []history.ProcessID
	// Round is the round the message belongs to: len(Path).
	Round int
	// Honest is the value a loyal general would send.
	Honest string
	// Generals lists all generals, as in Config.Generals. Do not modify it.
	Generals []history.ProcessID
}

// Action is a strategy's answer: send Value, or nothing if Omit.
type Action struct {
	Value string
	Omit  bool
}

// Send returns the action of sending v.
func Send(v string) Action { return Action{Value: v} }

// Omitted is the action of sending nothing.
var Omitted = Action{Omit: true}

// Traitor is an arbitrary-failure adversary for the generals: for every
// message the protocol would have a traitor send, it picks the value sent,
// or omits the message. It must be a pure function of its arguments, its
// own fixed fields and rng, so that a seed replays a run.
type Traitor interface {
	Choose(c Choice, rng *rand.Rand) Action
}

// TraitorGeneral is a general whose outbound messages a Traitor rewrites.
// It runs a loyal General underneath (so it relays, and has something to
// lie about, in the right rounds), emits one history.Faulty event in place
// of the loyal general's Propose and Decide events, and implements
// step.Machine so any driver can run it.
//
// In OM every possible message of a traitor is one the loyal general sends
// with some value, so the strategy reaches the whole adversary space of
// the protocol. In SM a changed value needs signatures: if the commander
// and every signer of the chain are in the coalition (the keys given to
// NewTraitorGeneral, the traitor's own included), the chain is re-signed for
// the new value; otherwise the message goes out with the old signatures,
// i.e. forged, and loyal generals reject it.
type TraitorGeneral struct {
	inner     *General
	strategy  Traitor
	rng       *rand.Rand
	coalition map[history.ProcessID]ed25519.PrivateKey
	marked    bool
	out       []step.Outbound
	events    []history.Event
}

var _ step.Machine = (*TraitorGeneral)(nil)

// NewTraitorGeneral wraps inner, which must not be driven by anyone else.
// coalition holds the private keys the traitors share (SM only; nil for
// none beyond inner's own key).
func NewTraitorGeneral(inner *General, strategy Traitor, rng *rand.Rand, coalition map[history.ProcessID]ed25519.PrivateKey) *TraitorGeneral {
	keys := make(map[history.ProcessID]ed25519.PrivateKey, len(coalition)+1)
	for id, k := range coalition {
		keys[id] = k
	}
	if inner.cfg.Key != nil {
		keys[inner.cfg.ID] = inner.cfg.Key
	}
	t := &TraitorGeneral{inner: inner, strategy: strategy, rng: rng, coalition: keys}
	t.pull()
	return t
}

// ID is the traitor's identity.
func (t *TraitorGeneral) ID() history.ProcessID { return t.inner.ID() }

// Step feeds the loyal general underneath.
func (t *TraitorGeneral) Step(from history.ProcessID, msg proto.Message) error {
	err := t.inner.Step(from, msg)
	t.pull()
	return err
}

// Tick feeds the loyal general underneath.
func (t *TraitorGeneral) Tick() {
	t.inner.Tick()
	t.pull()
}

// HasReady reports whether there is something to send or report.
func (t *TraitorGeneral) HasReady() bool { return len(t.out) > 0 || len(t.events) > 0 }

// Ready returns the rewritten messages and the Faulty event.
func (t *TraitorGeneral) Ready() step.Ready { return step.Ready{Messages: t.out, Events: t.events} }

// Advance drops what rd held.
func (t *TraitorGeneral) Advance(rd step.Ready) {
	t.out = t.out[:copy(t.out, t.out[len(rd.Messages):])]
	t.events = t.events[:copy(t.events, t.events[len(rd.Events):])]
}

// Inner returns the loyal general underneath, for inspection.
func (t *TraitorGeneral) Inner() *General { return t.inner }

// pull takes the loyal general's output and rewrites it.
func (t *TraitorGeneral) pull() {
	if !t.marked {
		t.marked = true
		t.events = append(t.events, history.Event{Process: t.inner.cfg.ID, Kind: history.Faulty})
	}
	if !t.inner.HasReady() {
		return
	}
	rd := t.inner.Ready()
	for _, ob := range rd.Messages {
		if msg := t.rewrite(ob); msg != nil {
			t.out = append(t.out, step.Outbound{To: ob.To, Msg: msg})
		}
	}
	t.inner.Advance(rd) // the loyal general's events are not the traitor's
}

func (t *TraitorGeneral) rewrite(ob step.Outbound) proto.Message {
	g := t.inner
	c := Choice{Traitor: g.cfg.ID, To: ob.To, Generals: g.cfg.Generals}
	switch m := ob.Msg.(type) {
	case *OralMessage:
		c.Commander, c.Honest = history.ProcessID(m.GetCommander()), m.GetValue()
		c.Path = toIDs(m.GetPath())
		c.Round = len(c.Path)
		a := t.strategy.Choose(c, t.rng)
		if a.Omit {
			return nil
		}
		return &OralMessage{Session: m.GetSession(), Commander: m.GetCommander(), Path: m.GetPath(), Value: a.Value}
	case *SignedMessage:
		c.Commander, c.Honest = history.ProcessID(m.GetCommander()), m.GetValue()
		for _, l := range m.GetChain() {
			c.Path = append(c.Path, history.ProcessID(l.GetSigner()))
		}
		c.Round = len(c.Path)
		a := t.strategy.Choose(c, t.rng)
		if a.Omit {
			return nil
		}
		if a.Value == m.GetValue() {
			return m
		}
		if signed, err := SignChain(m.GetSession(), a.Value, c.Path, t.coalition); err == nil {
			return signed
		}
		return &SignedMessage{Session: m.GetSession(), Commander: m.GetCommander(), Value: a.Value,
			Chain: slices.Clone(m.GetChain())}
	}
	return ob.Msg
}

func toIDs(ss []string) []history.ProcessID {
	ids := make([]history.ProcessID, len(ss))
	for i, s := range ss {
		ids[i] = history.ProcessID(s)
	}
	return ids
}
