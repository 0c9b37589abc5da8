package rawfanout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
)

// StartInProcess starts one sender and cfg.Receivers receiving actors in
// one actor system. cfg.Messages is not used: Run says how many to send.
func StartInProcess(_ context.Context, cfg Config) (*Group, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sys := quietSystem()
	g := &Group{cfg: cfg, sys: sys, stop: sys.Shutdown}
	senderPID := actor.NewPID(sys.Address(), "sender")
	targets := make([]*actor.PID, cfg.Receivers)
	for i := range targets {
		r := &receiver{index: strconv.Itoa(i), sender: senderPID, ackEvery: cfg.AckEvery}
		pid, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return r }), "receiver-"+strconv.Itoa(i))
		if err != nil {
			sys.Shutdown()
			return nil, fmt.Errorf("%w: spawn receiver %d: %v", ErrRun, i, err)
		}
		targets[i] = pid
	}
	s := newSender(cfg, targets)
	pid, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return s }), "sender")
	if err != nil {
		sys.Shutdown()
		return nil, fmt.Errorf("%w: spawn sender: %v", ErrRun, err)
	}
	g.sender = pid
	return g, nil
}

// InProcess starts an in-process group, sends cfg.Messages to every
// receiver and closes the group; set-up is outside Result.Elapsed.
func InProcess(ctx context.Context, cfg Config) (Result, error) {
	return runOnce(ctx, cfg, StartInProcess)
}
