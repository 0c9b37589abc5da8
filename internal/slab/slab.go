// Package slab hands out values cut from shared allocations: one
// allocation per many values, for messages and records a hot path makes by
// the thousand. Values are never reused, so whoever receives one may keep
// it; an allocation lives while any value cut from it does (Go's collector
// frees it with the last), which bounds what a slab can retain to the
// values still referenced plus one allocation.
//
// A Slab is not safe for concurrent use: each owner (a pure core, an
// actor's driver) keeps its own.
package slab

// Slab cuts values of type T from allocations of Size values each.
type Slab[T any] struct {
	// Size is how many values one allocation holds (at least one).
	Size int
	free []T
}

// New returns a pointer to one zero value.
func (s *Slab[T]) New() *T { return &s.Cut(1)[0] }

// Cut returns n zero values in a slice whose capacity is n, so that an
// append to it never writes into the next cut.
func (s *Slab[T]) Cut(n int) []T {
	if len(s.free) < n {
		s.free = make([]T, max(s.Size, n, 1))
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}
