package faults

import (
	"errors"
	"fmt"
)

// Model is one of the failure models of the classic table (crash, omission,
// timing, response, arbitrary), refined into the variants a test can inject.
type Model int

const (
	// None injects nothing.
	None Model = iota
	// Crash halts the process for good once the trigger fires: it sends
	// nothing and receives nothing. Until then it works correctly.
	Crash
	// SendOmission drops outgoing messages, each with probability Rate.
	SendOmission
	// ReceiveOmission drops incoming messages, each with probability Rate.
	ReceiveOmission
	// Timing answers late: each outgoing message is held back Delay units,
	// with probability Rate.
	Timing
	// Value is a response failure of the value kind: an outgoing message
	// carries a wrong value (a clone with one populated scalar field changed),
	// with probability Rate.
	Value
	// StateTransition is a response failure of the state-transition kind: the
	// process leaves its correct flow of control, re-sending a message it
	// sent earlier (stale state) or sending out of order, with probability Rate.
	StateTransition
	// Arbitrary hands every outgoing message to an Adversary that may send
	// anything, different things to different peers, or nothing.
	Arbitrary
)

var modelNames = [...]string{
	None:            "none",
	Crash:           "crash",
	SendOmission:    "send-omission",
	ReceiveOmission: "receive-omission",
	Timing:          "timing",
	Value:           "value",
	StateTransition: "state-transition",
	Arbitrary:       "arbitrary",
}

// Models lists every model but None, in the order of the notes' table.
var Models = []Model{Crash, SendOmission, ReceiveOmission, Timing, Value, StateTransition, Arbitrary}

// ErrUnknownModel is returned for a model name or number that does not exist.
var ErrUnknownModel = errors.New("faults: unknown failure model")

func (m Model) String() string {
	if m < 0 || int(m) >= len(modelNames) {
		return fmt.Sprintf("model(%d)", int(m))
	}
	return modelNames[m]
}

// ParseModel maps a name printed by String back to its Model.
func ParseModel(name string) (Model, error) {
	for m, n := range modelNames {
		if n == name {
			return Model(m), nil
		}
	}
	return None, fmt.Errorf("%w: %q", ErrUnknownModel, name)
}
