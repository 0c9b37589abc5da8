package byz

import (
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// smInstance is one SM(m) instance as seen by one general: the set V_i of
// values received with a valid signature chain, relayed on first receipt.
type smInstance struct {
	g     *General
	c     int
	m     int
	round int // first open round; m+2 once decided
	seen  []string
	// verified remembers links already checked (keyed by signature and
	// signed bytes), since every relay repeats the links before it.
	verified map[string]struct{}

	value   string
	decided bool
}

func newSMInstance(g *General, c int) *smInstance {
	in := &smInstance{g: g, c: c, m: g.cfg.M, round: 1}
	if c == g.self {
		in.round, in.decided, in.value = in.m+2, true, g.cfg.Value
		id := string(g.cfg.ID)
		g.emit(history.Propose, c, in.value)
		chain := signLink(g.cfg.Key, g.cfg.Session, id, in.value, id, nil)
		g.send(&SignedMessage{Session: g.cfg.Session, Commander: id, Value: in.value, Chain: chain}, g.othersThan(nil))
		if g.interactive {
			g.emit(history.Decide, c, in.value)
		}
	}
	return in
}

func (in *smInstance) accept(_ int, msg proto.Message) error {
	// The transport sender is not checked: the chain's signatures say who
	// spoke, and relaying a valid chain on someone else's behalf helps no
	// traitor (see doc.go).
	g := in.g
	sm := msg.(*SignedMessage)
	chain := sm.GetChain()
	l := len(chain)
	if l == 0 || l > in.m+1 {
		return fmt.Errorf("%w: %d links, want 1..%d", ErrBadChain, l, in.m+1)
	}
	if err := g.checkValue(sm.GetValue()); err != nil {
		return err
	}
	var buf [MaxGenerals]byte
	signers := buf[:l]
	for k, link := range chain {
		j, ok := g.index[history.ProcessID(link.GetSigner())]
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownSigner, link.GetSigner())
		}
		if j == g.self {
			return fmt.Errorf("%w: chain holds the receiver's own signature", ErrBadChain)
		}
		if slices.Contains(signers[:k], byte(j)) {
			return fmt.Errorf("%w: %q", ErrDuplicateSigner, link.GetSigner())
		}
		if len(link.GetSig()) != ed25519.SignatureSize {
			return fmt.Errorf("%w: link %d signature is %d bytes", ErrBadChain, k, len(link.GetSig()))
		}
		signers[k] = byte(j)
	}
	if int(signers[0]) != in.c {
		return fmt.Errorf("%w: first signer %q is not the commander", ErrBadChain, chain[0].GetSigner())
	}
	if l < in.round {
		return fmt.Errorf("%w: %d-link chain, round %d open", ErrLate, l, in.round)
	}
	for k, link := range chain {
		data := signedBytes(sm.GetSession(), sm.GetCommander(), sm.GetValue(), link.GetSigner(), chain[:k])
		if err := in.verify(k, link, data); err != nil {
			return err
		}
	}
	v := sm.GetValue()
	if slices.Contains(in.seen, v) || len(in.seen) >= 2 {
		// Known value, or a third one: choice(V) is RETREAT from the
		// second value on, and every loyal general has been sent two.
		return nil
	}
	in.seen = append(in.seen, v)
	if l <= in.m {
		id := string(g.cfg.ID)
		relay := &SignedMessage{Session: g.cfg.Session, Commander: sm.GetCommander(), Value: v,
			Chain: signLink(g.cfg.Key, g.cfg.Session, sm.GetCommander(), v, id, chain)}
		g.send(relay, g.othersThan(signers))
	}
	return nil
}

// maxVerified bounds the cache of verified links: beyond it links are
// checked every time, so a traitor signing many values costs CPU, not memory.
const maxVerified = 4096

func (in *smInstance) verify(k int, link *Signature, data []byte) error {
	key := string(link.GetSig()) + string(data)
	if _, ok := in.verified[key]; ok {
		return nil
	}
	pub := in.g.cfg.PublicKeys[history.ProcessID(link.GetSigner())]
	if !ed25519.Verify(pub, data, link.GetSig()) {
		return fmt.Errorf("%w: link %d by %q", ErrForged, k, link.GetSigner())
	}
	if in.verified == nil {
		in.verified = make(map[string]struct{})
	}
	if len(in.verified) < maxVerified {
		in.verified[key] = struct{}{}
	}
	return nil
}

// advance closes rounds by the clock only: in SM(m) the number of messages
// of a round depends on the traitors, so no count says a round is complete.
func (in *smInstance) advance(now int) {
	for in.round <= in.m+1 && now >= in.round*in.g.cfg.RoundTicks {
		in.round++
		if in.round == in.m+2 {
			in.value, in.decided = choice(in.seen), true
			in.g.emit(history.Decide, in.c, in.value)
		}
	}
}

func (in *smInstance) decision() (string, bool) { return in.value, in.decided }

func (in *smInstance) closed() int {
	if in.c == in.g.self {
		return 0
	}
	return in.round - 1
}
