package matrix

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
	"github.com/lockstep-actors/lockstep/membership"
)

// stream is what every member of one run shares: the payload and the
// switches of the run's phases. Payloads are stamped with the wall clock
// (Unix nanoseconds): members in different processes on one host share it,
// while a monotonic base would be per process.
type stream struct {
	body      []byte
	window    int
	sending   atomic.Bool // members top their window up only while set
	measuring atomic.Bool // latency samples are kept only while set
	changed   chan struct{}
}

// latencyEvery: one multicast in latencyEvery carries its send time and
// gives a latency sample at each delivery; the others are one shared,
// unstamped payload. Reading the clock, and the histogram's lock, at every
// delivery was some 5% of a member's CPU over loopback, work JGroups'
// harness does not do either (it only counts), and one sample in 16 still
// gives thousands of samples per second for the p50 and p99.
const latencyEvery = 16

// kick starts a member's stream.
type kick struct{}

// viewAt is one view a member installed and when.
type viewAt struct {
	id      uint64
	members []history.ProcessID
	at      time.Time
}

// member is the application actor of one group member.
type member struct {
	self      history.ProcessID
	s         *stream
	slow      time.Duration
	group     atomic.Pointer[membership.Group]
	delivered atomic.Int64
	inflight  int // own multicasts not yet delivered back (actor goroutine only)
	sent      int // own multicasts so far (actor goroutine only)
	// multicasts is sent, for readers on other goroutines.
	multicasts atomic.Int64
	plain      *wire.Probe // the unstamped payload, shared by every unsampled multicast
	out        bool        // removed or stopped (actor goroutine only)
	// removed is set when the member learns it is out of the group
	// (suspected while alive) or blocked without a primary component.
	removed atomic.Bool
	// stopped is set when the member is out of the group for good (a
	// blocked member may still install a view when the partition heals).
	stopped atomic.Bool

	mu    sync.Mutex
	lat   metrics.Histogram
	views []viewAt
}

func (m *member) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *kick:
		m.topUp(ctx)
	case *membership.Delivery:
		if p, ok := msg.Payload.(*wire.Probe); ok && p.N != 0 && m.s.measuring.Load() {
			d := time.Duration(time.Now().UnixNano() - int64(p.N))
			m.mu.Lock()
			m.lat.Record(d)
			m.mu.Unlock()
		}
		m.delivered.Add(1)
		if m.slow > 0 {
			// A slow consumer: the application itself is the bottleneck,
			// so the time is spent on this goroutine, not slept away.
			for t := time.Now(); time.Since(t) < m.slow; {
			}
		}
		if msg.Sender == m.self {
			m.inflight--
			m.topUp(ctx)
		}
	case *membership.ViewChange:
		m.mu.Lock()
		m.views = append(m.views, viewAt{msg.ID, msg.Members, time.Now()})
		m.mu.Unlock()
		m.notify()
	case *membership.Stopped:
		m.out = true
		m.removed.Store(true)
		m.stopped.Store(true)
		m.notify()
	case *membership.Blocked:
		m.removed.Store(true)
		m.notify()
	}
}

// notify wakes a run waiting for a view change.
func (m *member) notify() {
	select {
	case m.s.changed <- struct{}{}:
	default:
	}
}

// topUp multicasts until the member's window is full, from inside the
// actor (MulticastFrom), as an application reacting to deliveries would.
func (m *member) topUp(ctx actor.Context) {
	g := m.group.Load()
	if m.plain == nil {
		m.plain = &wire.Probe{Body: m.s.body} // never modified: receivers may share it
	}
	for !m.out && g != nil && m.inflight < m.s.window && m.s.sending.Load() {
		p := m.plain
		if m.sent%latencyEvery == 0 {
			p = &wire.Probe{N: uint64(time.Now().UnixNano()), Body: m.s.body}
		}
		err := g.MulticastFrom(ctx, p)
		if errors.Is(err, membership.ErrBackpressure) {
			return // our own deliveries will call again
		}
		if err != nil {
			m.out = true
			return
		}
		m.inflight++
		m.sent++
		m.multicasts.Add(1)
	}
}

// view returns the first view m installed that satisfies ok.
func (m *member) view(ok func(viewAt) bool) (viewAt, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.views {
		if ok(v) {
			return v, true
		}
	}
	return viewAt{}, false
}

// viewCount is how many views m installed.
func (m *member) viewCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.views)
}
