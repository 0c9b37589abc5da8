package layer

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Member is one process's stack of ordering layers for one view of one
// group: the pure core the actor-facing ordering package drives. It is a
// step.Machine and, like every core, not safe for concurrent use.
type Member struct {
	cfg   Config
	class string
	self  int
	rank  map[history.ProcessID]int

	rel    *reliable
	stages []stage // above the reliable layer, bottom first
	bottom sink    // where the reliable layer passes messages up
	fifo   *fifoStage
	causal *causalStage
	total  *totalStage

	orderReports  []uint64 // orderReports[i]: member i's delivered gs as last reported
	orderReported uint64   // our delivered gs in the last Status we sent

	ticks  uint64
	nakBuf []uint64
	out    []step.Outbound
	events []history.Event
	stats  Stats
}

var _ step.Machine = (*Member)(nil)

// New builds the stack of layers for cfg.Class (see Class.Layers).
func New(cfg Config) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(cfg.Members)
	m := &Member{
		cfg:   cfg,
		class: cfg.Class.String(),
		rank:  make(map[history.ProcessID]int, n),
	}
	m.cfg.Members = append([]history.ProcessID(nil), cfg.Members...)
	for i, p := range m.cfg.Members {
		m.rank[p] = i
	}
	m.self = m.rank[cfg.Self]
	m.rel = newReliable(n, m.self, cfg.Window)
	layers := cfg.Class.Layers()
	// Build top-down so that each stage knows the one above it.
	var above sink = m
	for i := len(layers) - 1; i >= 1; i-- {
		var s stage
		switch layers[i] {
		case LayerFIFO:
			m.fifo = newFIFO(n, cfg.Window, above)
			s = m.fifo
		case LayerCausal:
			m.causal = newCausal(n, m.self, cfg.Window, above)
			s = m.causal
		case LayerTotal:
			m.total = newTotal(n, cfg.Window, m.self == 0, above)
			m.orderReports = make([]uint64, n)
			s = m.total
		}
		m.stages = append([]stage{s}, m.stages...)
		above = s
	}
	m.bottom = above
	return m, nil
}

// ID is the process this member runs as.
func (m *Member) ID() history.ProcessID { return m.cfg.Self }

// Config returns the member's configuration.
func (m *Member) Config() Config { return m.cfg }

// Multicast sends payload to the whole view in the member's class and
// returns its id. The message goes to every other member through Ready;
// the member delivers to itself locally, without a network hop, as soon as
// its class allows (at once for reliable, FIFO and causal; in global order
// for the atomic classes). It returns ErrWindowFull, and sends nothing, when
// Config.Window of the member's own multicasts are not yet stable: the
// caller retries after further Steps and Ticks.
func (m *Member) Multicast(payload proto.Message) (history.MsgID, error) {
	if payload == nil {
		return history.MsgID{}, ErrNilPayload
	}
	if !m.rel.canSend() {
		m.stats.WindowFull++
		return history.MsgID{}, ErrWindowFull
	}
	a, err := anypb.New(payload)
	if err != nil {
		return history.MsgID{}, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	d := &wire.Data{Group: m.cfg.Group, View: m.cfg.View, Sender: string(m.cfg.Self), Class: m.class, Payload: a}
	m.rel.send(d)
	for i := len(m.stages) - 1; i >= 0; i-- {
		m.stages[i].stamp(d)
	}
	for i, p := range m.cfg.Members {
		if i != m.self {
			m.out = append(m.out, step.Outbound{To: p, Msg: d})
		}
	}
	id := history.MsgID{Sender: m.cfg.Self, View: m.cfg.View, Seq: d.Seq}
	m.events = append(m.events, history.Event{Process: m.cfg.Self, Kind: history.Multicast, Msg: id, View: m.cfg.View, Class: m.class})
	m.stats.Multicasts++
	m.bottom.accept(entry{d: d, payload: payload, rank: m.self})
	return id, nil
}

// accept is the top of the stack: deliver to the application.
func (m *Member) accept(e entry) {
	m.rel.deliveredMsg(e.rank, e.d.Seq)
	m.events = append(m.events, history.Event{
		Process: m.cfg.Self, Kind: history.Deliver,
		Msg:  history.MsgID{Sender: m.cfg.Members[e.rank], View: m.cfg.View, Seq: e.d.Seq},
		View: m.cfg.View, Class: m.class, GlobalSeq: e.gs, Payload: e.payload,
	})
	m.stats.Delivered++
}

// Step feeds one message from process from: a *wire.Data (first send or
// retransmission) or one of this package's control messages. A rejected
// message returns an error wrapping a sentinel and changes nothing.
// Duplicates are not errors: they are dropped and counted in Stats.
func (m *Member) Step(from history.ProcessID, msg proto.Message) error {
	err := m.step(from, msg)
	if err != nil {
		m.stats.Rejected++
	}
	return err
}

func (m *Member) step(from history.ProcessID, msg proto.Message) error {
	j, ok := m.rank[from]
	if !ok {
		return fmt.Errorf("%w: message from %q", ErrNotMember, from)
	}
	switch x := msg.(type) {
	case *wire.Data:
		return m.onData(x)
	case *Nak:
		return m.onNak(j, x)
	case *Status:
		return m.onStatus(j, x)
	case *Order:
		return m.onOrder(j, x)
	case *OrderNak:
		return m.onOrderNak(j, x)
	}
	return fmt.Errorf("%w: %T from %q", ErrUnknownMessage, msg, from)
}

func (m *Member) checkGroupView(group string, view uint64) error {
	if group != m.cfg.Group {
		return fmt.Errorf("%w: %q, this is %q", ErrWrongGroup, group, m.cfg.Group)
	}
	if view != m.cfg.View {
		return fmt.Errorf("%w: %d, this is %d", ErrWrongView, view, m.cfg.View)
	}
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
	if d.Payload == nil {
		return fmt.Errorf("%w: none in seq %d from %q", ErrBadPayload, d.Seq, d.Sender)
	}
	p, err := d.Payload.UnmarshalNew()
	if err != nil {
		return fmt.Errorf("%w: seq %d from %q: %w", ErrBadPayload, d.Seq, d.Sender, err)
	}
	m.rel.received(j, d.Seq)
	m.bottom.accept(entry{d: d, payload: p, rank: j})
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
	m.rel.dirty, m.rel.needReply = false, false
	m.stats.StatusSent++
}

// orderDue reports whether Ready should emit the pending assignments.
func (m *Member) orderDue() bool {
	t := m.total
	if t == nil {
		return false
	}
	p := t.pending()
	return p > 0 && (p >= m.cfg.OrderBatchMin || t.flushDue)
}

// HasReady reports whether Ready would return anything.
func (m *Member) HasReady() bool {
	return len(m.out) > 0 || len(m.events) > 0 || m.orderDue()
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
	return step.Ready{Messages: m.out, Events: m.events}
}

// Advance acknowledges rd, the last value Ready returned: its messages were
// sent and its events handed on, so the buffers are reused.
func (m *Member) Advance(rd step.Ready) {
	m.out = dropPrefix(m.out, len(rd.Messages))
	m.events = dropPrefix(m.events, len(rd.Events))
}

func dropPrefix[T any](s []T, k int) []T {
	k = min(k, len(s))
	n := copy(s, s[k:])
	clear(s[n:])
	return s[:n]
}
