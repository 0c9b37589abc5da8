package byz_test

import (
	"testing"

	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

func TestSmoke(t *testing.T) {
	for _, alg := range []byz.Algorithm{byz.OralMessages, byz.SignedMessages} {
		res, err := byztest.Run(byztest.Setup{Algorithm: alg, N: 7, M: 2, Values: []string{byz.Attack}, Traitors: map[int]byz.Traitor{1: byz.AlwaysLie{}, 3: byz.TwoFaced{}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v rounds=%d waves=%d ticks=%d sent=%d per=%v loyal=%v dec=%v rej=%v", alg, res.Rounds, res.Waves, res.Ticks, res.Sent, res.SentPerRound, res.LoyalSentPerRound, res.Decisions, res.Rejected)
	}
}
