package layer

// Stats counts what a Member did; drivers export them as metrics and tests
// assert on them.
type Stats struct {
	Multicasts    uint64 // accepted Multicast calls
	WindowFull    uint64 // Multicast calls refused by flow control
	Delivered     uint64 // deliveries to the application (own included)
	Duplicates    uint64 // data messages dropped as already received
	Rejected      uint64 // Step calls that returned an error
	NaksSent      uint64 // Nak messages sent
	Retransmitted uint64 // data messages resent in answer to a Nak
	StatusSent    uint64 // Status heartbeats sent (each to every other member)
	EarlyStatus   uint64 // of them, sent between heartbeats (Config.StatusEvery)
	OrdersSent    uint64 // Order batches sent by the sequencer (each to every other member)
	OrdersResent  uint64 // Order batches resent in answer to an OrderNak
	OrderNaksSent uint64 // OrderNak messages sent
}

// Stats returns the member's counters.
func (m *Member) Stats() Stats { return m.stats }

// Held returns how many messages the member holds: its own not yet stable,
// plus others' received but not yet delivered. It never exceeds
// Config.Window x len(Config.Members).
func (m *Member) Held() int {
	if m.rel.stale {
		m.rel.refreshStable()
	}
	h := int(m.rel.last - m.rel.stableSelf)
	if m.fifo != nil {
		h += m.fifo.nHeld
	}
	if m.causal != nil {
		h += m.causal.nHeld
	}
	if t := m.total; t != nil && !t.sequencer {
		for r, ring := range t.data {
			if r == m.self {
				continue // own messages are counted as unstable above
			}
			for i := range ring {
				if ring[i].payload != nil {
					h++
				}
			}
		}
	}
	return h
}
