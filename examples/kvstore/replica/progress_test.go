package replica

import (
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
)

func TestProgressDurableNeedsMajorityOfSamePrefix(t *testing.T) {
	members := []history.ProcessID{"a", "b", "c", "d", "e"}
	mine, theirs, other := newProgress(3, members), newProgress(3, members), newProgress(3, members)
	m := func(s uint64) history.MsgID { return history.MsgID{Sender: "a", View: 3, Seq: s} }
	for s := uint64(1); s <= 4; s++ {
		mine.deliver(m(s))
		theirs.deliver(m(s))
	}
	other.deliver(m(9)) // a different first delivery: a replica that diverged
	other.deliver(m(10))
	if mine.durable("a", 2) {
		t.Fatal("durable with only this replica's own delivery")
	}
	mine.hear("b", notice{2, theirs.chain[2]})
	mine.hear("c", notice{2, other.chain[2]})
	if mine.durable("a", 2) {
		t.Fatal("a notice of a different prefix counted")
	}
	mine.hear("d", notice{3, theirs.chain[3]})
	if !mine.durable("a", 2) || mine.durable("a", 3) {
		t.Fatal("a, b and d applied the first two deliveries; only a and d the third")
	}
	// A notice from beyond this replica's own count waits until it catches up.
	theirs.deliver(m(5))
	mine.hear("e", notice{5, theirs.chain[5]})
	if mine.durable("a", 3) && mine.matched["e"] != 0 {
		t.Fatal("a notice from ahead was counted before it could be verified")
	}
	mine.deliver(m(5))
	if !mine.durable("a", 3) || mine.matched["e"] != 5 {
		t.Fatalf("the waiting notice was not verified on catching up: matched %v", mine.matched)
	}
}
