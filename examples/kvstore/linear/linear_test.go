package linear

import (
	"testing"
	"time"

	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
)

func put(c int, k, v string, call, ret int64) replica.Record {
	return replica.Record{Client: c, Op: store.Op{Kind: store.Put, Key: k, Value: v}, Call: call, Return: ret, Result: store.Result{OK: true}}
}

func get(c int, k, v string, found bool, call, ret int64) replica.Record {
	return replica.Record{Client: c, Op: store.Op{Kind: store.Get, Key: k}, Call: call, Return: ret,
		Result: store.Result{Value: v, Found: found, OK: true}}
}

// The checker has teeth: a stale read after a completed write is caught,
// a concurrent one is not, and an open-ended write may take effect late.
func TestCheckerVerdicts(t *testing.T) {
	w := put(0, "a", "1", 0, 10)
	stale := get(1, "a", "", false, 20, 30)
	if err := Check([]replica.Record{w, stale}, time.Second); err == nil {
		t.Fatal("a read missing a completed write passed")
	}
	concurrent := get(1, "a", "", false, 5, 30)
	if err := Check([]replica.Record{w, concurrent}, time.Second); err != nil {
		t.Fatalf("a concurrent read failed: %v", err)
	}
	open := put(0, "a", "2", 40, 0)
	open.Outcome = replica.Unknown
	late := get(1, "a", "2", true, 1000, 1010)
	before := get(2, "a", "1", true, 900, 910)
	if err := Check([]replica.Record{w, open, before, late}, time.Second); err != nil {
		t.Fatalf("an open-ended write taking effect late failed: %v", err)
	}
	refused := put(0, "a", "3", 50, 60)
	refused.Outcome = replica.Refused
	seen := get(1, "a", "3", true, 70, 80)
	if err := Check([]replica.Record{w, refused, seen}, time.Second); err == nil {
		t.Fatal("a read of a refused write passed")
	}
}
