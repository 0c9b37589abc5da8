package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
)

// Store is the state of one replica. It is not safe for concurrent use: a
// replica actor owns it.
type Store struct {
	data    map[string]string
	applied uint64
}

// New returns an empty store.
func New() *Store { return &Store{data: make(map[string]string)} }

// Applied is the number of operations applied since the group began
// (snapshots carry it, so a joiner continues the count).
func (s *Store) Applied() uint64 { return s.applied }

// Len is the number of keys.
func (s *Store) Len() int { return len(s.data) }

// Apply performs op and returns its result. An invalid op changes nothing
// and returns an error wrapping ErrBadOp; it is not counted as applied.
func (s *Store) Apply(op Op) (Result, error) {
	if err := op.Validate(); err != nil {
		return Result{}, err
	}
	s.applied++
	old, found := s.data[op.Key]
	r := Result{Value: old, Found: found, OK: true}
	switch op.Kind {
	case Put:
		s.data[op.Key] = op.Value
	case Delete:
		delete(s.data, op.Key)
	case CAS:
		if op.ExpectMissing && !found || !op.ExpectMissing && found && old == op.Expect {
			s.data[op.Key] = op.Value
		} else {
			r.OK = false
		}
	}
	return r, nil
}

// Get reads a key without applying anything (for inspection only: a
// linearizable read goes through Apply in the group's order).
func (s *Store) Get(key string) (string, bool) {
	v, ok := s.data[key]
	return v, ok
}

func (s *Store) sortedKeys() []string {
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Snapshot serialises the state deterministically: the applied count, then
// the pairs in key order.
func (s *Store) Snapshot() []byte {
	b := binary.AppendUvarint(nil, s.applied)
	b = binary.AppendUvarint(b, uint64(len(s.data)))
	for _, k := range s.sortedKeys() {
		v := s.data[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

// Restore replaces the state with a snapshot. On error the state is unchanged.
func (s *Store) Restore(b []byte) error {
	applied, k := binary.Uvarint(b)
	if k <= 0 {
		return fmt.Errorf("%w: snapshot header", ErrBadOp)
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return fmt.Errorf("%w: snapshot size", ErrBadOp)
	}
	b = b[k:]
	data := make(map[string]string, n)
	for i := uint64(0); i < n; i++ {
		var pair [2]string
		for j := range pair {
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return fmt.Errorf("%w: snapshot entry %d", ErrBadOp, i)
			}
			pair[j] = string(b[k : k+int(l)])
			b = b[k+int(l):]
		}
		data[pair[0]] = pair[1]
	}
	if len(b) != 0 {
		return fmt.Errorf("%w: %d trailing snapshot bytes", ErrBadOp, len(b))
	}
	s.data, s.applied = data, applied
	return nil
}

// Checksum is a 64-bit FNV-1a digest of the snapshot: equal states have
// equal checksums, and different ones almost surely differ.
func (s *Store) Checksum() uint64 {
	h := fnv.New64a()
	h.Write(s.Snapshot())
	return h.Sum64()
}
