package rawfanout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
)

// Group is a sender and its receivers, started once and measured by Run as
// often as wanted, so that set-up stays outside the timing.
type Group struct {
	cfg      Config
	sys      *actor.ActorSystem
	sender   *actor.PID
	children []*loopback.Child
	stop     func()
}

// quietSystem is an actor system whose protoactor logging is discarded.
func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

// Run sends messages messages to every receiver and returns once every
// receiver has credited all of them, bounded by ctx and Config.Timeout.
func (g *Group) Run(ctx context.Context, messages int) (Result, error) {
	if messages < 1 {
		return Result{}, fmt.Errorf("%w: %d messages, want at least 1", ErrConfig, messages)
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	done := make(chan struct{})
	start := time.Now()
	g.sys.Root.Send(g.sender, &runMsg{count: messages, done: done})
	select {
	case <-done:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("%w: %d receivers, %d messages: %w", ErrRun, g.cfg.Receivers, messages, ctx.Err())
	}
	return Result{Receivers: g.cfg.Receivers, Messages: messages, Elapsed: time.Since(start)}, nil
}

// Close stops the receivers (and their processes) and the sender.
func (g *Group) Close() error {
	var first error
	for _, c := range g.children {
		if err := c.Close(5 * time.Second); err != nil && first == nil {
			first = err
		}
	}
	g.stop()
	return first
}

// runOnce starts a group with start, runs cfg.Messages through it and
// closes it.
func runOnce(ctx context.Context, cfg Config, start func(context.Context, Config) (*Group, error)) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	g, err := start(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	res, err := g.Run(ctx, cfg.Messages)
	if cerr := g.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return res, err
}
