package rawfanout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
)

// ReceiverRole is the loopback role of a receiving process.
const ReceiverRole = "raw-fanout-receiver"

func init() { loopback.Register(ReceiverRole, receiverProcess) }

// startRemote starts an actor system reachable at 127.0.0.1 on a free port
// and returns it with the function that stops both. remote.Start silences
// grpc-go's logging for the whole process.
func startRemote() (*actor.ActorSystem, func()) {
	sys := quietSystem()
	r := remote.NewRemote(sys, remote.Configure("127.0.0.1", 0))
	r.Start()
	return sys, func() {
		// the pinned protoactor's graceful Shutdown races with its own
		// endpoint readers (go test -race reports it): stop the server
		// outright, nothing is left in flight
		r.Shutdown(false)
		sys.Shutdown()
	}
}

// StartLoopback starts the sender in this process and cfg.Receivers
// receivers in child processes (this test binary re-executed), talking
// protoactor remote on 127.0.0.1. ctx bounds the children's whole life.
func StartLoopback(ctx context.Context, cfg Config) (*Group, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sys, stop := startRemote()
	g := &Group{cfg: cfg, sys: sys, stop: stop}
	senderPID := actor.NewPID(sys.Address(), "sender")
	fail := func(err error) (*Group, error) {
		_ = g.Close()
		return nil, err
	}
	for i := range cfg.Receivers {
		c, err := loopback.Spawn(ctx, ReceiverRole, loopback.Params{
			"index":   strconv.Itoa(i),
			"sender":  senderPID.Address,
			"ack":     strconv.Itoa(cfg.AckEvery),
			"timeout": cfg.Timeout.String(),
		})
		if err != nil {
			return fail(err)
		}
		g.children = append(g.children, c)
	}
	targets := make([]*actor.PID, cfg.Receivers)
	for i, c := range g.children {
		fields, err := c.Await(ctx, "ready")
		if err != nil {
			return fail(err)
		}
		if len(fields) != 1 {
			return fail(fmt.Errorf("%w: receiver %d announced %q, want its address", ErrRun, i, fields))
		}
		targets[i] = actor.NewPID(fields[0], "receiver")
	}
	s := newSender(cfg, targets)
	pid, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return s }), "sender")
	if err != nil {
		return fail(fmt.Errorf("%w: spawn sender: %v", ErrRun, err))
	}
	g.sender = pid
	// open every connection before anything is timed
	if _, err := g.Run(ctx, 1); err != nil {
		return fail(err)
	}
	return g, nil
}

// Loopback starts a loopback group, sends cfg.Messages to every receiver
// and closes it; process start-up is outside Result.Elapsed.
func Loopback(ctx context.Context, cfg Config) (Result, error) {
	return runOnce(ctx, cfg, StartLoopback)
}

// receiverProcess is a child: one receiving actor reachable over remote,
// announced as "ready <address>", up until the parent closes its input.
func receiverProcess(ctx context.Context, p loopback.Params, rep *loopback.Report) error {
	ack, err := p.Int("ack")
	if err != nil {
		return err
	}
	index, senderAddr := p["index"], p["sender"]
	if index == "" || senderAddr == "" {
		return fmt.Errorf("%w: index %q and sender %q are required", loopback.ErrParam, index, senderAddr)
	}
	if ack < 1 {
		return fmt.Errorf("%w: ack %d, want at least 1", loopback.ErrParam, ack)
	}
	sys, stop := startRemote()
	defer stop()
	r := &receiver{index: index, sender: actor.NewPID(senderAddr, "sender"), ackEvery: ack}
	if _, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return r }), "receiver"); err != nil {
		return fmt.Errorf("%w: spawn receiver: %v", ErrRun, err)
	}
	rep.Send("ready", sys.Address())
	<-ctx.Done() // the parent closes our input when it is finished
	return nil
}
