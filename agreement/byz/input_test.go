package byz_test

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
	"google.golang.org/protobuf/proto"
)

func omConfig(n, m int, id, commander history.ProcessID) byz.Config {
	cfg := byz.DefaultConfig()
	cfg.ID, cfg.Generals, cfg.Commander, cfg.M = id, byztest.IDs(n), commander, m
	return cfg
}

func smConfig(n, m int, id, commander history.ProcessID, keys *byztest.Keys) byz.Config {
	cfg := omConfig(n, m, id, commander)
	cfg.Key, cfg.PublicKeys = keys.Private[id], keys.Public
	return cfg
}

func TestConfigValidate(t *testing.T) {
	good := omConfig(4, 1, "g1", "g0")
	if err := good.Validate(); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	bad := map[string]func(*byz.Config){
		"one general":        func(c *byz.Config) { c.Generals = c.Generals[:1]; c.ID = c.Generals[0] },
		"repeated general":   func(c *byz.Config) { c.Generals = append(c.Generals, "g0") },
		"ID not a general":   func(c *byz.Config) { c.ID = "x" },
		"commander unknown":  func(c *byz.Config) { c.Commander = "x" },
		"M negative":         func(c *byz.Config) { c.M = -1 },
		"M too large":        func(c *byz.Config) { c.M = 3 },
		"RoundTicks zero":    func(c *byz.Config) { c.RoundTicks = 0 },
		"empty value":        func(c *byz.Config) { c.Value = "" },
		"value too long":     func(c *byz.Config) { c.MaxValueLen = 3 },
		"MaxValueLen zero":   func(c *byz.Config) { c.MaxValueLen = 0 },
		"empty general name": func(c *byz.Config) { c.Generals[3] = "" },
	}
	for name, mutate := range bad {
		cfg := omConfig(4, 1, "g1", "g0")
		mutate(&cfg)
		if err := cfg.Validate(); !errors.Is(err, byz.ErrConfig) {
			t.Errorf("%s: Validate() = %v, want ErrConfig", name, err)
		}
		if _, err := byz.NewOM(cfg); !errors.Is(err, byz.ErrConfig) {
			t.Errorf("%s: NewOM = %v, want ErrConfig", name, err)
		}
	}
	if _, err := byz.NewOM(omConfig(4, 1, "g1", "")); !errors.Is(err, byz.ErrConfig) {
		t.Errorf("NewOM without commander: %v, want ErrConfig", err)
	}
	keys := byztest.NewKeys(byztest.IDs(4))
	noKey := smConfig(4, 1, "g1", "g0", keys)
	noKey.Key = nil
	wrongKey := smConfig(4, 1, "g1", "g0", keys)
	wrongKey.Key = keys.Private["g2"]
	missingPub := smConfig(4, 1, "g1", "g0", keys)
	missingPub.PublicKeys = map[history.ProcessID]ed25519.PublicKey{"g1": keys.Public["g1"]}
	for name, cfg := range map[string]byz.Config{"no key": noKey, "wrong key": wrongKey, "missing public key": missingPub} {
		if _, err := byz.NewSM(cfg); !errors.Is(err, byz.ErrConfig) {
			t.Errorf("%s: NewSM = %v, want ErrConfig", name, err)
		}
	}
}

// TestOMRejectsBadInput feeds lieutenant g1 of OM(1) among 4 generals every
// kind of bad message, then a correct run, and checks that each was
// rejected with its sentinel, counted, and changed nothing.
func TestOMRejectsBadInput(t *testing.T) {
	g, err := byz.NewOM(omConfig(4, 1, "g1", "g0"))
	if err != nil {
		t.Fatal(err)
	}
	om := func(path []string, v string) *byz.OralMessage {
		return &byz.OralMessage{Commander: "g0", Path: path, Value: v}
	}
	cases := []struct {
		name string
		from history.ProcessID
		msg  proto.Message
		want error
	}{
		{"wrong type", "g0", &wire.Probe{}, byz.ErrUnexpectedMessage},
		{"signed message to OM", "g0", &byz.SignedMessage{Commander: "g0"}, byz.ErrUnexpectedMessage},
		{"sender not a general", "x", om([]string{"g0"}, byz.Attack), byz.ErrNotMember},
		{"other session", "g0", &byz.OralMessage{Session: "s2", Commander: "g0", Path: []string{"g0"}, Value: byz.Attack}, byz.ErrWrongSession},
		{"unknown instance", "g2", &byz.OralMessage{Commander: "g2", Path: []string{"g2"}, Value: byz.Attack}, byz.ErrUnknownInstance},
		{"empty path", "g0", om(nil, byz.Attack), byz.ErrBadPath},
		{"path too long", "g3", om([]string{"g0", "g2", "g3"}, byz.Attack), byz.ErrBadPath},
		{"path not from commander", "g2", om([]string{"g3", "g2"}, byz.Attack), byz.ErrBadPath},
		{"path repeats", "g0", om([]string{"g0", "g0"}, byz.Attack), byz.ErrBadPath},
		{"path names receiver", "g1", om([]string{"g0", "g1"}, byz.Attack), byz.ErrBadPath},
		{"path names stranger", "g0", om([]string{"g0", "x"}, byz.Attack), byz.ErrNotMember},
		{"spoofed commander", "g2", om([]string{"g0"}, byz.Retreat), byz.ErrSenderMismatch},
		{"spoofed relay", "g3", om([]string{"g0", "g2"}, byz.Retreat), byz.ErrSenderMismatch},
		{"empty value", "g0", om([]string{"g0"}, ""), byz.ErrBadValue},
		{"value too long", "g0", om([]string{"g0"}, string(make([]byte, 300))), byz.ErrBadValue},
	}
	for _, c := range cases {
		if err := g.Step(c.from, c.msg); !errors.Is(err, c.want) {
			t.Errorf("%s: Step = %v, want %v", c.name, err, c.want)
		}
	}
	if g.HasReady() || g.Rounds() != 0 {
		t.Fatalf("rejected messages changed the state: ready=%v rounds=%d", g.HasReady(), g.Rounds())
	}
	// A correct run still works: commander says ATTACK, g2 and g3 agree.
	mustStep(t, g, "g0", om([]string{"g0"}, byz.Attack))
	if err := g.Step("g0", om([]string{"g0"}, byz.Retreat)); !errors.Is(err, byz.ErrLate) {
		// round 1 closed as soon as its only message arrived
		t.Errorf("second commander message: %v, want ErrLate", err)
	}
	mustStep(t, g, "g2", om([]string{"g0", "g2"}, byz.Attack))
	if err := g.Step("g2", om([]string{"g0", "g2"}, byz.Retreat)); !errors.Is(err, byz.ErrDuplicate) {
		t.Errorf("duplicate relay: %v, want ErrDuplicate", err)
	}
	mustStep(t, g, "g3", om([]string{"g0", "g3"}, byz.Attack))
	if v, ok := g.Decision("g0"); !ok || v != byz.Attack {
		t.Fatalf("decision = %q, %v; want ATTACK", v, ok)
	}
	if err := g.Step("g3", om([]string{"g0", "g3"}, byz.Attack)); !errors.Is(err, byz.ErrLate) {
		t.Errorf("message after decision: %v, want ErrLate", err)
	}
	st := g.Stats()
	if st.Accepted != 3 || st.RejectedTotal() != len(cases)+3 || st.Rejected[byz.ErrSenderMismatch] != 2 {
		t.Fatalf("stats = %+v, want 3 accepted, %d rejected, 2 sender mismatches", st, len(cases)+3)
	}
}

func mustStep(t *testing.T, g stepper, from history.ProcessID, msg proto.Message) {
	t.Helper()
	if err := g.Step(from, msg); err != nil {
		t.Fatalf("Step(%s, %v) = %v", from, msg, err)
	}
}

type stepper interface {
	Step(history.ProcessID, proto.Message) error
}

// TestOMRoundsCloseByTicks: with a silent commander, lieutenants close
// each round after RoundTicks ticks and decide RETREAT after m+1 rounds.
func TestOMRoundsCloseByTicks(t *testing.T) {
	cfg := omConfig(4, 1, "g1", "g0")
	cfg.RoundTicks = 3
	g, err := byz.NewOM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		g.Tick()
	}
	if g.Rounds() != 0 || g.HasReady() {
		t.Fatalf("round closed before RoundTicks ticks")
	}
	g.Tick()
	if g.Rounds() != 1 {
		t.Fatalf("rounds = %d after 3 ticks, want 1", g.Rounds())
	}
	// Round 1 closed with the commander's value missing: g1 relays RETREAT.
	rd := g.Ready()
	if len(rd.Messages) != 2 {
		t.Fatalf("relays = %d, want 2", len(rd.Messages))
	}
	for _, ob := range rd.Messages {
		if m := ob.Msg.(*byz.OralMessage); m.GetValue() != byz.Retreat || len(m.GetPath()) != 2 {
			t.Fatalf("relay %v, want RETREAT on path g0/g1", m)
		}
	}
	g.Advance(rd)
	for range 3 {
		g.Tick()
	}
	if g.Now() != cfg.DecisionTicks() {
		t.Fatalf("now = %d, DecisionTicks = %d", g.Now(), cfg.DecisionTicks())
	}
	if v, ok := g.Decision("g0"); !ok || v != byz.Retreat || g.Rounds() != 2 {
		t.Fatalf("after 6 ticks: decision %q %v rounds %d, want RETREAT after 2 rounds", v, ok, g.Rounds())
	}
	rd = g.Ready()
	if len(rd.Events) != 1 || rd.Events[0].Kind != history.Decide || rd.Events[0].Peer != "g0" || rd.Events[0].Process != "g1" {
		t.Fatalf("events = %v, want one Decide by g1 for g0", rd.Events)
	}
}

// TestSMRejectsForgeries: every way of faking a chain is rejected with its
// sentinel and counted, and the lieutenant still decides the commander's
// true value.
func TestSMRejectsForgeries(t *testing.T) {
	const n, m = 5, 2
	ids := byztest.IDs(n)
	keys := byztest.NewKeys(ids)
	g, err := byz.NewSM(smConfig(n, m, "g1", "g0", keys))
	if err != nil {
		t.Fatal(err)
	}
	sign := func(value string, signers ...history.ProcessID) *byz.SignedMessage {
		msg, err := byz.SignChain("", value, signers, keys.Private)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	// g2 pretends to be the commander, signing with its own key.
	impostor, err := byz.SignChain("", byz.Retreat, []history.ProcessID{"g0"},
		map[history.ProcessID]ed25519.PrivateKey{"g0": keys.Private["g2"]})
	if err != nil {
		t.Fatal(err)
	}
	altered := sign(byz.Attack, "g0", "g2")
	altered.Value = byz.Retreat
	truncatedSig := sign(byz.Retreat, "g0")
	truncatedSig.Chain[0].Sig = truncatedSig.Chain[0].Sig[:10]
	otherSession, err := byz.SignChain("old", byz.Retreat, []history.ProcessID{"g0"}, keys.Private)
	if err != nil {
		t.Fatal(err)
	}
	replayed := proto.Clone(otherSession).(*byz.SignedMessage)
	replayed.Session = ""
	swapped := sign(byz.Retreat, "g0", "g2", "g3")
	swapped.Chain[1], swapped.Chain[2] = swapped.Chain[2], swapped.Chain[1]
	stranger := sign(byz.Retreat, "g0")
	stranger.Chain = append(stranger.Chain, &byz.Signature{Signer: "x", Sig: make([]byte, ed25519.SignatureSize)})

	cases := []struct {
		name string
		msg  *byz.SignedMessage
		want error
	}{
		{"impostor commander", impostor, byz.ErrForged},
		{"value altered after signing", altered, byz.ErrForged},
		{"links reordered", swapped, byz.ErrForged},
		{"signature from another session", replayed, byz.ErrForged},
		{"other session", otherSession, byz.ErrWrongSession},
		{"truncated signature", truncatedSig, byz.ErrBadChain},
		{"empty chain", &byz.SignedMessage{Commander: "g0", Value: byz.Retreat}, byz.ErrBadChain},
		{"chain too long", sign(byz.Retreat, "g0", "g2", "g3", "g4"), byz.ErrBadChain},
		{"chain not from commander", &byz.SignedMessage{Commander: "g0", Value: byz.Retreat,
			Chain: sign(byz.Retreat, "g2").Chain}, byz.ErrBadChain},
		{"chain holds receiver", sign(byz.Retreat, "g0", "g1"), byz.ErrBadChain},
		{"duplicated signer", sign(byz.Retreat, "g0", "g2", "g2"), byz.ErrDuplicateSigner},
		{"commander signs twice", sign(byz.Retreat, "g0", "g0"), byz.ErrDuplicateSigner},
		{"unknown signer", stranger, byz.ErrUnknownSigner},
		{"empty value", sign("", "g0"), byz.ErrBadValue},
	}
	for _, c := range cases {
		if err := g.Step("g2", c.msg); !errors.Is(err, c.want) {
			t.Errorf("%s: Step = %v, want %v", c.name, err, c.want)
		}
	}
	if g.HasReady() {
		t.Fatalf("a rejected message produced output: %v", g.Ready())
	}
	// The true order arrives, relayed through g3 (SM trusts signatures,
	// not the transport's sender).
	mustStep(t, g, "g3", sign(byz.Attack, "g0", "g3"))
	rd := g.Ready()
	if len(rd.Messages) != 2 {
		t.Fatalf("relays = %d, want 2 (to g2 and g4)", len(rd.Messages))
	}
	relay := rd.Messages[0].Msg.(*byz.SignedMessage)
	if len(relay.GetChain()) != 3 || relay.GetChain()[2].GetSigner() != "g1" {
		t.Fatalf("relay chain %v, want g0:g3:g1", relay.GetChain())
	}
	g.Advance(rd)
	// The same value again is accepted and not relayed again.
	mustStep(t, g, "g0", sign(byz.Attack, "g0"))
	if g.HasReady() {
		t.Fatalf("a known value was relayed again")
	}
	for range 3 * byz.DefaultConfig().RoundTicks {
		g.Tick()
	}
	if v, ok := g.Decision("g0"); !ok || v != byz.Attack {
		t.Fatalf("decision %q %v, want ATTACK", v, ok)
	}
	if vec := g.Vector(); len(vec) != n || vec[0] != byz.Attack || vec[1] != "" {
		t.Fatalf("Vector() = %q, want ATTACK for g0 and nothing else", vec)
	}
	if err := g.Step("g0", sign(byz.Attack, "g0")); !errors.Is(err, byz.ErrLate) {
		t.Fatalf("after the last round: %v, want ErrLate", err)
	}
	st := g.Stats()
	if st.Rejected[byz.ErrForged] != 4 || st.RejectedTotal() != len(cases)+1 || st.Accepted != 2 {
		t.Fatalf("stats %+v, want 4 forged, %d rejected, 2 accepted", st, len(cases)+1)
	}
}

// TestSMForgeriesInARun: a traitor lieutenant that is not in the
// commander's coalition can only forge; loyal generals reject its lies
// and count them, and agreement holds.
func TestSMForgeriesInARun(t *testing.T) {
	s := byztest.Setup{Algorithm: byz.SignedMessages, N: 4, M: 1, Values: []string{byz.Attack},
		Traitors: map[int]byz.Traitor{2: byz.AlwaysLie{}}}
	v, err := judge(s)
	if err != nil || len(v.problems()) > 0 {
		t.Fatalf("%s: %v %v", describe(s), err, v.problems())
	}
	if got := v.res.Rejected[byz.ErrForged]; got != 2 {
		t.Fatalf("loyal generals rejected %d forgeries, want 2 (g2's relays): %v", got, v.res.Rejected)
	}
	for id, d := range v.res.Decisions {
		if d["g0"] != byz.Attack {
			t.Fatalf("%s decided %q", id, d["g0"])
		}
	}
}

// TestSMColludingCommander: a traitor commander and a traitor lieutenant
// sharing keys can sign any value; with m=2 the loyal generals still agree.
func TestSMColludingCommander(t *testing.T) {
	ids := byztest.IDs(4)
	for seed := range uint64(50) {
		col := byz.NewColluding(ids, newRand(seed))
		s := byztest.Setup{Algorithm: byz.SignedMessages, N: 4, M: 2, Seed: seed,
			Traitors: map[int]byz.Traitor{0: col, 1: byz.Random{OmitPercent: 30}}}
		check(t, s, "")
	}
}
