package agreement

import (
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/sirupsen/logrus"
)

// Option changes how NewCouncil builds the actors of a council.
type Option func(*options)

type options struct {
	logger   *logrus.Entry
	recorder history.Recorder
	traitors map[history.ProcessID]traitorSpec
	faults   map[history.ProcessID]*actors.Faults
}

type traitorSpec struct {
	strategy byz.Traitor
	seed     uint64
}

// WithLogger makes the council log through l (rejected messages at debug
// level). Without it the council logs through the node's logger.
func WithLogger(l *logrus.Entry) Option {
	return func(o *options) { o.logger = l }
}

// WithRecorder records every general's Propose, Decide and Faulty events
// into r, with Event.View set to the session number and Event.Time to Unix
// nanoseconds. Give the node the same recorder (actors.WithRecorder) to
// also record the faults its middleware injects.
func WithRecorder(r history.Recorder) Option {
	return func(o *options) { o.recorder = r }
}

// WithTraitor makes the local general id a traitor: its core's output
// passes through strategy (see byz.TraitorGeneral), whose random choices
// are seeded by seed and the session number. In SM the private keys of all
// local traitors form their coalition.
func WithTraitor(id history.ProcessID, strategy byz.Traitor, seed uint64) Option {
	return func(o *options) {
		if o.traitors == nil {
			o.traitors = map[history.ProcessID]traitorSpec{}
		}
		o.traitors[id] = traitorSpec{strategy: strategy, seed: seed}
	}
}

// WithFaults spawns the local general id with f's middleware (made with
// Node.NewFaults): the runtime's failure models, an Arbitrary adversary
// among them, then act on what the loyal general sends and receives. This
// is the foundation's way of making any actor a traitor; WithTraitor is
// the protocol-aware way.
func WithFaults(id history.ProcessID, f *actors.Faults) Option {
	return func(o *options) {
		if o.faults == nil {
			o.faults = map[history.ProcessID]*actors.Faults{}
		}
		o.faults[id] = f
	}
}
