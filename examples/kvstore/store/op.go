package store

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind is what an operation does.
type Kind uint8

// The operations of the store.
const (
	// Get reads a key.
	Get Kind = iota + 1
	// Put writes a key.
	Put
	// Delete removes a key.
	Delete
	// CAS writes Value if the key currently holds Expect (a missing key
	// matches only when ExpectMissing is set).
	CAS
)

var kindNames = map[Kind]string{Get: "get", Put: "put", Delete: "delete", CAS: "cas"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is one of the four operations.
func (k Kind) Valid() bool { _, ok := kindNames[k]; return ok }

// Op is one operation on the store.
type Op struct {
	Kind          Kind
	Key           string
	Value         string // Put, CAS: the new value
	Expect        string // CAS: the value the key must hold
	ExpectMissing bool   // CAS: the key must be absent instead
}

// Result is what an operation returned.
type Result struct {
	// Value is the key's value before the operation (Get: the value read).
	Value string
	// Found says whether the key existed before the operation.
	Found bool
	// OK is false only for a CAS whose expectation failed.
	OK bool
}

// ErrBadOp is wrapped by the errors about malformed operations or encodings.
var ErrBadOp = errors.New("store: malformed operation")

// Validate reports whether op can be applied.
func (op Op) Validate() error {
	if !op.Kind.Valid() {
		return fmt.Errorf("%w: %v", ErrBadOp, op.Kind)
	}
	if op.Key == "" {
		return fmt.Errorf("%w: empty key", ErrBadOp)
	}
	return nil
}

// Marshal encodes op compactly (kind, flags, then length-prefixed strings).
func (op Op) Marshal() []byte {
	b := []byte{byte(op.Kind), 0}
	if op.ExpectMissing {
		b[1] = 1
	}
	for _, s := range []string{op.Key, op.Value, op.Expect} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// UnmarshalOp decodes what Marshal produced, refusing anything else.
func UnmarshalOp(b []byte) (Op, error) {
	if len(b) < 2 || b[1] > 1 {
		return Op{}, fmt.Errorf("%w: short or bad header", ErrBadOp)
	}
	op := Op{Kind: Kind(b[0]), ExpectMissing: b[1] == 1}
	b = b[2:]
	var fields [3]string
	for i := range fields {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return Op{}, fmt.Errorf("%w: bad length of field %d", ErrBadOp, i)
		}
		fields[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	if len(b) != 0 {
		return Op{}, fmt.Errorf("%w: %d trailing bytes", ErrBadOp, len(b))
	}
	op.Key, op.Value, op.Expect = fields[0], fields[1], fields[2]
	return op, op.Validate()
}
