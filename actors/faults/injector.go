package faults

import (
	"fmt"
	"math/rand/v2"

	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// Action is one message an injector lets through, possibly late.
type Action struct {
	Msg proto.Message
	// Delay is how long to hold Msg back before sending, in the driver's
	// units; 0 sends it now.
	Delay int64
}

// Injector applies one Spec to the messages of one process. It is a pure,
// deterministic function of its Spec, its seed and the sequence of calls:
// the simulator and the actor middleware drive the very same code. It is not
// safe for concurrent use.
type Injector struct {
	spec    Spec
	rng     *rand.Rand
	handled int
	active  bool
	stats   Stats
	// lastSent and deferred serve the state-transition model: the stale
	// message it re-sends, and the current one it sends late instead.
	lastSent map[history.ProcessID]proto.Message
	deferred map[history.ProcessID]proto.Message
}

// NewInjector returns an injector for s.
func NewInjector(s Spec) (*Injector, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Model == Arbitrary && s.Adversary == nil {
		s.Adversary = Garbage{}
	}
	in := &Injector{spec: s, rng: rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))}
	if s.Model == StateTransition {
		in.lastSent = make(map[history.ProcessID]proto.Message)
		in.deferred = make(map[history.ProcessID]proto.Message)
	}
	return in, nil
}

// MustInjector is NewInjector for specs known to be valid, such as literals
// in tests and examples; it panics on an invalid spec.
func MustInjector(s Spec) *Injector {
	in, err := NewInjector(s)
	if err != nil {
		panic(fmt.Sprintf("faults.MustInjector: %v", err))
	}
	return in
}

// Spec returns the spec the injector applies.
func (in *Injector) Spec() Spec { return in.spec }

// Active reports whether the trigger has fired.
func (in *Injector) Active() bool { return in.active }

// Crashed reports whether the process has crashed under the Crash model.
func (in *Injector) Crashed() bool { return in.active && in.spec.Model == Crash }

// Stats returns what the injector has done so far.
func (in *Injector) Stats() Stats { return in.stats }

// observe counts one message and reports whether the model applies to it.
// The trigger counts the messages handled before this one, so AfterMessages
// k leaves the first k messages alone; once fired it stays fired.
func (in *Injector) observe(now int64) bool {
	if in.spec.Model == None {
		return false
	}
	if !in.active && in.handled >= in.spec.Start.AfterMessages && now >= in.spec.Start.AtTick {
		in.active = true
	}
	in.handled++
	return in.active
}

// hit draws whether a per-message model affects this message.
func (in *Injector) hit() bool {
	return in.spec.Rate == 0 || in.rng.Float64() < in.spec.Rate
}

// Outgoing filters one message the process sends to peer to at time now and
// returns what is actually sent; an empty result means the message is lost.
func (in *Injector) Outgoing(now int64, to history.ProcessID, msg proto.Message) []Action {
	if !in.observe(now) {
		return []Action{{Msg: msg}}
	}
	switch in.spec.Model {
	case Crash:
		in.stats.Dropped++
		return nil
	case SendOmission:
		if in.hit() {
			in.stats.Dropped++
			return nil
		}
	case Timing:
		if in.hit() {
			in.stats.Delayed++
			return []Action{{Msg: msg, Delay: in.spec.Delay}}
		}
	case Value:
		if in.hit() {
			if bad, changed := corrupt(msg, in.rng); changed {
				in.stats.Corrupted++
				return []Action{{Msg: bad}}
			}
		}
	case StateTransition:
		return in.deviate(to, msg)
	case Arbitrary:
		return in.adversary(to, msg)
	}
	return []Action{{Msg: msg}}
}

// Incoming filters one message that arrived from peer from at time now and
// reports whether the process receives it.
func (in *Injector) Incoming(now int64, from history.ProcessID, msg proto.Message) bool {
	if !in.observe(now) {
		return true
	}
	switch in.spec.Model {
	case Crash:
		in.stats.Dropped++
		return false
	case ReceiveOmission:
		if in.hit() {
			in.stats.Dropped++
			return false
		}
	}
	return true
}

// deviate sends, in place of msg, the stale message last sent to the same
// peer, and holds msg back until the next message to that peer: the receiver
// sees old state again and later sees messages out of their order.
func (in *Injector) deviate(to history.ProcessID, msg proto.Message) []Action {
	out := make([]Action, 0, 2)
	stale, hasStale := in.lastSent[to]
	if hasStale && in.hit() {
		in.stats.Replayed++
		out = append(out, Action{Msg: stale})
		if late, ok := in.deferred[to]; ok {
			out = append(out, Action{Msg: late})
		}
		in.deferred[to] = msg
		return out
	}
	out = append(out, Action{Msg: msg})
	if late, ok := in.deferred[to]; ok {
		delete(in.deferred, to)
		out = append(out, Action{Msg: late})
	}
	in.lastSent[to] = msg
	return out
}

func (in *Injector) adversary(to history.ProcessID, msg proto.Message) []Action {
	sent := in.spec.Adversary.Outgoing(to, msg, in.rng)
	out := make([]Action, 0, len(sent))
	for _, m := range sent {
		if m != msg {
			in.stats.Forged++
		}
		out = append(out, Action{Msg: m})
	}
	if len(sent) == 0 {
		in.stats.Dropped++
	}
	return out
}
