package layer

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// The handlers of Step, one per message type. Each validates its message
// completely before changing anything, so a rejected message leaves the
// member as it was.

func (m *Member) checkGroupView(group string, view uint64) error {
	if group != m.cfg.Group {
		return fmt.Errorf("%w: %q, this is %q", ErrWrongGroup, group, m.cfg.Group)
	}
	if view != m.cfg.View {
		return fmt.Errorf("%w: %d, this is %d", ErrWrongView, view, m.cfg.View)
	}
	return nil
}

// StepData is Step for a *wire.Data whose payload the caller already has
// unpacked: an in-process driver hands over the sender's payload (from the
// sender's PayloadOf) and the packed Any is neither needed nor read. A nil
// payload means: unpack d.Payload, as Step does. The payload is shared with
// the sender and every other receiver, so nobody may modify it.
func (m *Member) StepData(from history.ProcessID, d *wire.Data, payload proto.Message) error {
	err := m.stepData(from, d, payload)
	if err != nil {
		m.stats.Rejected++
	}
	return err
}

func (m *Member) stepData(from history.ProcessID, d *wire.Data, payload proto.Message) error {
	if d != nil && string(from) == d.Sender { // onData checks the sender
		return m.onData(d, payload)
	}
	if _, ok := m.rank[from]; !ok {
		return fmt.Errorf("%w: message from %q", ErrNotMember, from)
	}
	if d == nil {
		return fmt.Errorf("%w: nil data from %q", ErrUnknownMessage, from)
	}
	return m.onData(d, payload)
}

// onData accepts a multicast (from its sender or as a retransmission);
// payload is its unpacked payload, or nil to unpack d.Payload.
func (m *Member) onData(d *wire.Data, payload proto.Message) error {
	if err := m.checkGroupView(d.Group, d.View); err != nil {
		return err
	}
	if d.Class != m.class {
		return fmt.Errorf("%w: %q, this member runs %q", ErrWrongClass, d.Class, m.class)
	}
	j, ok := m.rank[history.ProcessID(d.Sender)]
	if !ok {
		return fmt.Errorf("%w: data sender %q", ErrNotMember, d.Sender)
	}
	if d.Seq == 0 {
		return fmt.Errorf("%w: 0 from %q", ErrBadSeq, d.Sender)
	}
	if j == m.self {
		if d.Seq <= m.rel.last {
			m.stats.Duplicates++
			return nil
		}
		return fmt.Errorf("%w: %d claims to be ours, we sent %d", ErrBadSeq, d.Seq, m.rel.last)
	}
	isNew, beyond := m.rel.fresh(j, d.Seq)
	if beyond {
		return fmt.Errorf("%w: seq %d from %q", ErrBeyondWindow, d.Seq, d.Sender)
	}
	if !isNew {
		m.stats.Duplicates++
		return nil
	}
	if m.causal != nil {
		if len(d.Vt) != len(m.cfg.Members) || d.Vt[j] != d.Seq || d.Vt[m.self] > m.rel.last {
			return fmt.Errorf("%w: %v for seq %d from %q", ErrBadTimestamp, d.Vt, d.Seq, d.Sender)
		}
	}
	if payload == nil {
		if d.Payload == nil {
			return fmt.Errorf("%w: none in seq %d from %q", ErrBadPayload, d.Seq, d.Sender)
		}
		p, err := m.packer.unpack(d.Payload)
		if err != nil {
			return fmt.Errorf("%w: seq %d from %q: %w", ErrBadPayload, d.Seq, d.Sender, err)
		}
		payload = p
	}
	m.rel.received(j, d.Seq)
	m.bottom.accept(entry{d: d, payload: payload, rank: j})
	return nil
}

// onNak retransmits what the asking member misses, from the send buffer.
func (m *Member) onNak(from int, x *Nak) error {
	if err := m.checkGroupView(x.Group, x.View); err != nil {
		return err
	}
	if history.ProcessID(x.Target) != m.cfg.Self {
		return fmt.Errorf("%w: nak for %q sent to %q", ErrNotMember, x.Target, m.cfg.Self)
	}
	for _, s := range x.Seqs {
		if d := m.rel.retransmit(s); d != nil {
			m.out = append(m.out, step.Outbound{To: m.cfg.Members[from], Msg: d})
			m.stats.Retransmitted++
		}
	}
	return nil
}

// onStatus takes a heartbeat and stability report.
func (m *Member) onStatus(from int, x *Status) error {
	if err := m.checkGroupView(x.Group, x.View); err != nil {
		return err
	}
	n := len(m.cfg.Members)
	if len(x.Delivered) != n || len(x.Stable) != n {
		return fmt.Errorf("%w: %d delivered and %d stable entries for %d members", ErrBadReport, len(x.Delivered), len(x.Stable), n)
	}
	if x.Delivered[m.self] > m.rel.last {
		return fmt.Errorf("%w: %q delivered %d of ours, we sent %d", ErrBadReport, m.cfg.Members[from], x.Delivered[m.self], m.rel.last)
	}
	row := m.rel.reports[from]
	for k, v := range x.Delivered {
		if v > row[k] { // reports may arrive out of order: keep the newest
			row[k] = v
			m.rel.stale = true
		}
		if x.Stable[k] < m.rel.delivered[k].contig {
			m.rel.needReply = true
		}
	}
	m.rel.learnHigh(from, x.High)
	if t := m.total; t != nil {
		m.orderReports[from] = max(m.orderReports[from], x.OrderDelivered)
		if from == 0 {
			t.learnHigh(x.OrderHigh)
		}
		if x.OrderStable < t.delivered {
			m.rel.needReply = true
		}
	}
	return nil
}

// onOrder takes a batch of sequencer assignments.
func (m *Member) onOrder(from int, x *Order) error {
	if m.total == nil {
		return fmt.Errorf("%w: class %s has no sequencer", ErrNotSequencer, m.class)
	}
	if from != 0 {
		return fmt.Errorf("%w: order from %q", ErrNotSequencer, m.cfg.Members[from])
	}
	if err := m.checkGroupView(x.Group, x.View); err != nil {
		return err
	}
	if err := m.total.checkOrder(x, len(m.cfg.Members)); err != nil {
		return err
	}
	for i, r := range x.Ranks {
		m.rel.learnHigh(int(r), x.Seqs[i]) // an assignment proves the message exists
	}
	m.total.applyOrder(x)
	return nil
}

// onOrderNak resends assignments to a member that misses them.
func (m *Member) onOrderNak(from int, x *OrderNak) error {
	t := m.total
	if t == nil || !t.sequencer {
		return fmt.Errorf("%w: order nak sent to %q", ErrNotSequencer, m.cfg.Self)
	}
	if err := m.checkGroupView(x.Group, x.View); err != nil {
		return err
	}
	if x.From == 0 || x.To < x.From {
		return fmt.Errorf("%w: order nak for %d..%d", ErrBadOrder, x.From, x.To)
	}
	lo := max(x.From, t.assigned+1-min(t.assigned, t.capacity))
	hi := min(x.To, t.assigned, lo+uint64(m.cfg.OrderBatchMax)-1)
	if lo > hi {
		return nil
	}
	m.out = append(m.out, step.Outbound{To: m.cfg.Members[from], Msg: t.batch(m.cfg.Group, m.cfg.View, lo, hi)})
	m.stats.OrdersResent++
	return nil
}
