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

// StepLocal is Step for a multicast handed over in process, its payload
// already unpacked: an entry of the sender's Fanouts (Config.LocalFanout),
// or a wire.Data of the sender's with the payload its PayloadOf returns.
// from is the sender as the driver knows it from the carrier, not from
// anything the message says. Only a driver whose carriers cannot be forged
// may call it: there is no group, view or class to check. The payload and
// timestamp are shared with the sender and every other receiver, so nobody
// may modify them.
func (m *Member) StepLocal(from history.ProcessID, seq uint64, vt []uint64, payload proto.Message) error {
	err := m.stepLocal(from, seq, vt, payload)
	if err != nil {
		m.stats.Rejected++
	}
	return err
}

func (m *Member) stepLocal(from history.ProcessID, seq uint64, vt []uint64, payload proto.Message) error {
	j, ok := m.rankOf(from)
	if !ok {
		return fmt.Errorf("%w: message from %q", ErrNotMember, from)
	}
	if payload == nil {
		return fmt.Errorf("%w: none in seq %d from %q", ErrBadPayload, seq, from)
	}
	if isNew, err := m.checkSeq(j, seq); !isNew {
		return err
	}
	if err := m.checkTimestamp(j, seq, vt); err != nil {
		return err
	}
	m.rel.received(j, seq)
	m.bottom.accept(entry{seq: seq, vt: vt, payload: payload, rank: j})
	return nil
}

// onData accepts a multicast (from its sender or as a retransmission).
func (m *Member) onData(d *wire.Data) error {
	if err := m.checkGroupView(d.Group, d.View); err != nil {
		return err
	}
	if d.Class != m.class {
		return fmt.Errorf("%w: %q, this member runs %q", ErrWrongClass, d.Class, m.class)
	}
	j, ok := m.rankOf(history.ProcessID(d.Sender))
	if !ok {
		return fmt.Errorf("%w: data sender %q", ErrNotMember, d.Sender)
	}
	if isNew, err := m.checkSeq(j, d.Seq); !isNew {
		return err
	}
	if err := m.checkTimestamp(j, d.Seq, d.Vt); err != nil {
		return err
	}
	if d.Payload == nil {
		return fmt.Errorf("%w: none in seq %d from %q", ErrBadPayload, d.Seq, d.Sender)
	}
	payload, err := m.packer.unpack(d.Payload)
	if err != nil {
		return fmt.Errorf("%w: seq %d from %q: %w", ErrBadPayload, d.Seq, d.Sender, err)
	}
	m.rel.received(j, d.Seq)
	m.bottom.accept(entry{seq: d.Seq, vt: d.Vt, payload: payload, rank: j})
	return nil
}

// checkSeq checks sequence number seq from rank j: it reports whether the
// message is new, and an error if it is not a message a correct sender can
// have sent. A duplicate is counted, and neither new nor an error.
func (m *Member) checkSeq(j int, seq uint64) (isNew bool, err error) {
	from := m.cfg.Members[j]
	if seq == 0 {
		return false, fmt.Errorf("%w: 0 from %q", ErrBadSeq, from)
	}
	if j == m.self {
		if seq <= m.rel.last {
			m.stats.Duplicates++
			return false, nil
		}
		return false, fmt.Errorf("%w: %d claims to be ours, we sent %d", ErrBadSeq, seq, m.rel.last)
	}
	isNew, beyond := m.rel.fresh(j, seq)
	if beyond {
		return false, fmt.Errorf("%w: seq %d from %q", ErrBeyondWindow, seq, from)
	}
	if !isNew {
		m.stats.Duplicates++
	}
	return isNew, nil
}

// checkTimestamp checks the vector timestamp of seq from rank j, in the
// causal classes (where every multicast has one).
func (m *Member) checkTimestamp(j int, seq uint64, vt []uint64) error {
	if m.causal == nil {
		return nil
	}
	if len(vt) != len(m.cfg.Members) || vt[j] != seq || vt[m.self] > m.rel.last {
		return fmt.Errorf("%w: %v for seq %d from %q", ErrBadTimestamp, vt, seq, m.cfg.Members[j])
	}
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
		own := m.rel.buffered(s)
		if own == nil {
			continue
		}
		m.out = append(m.out, step.Outbound{To: m.cfg.Members[from], Msg: m.dataOf(s, own)})
		m.stats.Retransmitted++
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
