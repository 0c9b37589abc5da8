package agreement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// ErrUnreachable: Connect could not reach some general before its context
// ended.
var ErrUnreachable = errors.New("agreement: generals unreachable")

// touchTimeout bounds one attempt of Connect to reach a general.
const touchTimeout = time.Second

// Connect waits until every general of the council answers a protoactor
// Touch, retrying until ctx ends. Call it on every council before the
// first Start: a message sent to a general whose actor does not exist yet
// is a dead letter, lost for good, and the first message to another
// process also pays for setting up the gRPC stream (hundreds of
// milliseconds on a loaded machine), which would otherwise eat into the
// first rounds. Once Connect has returned on every council, both are
// behind.
func (c *Council) Connect(ctx context.Context) error {
	errs := make(chan error, len(c.cfg.Generals))
	for _, id := range c.cfg.Generals {
		go func() { errs <- c.touch(ctx, id) }()
	}
	var all []error
	for range c.cfg.Generals {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	if len(all) > 0 {
		return fmt.Errorf("%w: %w", ErrUnreachable, errors.Join(all...))
	}
	return nil
}

// touch asks id's actor for a Touched until it answers or ctx ends.
func (c *Council) touch(ctx context.Context, id history.ProcessID) error {
	pid := c.pids[id]
	for {
		f := c.node.Root().RequestFuture(pid, &actor.Touch{}, touchTimeout)
		res, err := f.Result()
		if _, ok := res.(*actor.Touched); ok && err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", id, ctx.Err())
		default:
			// A dead letter answers at once; wait before asking again
			// so an actor still being spawned is not flooded.
			if err == nil || !errors.Is(err, actor.ErrTimeout) {
				select {
				case <-ctx.Done():
					return fmt.Errorf("%s: %w", id, ctx.Err())
				case <-time.After(touchTimeout / 10):
				}
			}
		}
	}
}
