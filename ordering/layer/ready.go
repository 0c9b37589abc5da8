package layer

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"google.golang.org/protobuf/proto"
)

// orderDue reports whether Ready should emit the pending assignments.
func (m *Member) orderDue() bool {
	t := m.total
	if t == nil {
		return false
	}
	p := t.pending()
	return p > 0 && (p >= m.cfg.OrderBatchMin || t.flushDue)
}

// statusEvery is how many deliveries make a Status due between heartbeats
// (Config.StatusEvery), at most half the window, so that a small window
// still reopens before it fills; 0 when off.
func (m *Member) statusEvery() int {
	if m.cfg.StatusEvery == 0 {
		return 0
	}
	return min(m.cfg.StatusEvery, max(m.cfg.Window/2, 1))
}

// HasReady reports whether Ready would return anything.
func (m *Member) HasReady() bool {
	return len(m.out) > 0 || len(m.events) > 0 || len(m.deliveries) > 0 || len(m.fanouts) > 0 || m.orderDue()
}

// Ready returns the messages to send and the events (multicasts and
// deliveries, in the order they happened) produced since the last Advance.
// At the sequencer, taking Ready also emits the pending assignments as
// Order batches, so one Order covers everything stepped since the last Ready.
func (m *Member) Ready() step.Ready {
	if m.orderDue() {
		t := m.total
		for from := t.pendingFrom; from <= t.assigned; {
			to := min(t.assigned, from+uint64(m.cfg.OrderBatchMax)-1)
			o := t.batch(m.cfg.Group, m.cfg.View, from, to)
			for i, p := range m.cfg.Members {
				if i != m.self {
					m.out = append(m.out, step.Outbound{To: p, Msg: o})
				}
			}
			m.stats.OrdersSent++
			from = to + 1
		}
		t.pendingFrom = t.assigned + 1
		t.flushDue = false
	}
	if every := m.statusEvery(); every > 0 && m.rel.sinceStatus >= every {
		m.sendStatus() // a report between heartbeats (Config.StatusEvery)
		m.stats.EarlyStatus++
	}
	m.readyDeliveries = len(m.deliveries)
	m.readyFanouts = len(m.fanouts)
	return step.Ready{Messages: m.out, Events: m.events}
}

// Advance acknowledges rd, the last value Ready returned: its messages were
// sent and its events handed on, so the buffers are reused.
func (m *Member) Advance(rd step.Ready) {
	m.out = dropPrefix(m.out, len(rd.Messages))
	m.events = dropPrefix(m.events, len(rd.Events))
	m.deliveries = dropPrefix(m.deliveries, m.readyDeliveries)
	m.readyDeliveries = 0
	m.fanouts = dropPrefix(m.fanouts, m.readyFanouts)
	m.readyFanouts = 0
}

// Delivery is one delivery in compact form (Config.CompactDeliveries): what
// a Deliver event would say, less what the member's configuration already
// says (its process, group, view and class).
type Delivery struct {
	Payload   proto.Message
	Sender    history.ProcessID
	Seq       uint64
	GlobalSeq uint64 // position in the total order (atomic classes), else 0
}

// Deliveries returns, in order, the deliveries of the last Ready when
// Config.CompactDeliveries is set (none otherwise). They stay valid until
// Advance.
func (m *Member) Deliveries() []Delivery { return m.deliveries[:m.readyDeliveries] }

// Fanout is an own multicast to hand to every other member in process
// (Config.LocalFanout), by StepLocal: what its wire.Data would say, less
// what the sender's configuration already says.
type Fanout struct {
	Seq     uint64
	Vt      []uint64 // vector timestamp (causal classes), else nil
	Payload proto.Message
}

// Fanouts returns, in order, the own multicasts of the last Ready when
// Config.LocalFanout is set (none otherwise). They stay valid until
// Advance. A driver carries each to every other member before it sends
// the Ready's Messages, as if each had been listed there first.
func (m *Member) Fanouts() []Fanout { return m.fanouts[:m.readyFanouts] }

func dropPrefix[T any](s []T, k int) []T {
	k = min(k, len(s))
	n := copy(s, s[k:])
	clear(s[n:])
	return s[:n]
}

// OrdersPending reports whether the sequencer holds assignments not yet
// sent in an Order.
func (m *Member) OrdersPending() bool { return m.total != nil && m.total.pending() > 0 }

// ReleaseOrders makes the next Ready send the pending assignments whatever
// Config.OrderBatchMin says. A driver that takes Ready after every step
// (package flush does) sets OrderBatchMin high and releases once per burst,
// so that one Order covers the burst rather than one message each.
func (m *Member) ReleaseOrders() {
	if m.OrdersPending() {
		m.total.flushDue = true
	}
}
