package replica

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
)

// Doer runs one client operation: a Replica in process, an HTTP client
// across processes.
type Doer interface {
	Do(ctx context.Context, op store.Op) (store.Result, error)
}

// Outcome classifies a finished call.
type Outcome int

const (
	// Done: the call returned a result.
	Done Outcome = iota
	// Refused: the call was not executed.
	Refused
	// Unknown: the call may or may not have taken effect.
	Unknown
)

// Record is one client operation with its invocation and response times
// (Unix nanoseconds). Return is meaningless for Unknown outcomes.
type Record struct {
	Client  int
	Op      store.Op
	Result  store.Result
	Outcome Outcome
	Call    int64
	Return  int64
}

// WorkloadConfig describes a closed-loop client workload.
type WorkloadConfig struct {
	Clients      int
	OpsPerClient int           // 0: until ctx ends
	Keys         int           // keys k0..k{Keys-1}
	Timeout      time.Duration // per call; its expiry is an Unknown outcome
	Seed         uint64
}

// Counters are the workload's live figures.
type Counters struct {
	Done, Refused, Unknown atomic.Int64
}

// ErrWorkload is wrapped when a call fails in a way no outcome explains.
var ErrWorkload = errors.New("replica: workload")

// RunWorkload runs cfg.Clients clients, each issuing operations one at a
// time to a replica chosen by pick, until OpsPerClient are done or ctx
// ends, and returns every operation's record. A client whose call had an
// unknown outcome continues under a new client number, so that each client
// number has at most one open-ended operation, its last.
func RunWorkload(ctx context.Context, cfg WorkloadConfig, pick func(*rand.Rand) Doer, cnt *Counters) ([]Record, error) {
	if cnt == nil {
		cnt = &Counters{}
	}
	var (
		mu      sync.Mutex
		records []Record
		errs    []error
		wg      sync.WaitGroup
		nextID  atomic.Int64
	)
	nextID.Store(int64(cfg.Clients))
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))
			id := i
			var mine []Record
			for n := 0; cfg.OpsPerClient == 0 || n < cfg.OpsPerClient; n++ {
				if ctx.Err() != nil {
					break
				}
				d := pick(rng)
				if d == nil {
					break
				}
				op := randomOp(rng, cfg.Keys, id, n)
				rec := Record{Client: id, Op: op, Call: time.Now().UnixNano()}
				cctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
				res, err := d.Do(cctx, op)
				cancel()
				rec.Return = time.Now().UnixNano()
				switch {
				case err == nil:
					rec.Result = res
					cnt.Done.Add(1)
				case errors.Is(err, ErrRefused):
					rec.Outcome = Refused
					cnt.Refused.Add(1)
				case errors.Is(err, ErrUnknown):
					rec.Outcome = Unknown
					cnt.Unknown.Add(1)
				default:
					mu.Lock()
					errs = append(errs, fmt.Errorf("%w: client %d: %w", ErrWorkload, id, err))
					mu.Unlock()
					rec.Outcome = Unknown
				}
				mine = append(mine, rec)
				if rec.Outcome == Unknown {
					id = int(nextID.Add(1) - 1)
				}
			}
			mu.Lock()
			records = append(records, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return records, errors.Join(errs...)
}

// randomOp: reads 40%, puts 35%, deletes 10%, compare-and-swap 15%.
// Written values are unique per client and call, so a read tells which
// write it saw.
func randomOp(r *rand.Rand, keys, client, n int) store.Op {
	op := store.Op{Key: fmt.Sprintf("k%d", r.IntN(max(keys, 1)))}
	val := fmt.Sprintf("c%d-%d", client, n)
	switch x := r.IntN(100); {
	case x < 40:
		op.Kind = store.Get
	case x < 75:
		op.Kind, op.Value = store.Put, val
	case x < 85:
		op.Kind = store.Delete
	default:
		op.Kind, op.Value = store.CAS, val
		op.ExpectMissing = r.IntN(3) == 0
		if !op.ExpectMissing {
			op.Expect = fmt.Sprintf("c%d-%d", r.IntN(max(client, 1)), r.IntN(max(n, 1)))
		}
	}
	return op
}
