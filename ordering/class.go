package ordering

import "fmt"

// Class is one of the six ordering classes of the notes' table.
//
// TEMPORARY: mirrors layer.Class until the pure layers are committed; then
// this becomes an alias of layer.Class.
type Class int

// The six classes.
const (
	ClassReliable Class = iota
	ClassFIFO
	ClassCausal
	ClassAtomic
	ClassFIFOAtomic
	ClassCausalAtomic
)

var classNames = [...]string{"reliable", "fifo", "causal", "atomic", "fifo-atomic", "causal-atomic"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// ParseClass is the inverse of Class.String.
func ParseClass(s string) (Class, error) {
	for i, n := range classNames {
		if n == s {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown class %q", ErrConfig, s)
}
