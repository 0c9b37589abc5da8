package slab_test

import (
	"testing"

	"github.com/lockstep-actors/lockstep/internal/slab"
)

// Cuts never overlap, stay as written, cannot grow into each other, and
// cost one allocation per Size values.
func TestCutsAreDistinctAndCheap(t *testing.T) {
	s := slab.Slab[uint64]{Size: 64}
	var cuts [][]uint64
	for i := range 100 {
		n := 1 + i%5
		c := s.Cut(n)
		if len(c) != n || cap(c) != n {
			t.Fatalf("cut %d: len %d cap %d, want %d and %d", i, len(c), cap(c), n, n)
		}
		for k := range c {
			if c[k] != 0 {
				t.Fatalf("cut %d is not zero: %v", i, c)
			}
			c[k] = uint64(i)
		}
		cuts = append(cuts, c)
	}
	for i, c := range cuts {
		for _, v := range c {
			if v != uint64(i) {
				t.Fatalf("cut %d changed to %v: cuts overlap", i, c)
			}
		}
	}
	big := s.Cut(1000) // larger than Size: an allocation of its own
	if len(big) != 1000 {
		t.Fatalf("big cut of %d", len(big))
	}
	p := slab.Slab[struct{ a, b int }]{Size: 128}
	if a := testing.AllocsPerRun(1280, func() { _ = p.New() }); a > 0.02 {
		t.Fatalf("%.3f allocations per value, want one per 128", a)
	}
	var zero slab.Slab[int] // Size unset: one value per allocation, still correct
	if x, y := zero.New(), zero.New(); x == y {
		t.Fatal("two New calls returned the same value")
	}
}
