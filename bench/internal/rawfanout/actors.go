package rawfanout

import (
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// endMarker is the From of the probe a sender sends after a run's last
// message: FIFO per pair means a receiver answering it has all of them.
const endMarker = "end"

// runMsg starts a run of count messages to every target; done is closed
// when every receiver has credited all of them.
type runMsg struct {
	count int
	done  chan struct{}
}

// sender sends the same message to every target, at most window messages
// ahead of the slowest receiver's last credit. Counts are cumulative over
// runs so that a long-lived group can be measured repeatedly.
type sender struct {
	msg      *wire.Probe
	window   int
	targets  []*actor.PID
	total    int // messages asked for so far, over all runs
	sent     int
	acked    []int
	minAcked int
	marked   bool // the end marker of the current run has been sent
	done     chan struct{}
}

func newSender(cfg Config, targets []*actor.PID) *sender {
	return &sender{
		msg:     &wire.Probe{From: "sender", Body: make([]byte, cfg.PayloadBytes)},
		window:  cfg.Window,
		targets: targets,
		acked:   make([]int, len(targets)),
	}
}

func (s *sender) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *runMsg:
		s.total += m.count
		s.done, s.marked = m.done, false
		s.pump(ctx)
	case *wire.Probe: // a credit: From is the receiver's index, N its count
		i, err := strconv.Atoi(m.GetFrom())
		if err != nil || i < 0 || i >= len(s.acked) {
			return
		}
		s.acked[i] = max(s.acked[i], int(m.GetN()))
		s.minAcked = s.acked[0]
		for _, a := range s.acked[1:] {
			s.minAcked = min(s.minAcked, a)
		}
		s.pump(ctx)
		if s.done != nil && s.minAcked >= s.total {
			close(s.done)
			s.done = nil
		}
	}
}

func (s *sender) pump(ctx actor.Context) {
	for s.sent < s.total && s.sent-s.minAcked < s.window {
		for _, t := range s.targets {
			ctx.Send(t, s.msg)
		}
		s.sent++
	}
	if s.sent == s.total && !s.marked {
		s.marked = true
		end := &wire.Probe{From: endMarker, N: uint64(s.total)}
		for _, t := range s.targets {
			ctx.Send(t, end)
		}
	}
}

// receiver counts deliveries and credits the sender every ackEvery of them
// and on each end marker.
type receiver struct {
	index    string
	sender   *actor.PID
	ackEvery int
	got      int
}

func (r *receiver) Receive(ctx actor.Context) {
	m, ok := ctx.Message().(*wire.Probe)
	if !ok {
		return
	}
	if m.GetFrom() != endMarker {
		r.got++
		if r.got%r.ackEvery != 0 {
			return
		}
	}
	ctx.Send(r.sender, &wire.Probe{From: r.index, N: uint64(r.got)})
}
