package ordering

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// Decorate returns a mailbox producer whose mailboxes make the actor an
// ordered member of cfg's group in class cfg.Class (plus cfg.Classes): the
// cores run on the actor's own goroutine, between inner's queue and the
// actor. Use the producer for exactly one actor (cfg names one process):
//
//	mb, err := ordering.Decorate(actor.Unbounded(), cfg)
//	props := actor.PropsFromProducer(newActor, actor.WithMailbox(mb))
//	pid, err := system.Root.SpawnNamed(props, "p1") // cfg.PIDs["p1"]
func Decorate(inner actor.MailboxProducer, cfg Config) (actor.MailboxProducer, error) {
	if inner == nil {
		inner = actor.Unbounded()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := newDriver(cfg); err != nil { // fail here, not at spawn
		return nil, err
	}
	return func() actor.Mailbox {
		d, err := newDriver(cfg)
		if err != nil { // validated above: only a non-deterministic core could get here
			cfg.logger().WithError(err).Error("ordering: member cannot be built; its mailbox carries no ordering")
			return inner()
		}
		return &mailbox{inner: inner(), d: d}
	}, nil
}

// Stack names a decorated mailbox before it is built, so that the
// per-layer helpers can wrap it: Total(Causal(Member(cfg))) is the
// causal-atomic class. The layers always stack in the order the pure layer
// package fixes (reliable at the bottom, then FIFO or causal, then total),
// whatever order the helpers are written in: each helper adds its guarantee.
type Stack struct {
	inner                actor.MailboxProducer
	cfg                  Config
	fifo, causal, atomic bool
}

// Member starts a stack for cfg's member over an unbounded mailbox: the
// reliable layer alone, unless cfg.Class already asks for more.
func Member(cfg Config) Stack { return Over(actor.Unbounded(), cfg) }

// Over is Member over another inner mailbox.
func Over(inner actor.MailboxProducer, cfg Config) Stack {
	s := Stack{inner: inner, cfg: cfg}
	switch cfg.Class {
	case ClassFIFO:
		s.fifo = true
	case ClassCausal:
		s.causal = true
	case ClassAtomic:
		s.atomic = true
	case ClassFIFOAtomic:
		s.fifo, s.atomic = true, true
	case ClassCausalAtomic:
		s.causal, s.atomic = true, true
	}
	return s
}

// FIFO adds FIFO order: each sender's messages are delivered in the order sent.
func FIFO(next Stack) Stack { next.fifo = true; return next }

// Causal adds causal order (which includes FIFO).
func Causal(next Stack) Stack { next.causal = true; return next }

// Total adds total (atomic) order: every member delivers in one sequence.
func Total(next Stack) Stack { next.atomic = true; return next }

// Class is the class the stack implements.
func (s Stack) Class() Class {
	switch {
	case s.causal && s.atomic:
		return ClassCausalAtomic
	case s.fifo && s.atomic:
		return ClassFIFOAtomic
	case s.atomic:
		return ClassAtomic
	case s.causal:
		return ClassCausal
	case s.fifo:
		return ClassFIFO
	default:
		return ClassReliable
	}
}

// Producer builds the mailbox producer (see Decorate).
func (s Stack) Producer() (actor.MailboxProducer, error) {
	cfg := s.cfg
	cfg.Class = s.Class()
	return Decorate(s.inner, cfg)
}

// Props is actor.PropsFromProducer with the stack as mailbox: the one
// change that makes an ordinary actor an ordered group member.
func Props(producer actor.Producer, s Stack, opts ...actor.PropsOption) (*actor.Props, error) {
	mb, err := s.Producer()
	if err != nil {
		return nil, fmt.Errorf("ordering: props for %s: %w", s.cfg.Self, err)
	}
	return actor.PropsFromProducer(producer, append(opts, actor.WithMailbox(mb))...), nil
}
