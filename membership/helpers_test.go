package membership_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// board is where the test's member actors publish what they received, and
// where the test waits for a condition: every change wakes the waiters.
type board struct {
	mu      sync.Mutex
	changed chan struct{}
	apps    map[history.ProcessID]*app
}

func newBoard() *board {
	return &board{changed: make(chan struct{}, 1), apps: make(map[history.ProcessID]*app)}
}

func (b *board) notify() {
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// await returns once cond (called under the board's lock) holds, or fails
// the test after timeout, describing what it waited for.
func (b *board) await(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		ok := cond()
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-b.changed:
		case <-deadline:
			b.mu.Lock()
			state := b.describe()
			b.mu.Unlock()
			t.Fatalf("timed out after %v waiting for %s; members:\n%s", timeout, what, state)
		}
	}
}

func (b *board) describe() string {
	var s strings.Builder
	ids := make([]history.ProcessID, 0, len(b.apps))
	for id := range b.apps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		a := b.apps[id]
		fmt.Fprintf(&s, "  %s: view %v, delivered %d, sum %d, stopped %v\n", id, a.lastView(), a.count, a.sum, a.stopped)
	}
	return s.String()
}

// app is a replicated counter: it sums the uint64 payloads delivered to it.
// Its state (sum, count, per-sender counts) is transferred to joiners.
type app struct {
	b        *board
	id       history.ProcessID
	views    []*membership.ViewChange
	sum      uint64
	count    uint64
	bySender map[history.ProcessID]int
	stopped  *membership.Stopped
	blocked  int
	// order checks the ordered path: a Delivery of a view other than the
	// last installed one is a bug of the view manager.
	misordered int
	// kept holds every Delivery received and a copy taken on receipt: an
	// application may keep a Delivery, so none may change afterwards.
	kept []keptDelivery
	// insideErrs are the errors of MulticastFrom calls made in Receive.
	insideErrs []error
}

// fromInside asks an app to multicast n values from inside its Receive,
// with MulticastFrom: base+1, ..., base+n.
type fromInside struct {
	g    *membership.Group
	n    int
	base uint64
}

type keptDelivery struct {
	ptr  *membership.Delivery
	seen membership.Delivery
}

func (b *board) producer(id history.ProcessID) actor.Producer {
	return func() actor.Actor {
		b.mu.Lock()
		defer b.mu.Unlock()
		a := &app{b: b, id: id, bySender: make(map[history.ProcessID]int)}
		b.apps[id] = a
		return a
	}
}

func (a *app) lastView() *membership.ViewChange {
	if len(a.views) == 0 {
		return nil
	}
	return a.views[len(a.views)-1]
}

func (a *app) Receive(ctx actor.Context) {
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	switch m := ctx.Message().(type) {
	case *membership.ViewChange:
		a.views = append(a.views, m)
	case *membership.Delivery:
		if v := a.lastView(); v == nil || v.ID != m.View {
			a.misordered++
		}
		a.sum += m.Payload.(*wrapperspb.UInt64Value).GetValue()
		a.count++
		a.kept = append(a.kept, keptDelivery{m, *m})
		a.bySender[m.Sender]++
	case *fromInside:
		for k := 1; k <= m.n; k++ {
			if err := m.g.MulticastFrom(ctx, wrapperspb.UInt64(m.base+uint64(k))); err != nil {
				a.insideErrs = append(a.insideErrs, err)
			}
		}
	case *membership.Blocked:
		a.blocked++
	case *membership.Stopped:
		a.stopped = m
	default:
		return
	}
	a.b.notify()
}

// Snapshot and Restore make app a membership.StateTransfer.
func (a *app) Snapshot() []byte {
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	out := binary.BigEndian.AppendUint64(nil, a.sum)
	out = binary.BigEndian.AppendUint64(out, a.count)
	ids := make([]history.ProcessID, 0, len(a.bySender))
	for p := range a.bySender {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	for _, p := range ids {
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
		out = append(out, p...)
		out = binary.BigEndian.AppendUint32(out, uint32(a.bySender[p]))
	}
	return out
}

var errSnapshot = errors.New("test app: bad snapshot")

func (a *app) Restore(s []byte) error {
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	if len(s) < 16 {
		return errSnapshot
	}
	a.sum, a.count = binary.BigEndian.Uint64(s), binary.BigEndian.Uint64(s[8:])
	s = s[16:]
	for len(s) > 0 {
		if len(s) < 2 {
			return errSnapshot
		}
		n := int(binary.BigEndian.Uint16(s))
		if len(s) < 2+n+4 {
			return errSnapshot
		}
		a.bySender[history.ProcessID(s[2:2+n])] = int(binary.BigEndian.Uint32(s[2+n:]))
		s = s[2+n+4:]
	}
	return nil
}

// inView reports whether every id has installed a view with exactly members.
func (b *board) inView(ids []history.ProcessID, members []history.ProcessID) bool {
	for _, id := range ids {
		a := b.apps[id]
		if a == nil || a.lastView() == nil || !slices.Equal(a.lastView().Members, members) {
			return false
		}
	}
	return true
}

// deliveredAll reports whether every receiver has delivered n messages of
// every sender.
func (b *board) deliveredAll(receivers, senders []history.ProcessID, n int) bool {
	for _, r := range receivers {
		a := b.apps[r]
		if a == nil {
			return false
		}
		for _, s := range senders {
			if a.bySender[s] < n {
				return false
			}
		}
	}
	return true
}

// stream multicasts n payloads through g, one every period (the pace of
// the load, not a synchronisation), retrying a backpressured one; value k
// of sender index i is i*1e6+k. It stops early when stop closes.
func stream(g *membership.Group, i, n int, period time.Duration, stop <-chan struct{}) error {
	t := time.NewTicker(period)
	defer t.Stop()
	for k := 1; k <= n; {
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
		err := g.Multicast(wrapperspb.UInt64(uint64(i)*1_000_000 + uint64(k)))
		switch {
		case err == nil:
			k++
		case errors.Is(err, membership.ErrBackpressure):
		default:
			return err
		}
	}
	return nil
}

// checkHistory runs the virtual synchrony checkers and the FIFO class's.
func checkHistory(t testing.TB, h history.History) {
	t.Helper()
	checks := append(append([]history.Checker(nil), history.VirtualSynchronyChecks...), history.ChecksFor("fifo")...)
	vs := history.CheckAll(h, checks...)
	if len(vs) == 0 {
		return
	}
	var s strings.Builder
	for i, v := range vs {
		if i == 5 {
			break
		}
		s.WriteString("\n" + v.String())
	}
	t.Fatalf("%d violations in a history of %d events; first:%s", len(vs), len(h), s.String())
}

// checkSurvivorsLoseNothing: every multicast of a survivor is delivered by
// every survivor.
func checkSurvivorsLoseNothing(t testing.TB, h history.History, survivors []history.ProcessID) {
	t.Helper()
	delivered := make(map[history.ProcessID]map[history.MsgID]bool)
	for _, p := range survivors {
		delivered[p] = make(map[history.MsgID]bool)
	}
	var sent []history.MsgID
	for _, e := range h {
		switch {
		case e.Kind == history.Deliver && delivered[e.Process] != nil:
			delivered[e.Process][e.Msg] = true
		case e.Kind == history.Multicast && delivered[e.Process] != nil:
			sent = append(sent, e.Msg)
		}
	}
	missing := 0
	for _, m := range sent {
		for _, p := range survivors {
			if !delivered[p][m] {
				if missing < 5 {
					t.Errorf("%s never delivered survivor's multicast %s", p, m)
				}
				missing++
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d deliveries of survivors' multicasts missing (of %d multicasts)", missing, len(sent))
	}
	if len(sent) == 0 {
		t.Fatal("no multicast by a survivor in the history")
	}
}

func count(h history.History, k history.Kind) int {
	n := 0
	for _, e := range h {
		if e.Kind == k {
			n++
		}
	}
	return n
}
