package store

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestApplySemantics(t *testing.T) {
	s := New()
	steps := []struct {
		op   Op
		want Result
	}{
		{Op{Kind: Get, Key: "a"}, Result{OK: true}},
		{Op{Kind: Put, Key: "a", Value: "1"}, Result{OK: true}},
		{Op{Kind: Get, Key: "a"}, Result{Value: "1", Found: true, OK: true}},
		{Op{Kind: CAS, Key: "a", Expect: "2", Value: "3"}, Result{Value: "1", Found: true, OK: false}},
		{Op{Kind: CAS, Key: "a", Expect: "1", Value: "3"}, Result{Value: "1", Found: true, OK: true}},
		{Op{Kind: CAS, Key: "b", ExpectMissing: true, Value: "x"}, Result{OK: true}},
		{Op{Kind: CAS, Key: "b", ExpectMissing: true, Value: "y"}, Result{Value: "x", Found: true, OK: false}},
		{Op{Kind: Delete, Key: "a"}, Result{Value: "3", Found: true, OK: true}},
		{Op{Kind: Get, Key: "a"}, Result{OK: true}},
	}
	for i, st := range steps {
		got, err := s.Apply(st.op)
		if err != nil || got != st.want {
			t.Fatalf("step %d %+v: got %+v, %v; want %+v", i, st.op, got, err, st.want)
		}
	}
	if s.Applied() != uint64(len(steps)) || s.Len() != 1 {
		t.Fatalf("applied %d, len %d", s.Applied(), s.Len())
	}
}

func TestBadOpRefused(t *testing.T) {
	s := New()
	for _, op := range []Op{{Kind: 0, Key: "a"}, {Kind: 9, Key: "a"}, {Kind: Put}} {
		if _, err := s.Apply(op); !errors.Is(err, ErrBadOp) {
			t.Errorf("%+v: %v, want ErrBadOp", op, err)
		}
	}
	if s.Applied() != 0 {
		t.Fatal("a refused op was counted")
	}
}

func randomOp(r *rand.Rand) Op {
	op := Op{Kind: Kind(1 + r.IntN(4)), Key: string(rune('a' + r.IntN(6)))}
	op.Value = string(rune('0' + r.IntN(10)))
	op.Expect = string(rune('0' + r.IntN(10)))
	op.ExpectMissing = r.IntN(4) == 0
	return op
}

func TestOpEncodingRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		op := randomOp(r)
		got, err := UnmarshalOp(op.Marshal())
		if err != nil || got != op {
			t.Fatalf("%+v -> %+v, %v", op, got, err)
		}
	}
	for _, b := range [][]byte{nil, {1}, {1, 2, 0}, {1, 0, 5, 'a'}, append(Op{Kind: Put, Key: "k"}.Marshal(), 0)} {
		if _, err := UnmarshalOp(b); !errors.Is(err, ErrBadOp) {
			t.Errorf("%v: %v, want ErrBadOp", b, err)
		}
	}
}

// Replicas applying the same sequence agree; a replica restored from a
// snapshot midway continues identically.
func TestSnapshotRestoreAndChecksum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, b := New(), New()
	ops := make([]Op, 500)
	for i := range ops {
		ops[i] = randomOp(r)
	}
	var c *Store
	for i, op := range ops {
		ra, _ := a.Apply(op)
		rb, _ := b.Apply(op)
		if ra != rb {
			t.Fatalf("op %d: results differ", i)
		}
		if c != nil {
			if rc, _ := c.Apply(op); rc != ra {
				t.Fatalf("op %d: restored replica differs", i)
			}
		}
		if i == 250 {
			c = New()
			if err := c.Restore(a.Snapshot()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a.Checksum() != b.Checksum() || a.Checksum() != c.Checksum() || c.Applied() != a.Applied() {
		t.Fatalf("checksums %x %x %x", a.Checksum(), b.Checksum(), c.Checksum())
	}
	_, _ = b.Apply(Op{Kind: Put, Key: "zz", Value: "new"})
	if a.Checksum() == b.Checksum() {
		t.Fatal("checksum did not change with the state")
	}
	before := c.Checksum()
	if err := c.Restore([]byte{1, 5, 1}); !errors.Is(err, ErrBadOp) || c.Checksum() != before {
		t.Fatalf("bad snapshot: %v, state changed: %v", err, c.Checksum() != before)
	}
}
