package layer

import "fmt"

// Class is one of the six multicast classes of the notes' table. Each class
// is a named preset of layers (see Layers); doc.go explains why each stack
// yields its class.
type Class int

// The six classes. The zero value is not a class, so a Config that forgot to
// choose one fails Validate.
const (
	// Reliable: every member delivers every message exactly once, in no
	// particular order.
	Reliable Class = iota + 1
	// FIFO: reliable, and messages of one sender are delivered in the order
	// they were sent.
	FIFO
	// Causal: reliable, and a message is delivered only after every message
	// that causally precedes it.
	Causal
	// Atomic: reliable, and all members deliver in one total order.
	Atomic
	// FIFOAtomic: atomic and FIFO.
	FIFOAtomic
	// CausalAtomic: atomic and causal.
	CausalAtomic
)

// Classes lists the six classes, weakest first.
var Classes = []Class{Reliable, FIFO, Causal, Atomic, FIFOAtomic, CausalAtomic}

var classNames = map[Class]string{
	Reliable:     "reliable",
	FIFO:         "fifo",
	Causal:       "causal",
	Atomic:       "atomic",
	FIFOAtomic:   "fifo-atomic",
	CausalAtomic: "causal-atomic",
}

// String returns the class's name as used in histories and wire.Data.Class.
func (c Class) String() string {
	if s, ok := classNames[c]; ok {
		return s
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Valid reports whether c is one of the six classes.
func (c Class) Valid() bool { _, ok := classNames[c]; return ok }

// ParseClass turns a name produced by String back into a Class.
func ParseClass(s string) (Class, error) {
	for c, name := range classNames {
		if name == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown class %q", ErrConfig, s)
}

// Total reports whether the class delivers in one total order, that is,
// whether its stack has a sequencer.
func (c Class) Total() bool { return c == Atomic || c == FIFOAtomic || c == CausalAtomic }

// Layer names one layer of a stack.
type Layer int

// The layers, in the only order they may be stacked (bottom first).
const (
	// LayerReliable: sequence numbers per sender and view, duplicate
	// suppression, NAK repair, heartbeats, stability and flow control.
	LayerReliable Layer = iota + 1
	// LayerFIFO: per-sender hold-back by sequence number.
	LayerFIFO
	// LayerCausal: vector timestamps and the CBCAST delivery rule.
	LayerCausal
	// LayerTotal: the fixed sequencer and delivery in global sequence order.
	LayerTotal
)

func (l Layer) String() string {
	switch l {
	case LayerReliable:
		return "reliable"
	case LayerFIFO:
		return "fifo"
	case LayerCausal:
		return "causal"
	case LayerTotal:
		return "total"
	}
	return fmt.Sprintf("layer(%d)", int(l))
}

// Layers returns the stack of the class, bottom (closest to the network)
// first. The causal-atomic stack is the FIFO-atomic one: a single sequencer
// that orders each sender's messages in FIFO order already orders causally
// (doc.go gives the argument; the tests check it).
func (c Class) Layers() []Layer {
	switch c {
	case Reliable:
		return []Layer{LayerReliable}
	case FIFO:
		return []Layer{LayerReliable, LayerFIFO}
	case Causal:
		return []Layer{LayerReliable, LayerFIFO, LayerCausal}
	case Atomic:
		return []Layer{LayerReliable, LayerTotal}
	case FIFOAtomic, CausalAtomic:
		return []Layer{LayerReliable, LayerFIFO, LayerTotal}
	}
	return nil
}
