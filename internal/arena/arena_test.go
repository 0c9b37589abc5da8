package arena_test

import (
	"bytes"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/arena"
	"google.golang.org/protobuf/proto"
)

// What the arena hands out never changes, across buffers, and a large
// message gets a buffer of its own.
func TestCutsNeverChange(t *testing.T) {
	a := arena.Arena{Size: 256}
	var cuts, want [][]byte
	for i := range 200 {
		m := &wire.Probe{N: uint64(i), Body: bytes.Repeat([]byte{byte(i)}, i%50)}
		if i == 100 {
			m.Body = make([]byte, 1000)
		}
		b, err := a.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		w, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		cuts, want = append(cuts, b), append(want, w)
		if len(b) != cap(b) {
			t.Fatalf("cut %d has spare capacity: an append to it would reach the arena", i)
		}
	}
	for i := range cuts {
		if !bytes.Equal(cuts[i], want[i]) {
			t.Fatalf("cut %d changed: %x, want %x", i, cuts[i], want[i])
		}
	}
}

// A message that cannot be marshalled fails and leaves the arena usable.
func TestMarshalErrorLeavesNothing(t *testing.T) {
	a := arena.Arena{Size: 64}
	if _, err := a.Marshal(&wire.Probe{From: "\xff"}); err == nil {
		t.Fatal("marshalled invalid UTF-8")
	}
	b, err := a.Marshal(&wire.Probe{N: 7})
	if err != nil {
		t.Fatal(err)
	}
	var p wire.Probe
	if err := proto.Unmarshal(b, &p); err != nil || p.N != 7 {
		t.Fatalf("after a failed marshal got %v (%v)", &p, err)
	}
}

// Cutting allocates once per buffer, not per message.
func TestAllocatesPerBuffer(t *testing.T) {
	a := arena.Arena{Size: 64 << 10}
	m := &wire.Probe{N: 1, Body: make([]byte, 100)}
	if allocs := testing.AllocsPerRun(1000, func() { _, _ = a.Marshal(m) }); allocs > 0.05 {
		t.Fatalf("%.2f allocations per marshal, want about one per 64 KiB", allocs)
	}
}
