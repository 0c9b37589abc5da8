package layer

import "github.com/lockstep-actors/lockstep/actors/step"

// Time-driven work: NAK scans and Status heartbeats.

// Tick advances the member's clock: it NAKs gaps that outlived a NAK
// period, sends a Status heartbeat while anything is unsettled, and lets
// pending sequencer assignments out with the next Ready.
func (m *Member) Tick() {
	m.ticks++
	t := m.total
	if t != nil && t.pending() > 0 {
		t.flushDue = true
	}
	if m.ticks%uint64(m.cfg.NakTicks) == 0 {
		m.scanGaps()
	}
	if m.ticks%uint64(m.cfg.HeartbeatTicks) == 0 {
		if m.rel.stale {
			m.rel.refreshStable()
		}
		if m.unsettled() {
			m.sendStatus()
		}
	}
}

func (m *Member) scanGaps() {
	for j, p := range m.cfg.Members {
		if j == m.self {
			continue
		}
		m.nakBuf = m.rel.gaps(j, m.cfg.NakMax, m.nakBuf[:0])
		if len(m.nakBuf) == 0 {
			continue
		}
		nak := &Nak{Group: m.cfg.Group, View: m.cfg.View, Sender: string(m.cfg.Self), Target: string(p), Seqs: append([]uint64(nil), m.nakBuf...)}
		m.out = append(m.out, step.Outbound{To: p, Msg: nak})
		m.stats.NaksSent++
	}
	if m.total != nil {
		if from, to, ok := m.total.missing(m.cfg.OrderBatchMax); ok {
			nak := &OrderNak{Group: m.cfg.Group, View: m.cfg.View, Sender: string(m.cfg.Self), From: from, To: to}
			m.out = append(m.out, step.Outbound{To: m.cfg.Members[0], Msg: nak})
			m.stats.OrderNaksSent++
		}
	}
}

// orderStable is this member's estimate of the prefix of the total order
// every member has delivered.
func (m *Member) orderStable() uint64 {
	s := m.total.delivered
	for i, r := range m.orderReports {
		if i != m.self {
			s = min(s, r)
		}
	}
	return s
}

func (m *Member) unsettled() bool {
	if m.rel.unsettled() {
		return true
	}
	if t := m.total; t != nil {
		return t.delivered != m.orderReported || (t.sequencer && t.assigned > m.orderStable())
	}
	return false
}

func (m *Member) sendStatus() {
	n := len(m.cfg.Members)
	st := &Status{Group: m.cfg.Group, View: m.cfg.View, Sender: string(m.cfg.Self), High: m.rel.last,
		Delivered: make([]uint64, n), Stable: append([]uint64(nil), m.rel.stable...)}
	for k := range n {
		st.Delivered[k] = m.rel.delivered[k].contig
	}
	if t := m.total; t != nil {
		st.OrderHigh, st.OrderDelivered, st.OrderStable = t.orderHigh, t.delivered, m.orderStable()
		m.orderReported = t.delivered
	}
	for i, p := range m.cfg.Members {
		if i != m.self {
			m.out = append(m.out, step.Outbound{To: p, Msg: st})
		}
	}
	m.rel.dirty, m.rel.needReply, m.rel.sinceStatus = false, false, 0
	m.stats.StatusSent++
}
