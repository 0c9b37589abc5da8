package byz_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// FuzzOMStep: no input makes an OM general panic, and whatever it rejects
// wraps a sentinel and leaves no output behind.
func FuzzOMStep(f *testing.F) {
	f.Add("g0", "g0", "g0", "ATTACK")
	f.Add("g2", "g0", "g0/g2", "RETREAT")
	f.Add("g3", "g0", "g0/g3/g2", "x")
	f.Add("g0", "g1", "g1", "")
	f.Add("zz", "g0", "g0//g0", "ATTACK")
	f.Fuzz(func(t *testing.T, from, commander, path, value string) {
		g, err := byz.NewOM(omConfig(5, 2, "g1", "g0"))
		if err != nil {
			t.Fatal(err)
		}
		msg := &byz.OralMessage{Commander: commander, Path: strings.Split(path, "/"), Value: value}
		if err := g.Step(history.ProcessID(from), msg); err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if g.HasReady() || g.Stats().Accepted != 0 {
				t.Fatalf("rejected message left state behind")
			}
		}
	})
}

// FuzzSMStep: likewise for SM, with arbitrary chains and signatures.
func FuzzSMStep(f *testing.F) {
	keys := byztest.NewKeys(byztest.IDs(5))
	valid, err := byz.SignChain("", byz.Attack, []history.ProcessID{"g0", "g2"}, keys.Private)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("g2", "g0", "ATTACK", "g0/g2", valid.Chain[0].Sig, valid.Chain[1].Sig)
	f.Add("g2", "g0", "RETREAT", "g0/g2", valid.Chain[0].Sig, valid.Chain[1].Sig)
	f.Add("g2", "g0", "ATTACK", "g0/g0", valid.Chain[0].Sig, []byte{1})
	f.Add("x", "g0", "", "", []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, from, commander, value, signers string, sig0, sig1 []byte) {
		g, err := byz.NewSM(smConfig(5, 2, "g1", "g0", keys))
		if err != nil {
			t.Fatal(err)
		}
		msg := &byz.SignedMessage{Commander: commander, Value: value}
		for i, s := range strings.Split(signers, "/") {
			sig := sig0
			if i > 0 {
				sig = sig1
			}
			msg.Chain = append(msg.Chain, &byz.Signature{Signer: s, Sig: sig})
		}
		if err := g.Step(history.ProcessID(from), msg); err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if g.HasReady() || g.Stats().Accepted != 0 {
				t.Fatalf("rejected message left state behind")
			}
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range []error{byz.ErrUnexpectedMessage, byz.ErrWrongSession, byz.ErrUnknownInstance,
		byz.ErrNotMember, byz.ErrBadPath, byz.ErrSenderMismatch, byz.ErrLate, byz.ErrDuplicate,
		byz.ErrBadValue, byz.ErrBadChain, byz.ErrDuplicateSigner, byz.ErrUnknownSigner, byz.ErrForged} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
