package layer

import (
	"fmt"
	"github.com/lockstep-actors/lockstep/internal/slab"

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
	datas  slab.Slab[wire.Data] // own Data messages are cut from it (see newData)
	packer packer               // packs payloads for other processes (pack.go)
	out    []step.Outbound
	events []history.Event
	// deliveries and readyDeliveries: see Config.CompactDeliveries and
	// Deliveries.
	deliveries      []Delivery
	readyDeliveries int
	// fanouts and readyFanouts: see Config.LocalFanout and Fanouts.
	fanouts      []Fanout
	readyFanouts int
	stats        Stats
}

var _ step.Machine = (*Member)(nil)

// New builds the stack of layers for cfg.Class (see Class.Layers).
func New(cfg Config) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(cfg.Members)
	m := &Member{
		cfg:    cfg,
		class:  cfg.Class.String(),
		rank:   make(map[history.ProcessID]int, n),
		datas:  slab.Slab[wire.Data]{Size: dataSlabSize},
		packer: newPacker(),
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
	var packed *anypb.Any
	if !m.cfg.LazyPayload {
		a, err := m.packer.pack(payload)
		if err != nil {
			return history.MsgID{}, fmt.Errorf("%w: %w", ErrBadPayload, err)
		}
		packed = a
	}
	e := entry{seq: m.rel.nextSeq(), payload: payload, rank: m.self}
	if m.causal != nil { // the only layer with a header field of its own
		e.vt = m.causal.stamp()
	}
	own := m.rel.send(payload, e.vt)
	if m.cfg.LocalFanout {
		m.fanouts = append(m.fanouts, Fanout{Seq: e.seq, Vt: e.vt, Payload: payload})
	} else {
		d := m.buildData(e.seq, own, packed)
		for i, p := range m.cfg.Members {
			if i != m.self {
				m.out = append(m.out, step.Outbound{To: p, Msg: d})
			}
		}
	}
	id := history.MsgID{Sender: m.cfg.Self, View: m.cfg.View, Seq: e.seq}
	if !m.cfg.CompactDeliveries {
		m.events = append(m.events, history.Event{Process: m.cfg.Self, Kind: history.Multicast, Msg: id, View: m.cfg.View, Class: m.class})
	}
	m.stats.Multicasts++
	m.bottom.accept(e)
	return id, nil
}

// buildData makes own multicast seq, buffered as own, a wire.Data (with
// packed as its payload) and keeps it in the buffer for retransmission.
func (m *Member) buildData(seq uint64, own *ownMsg, packed *anypb.Any) *wire.Data {
	d := m.newData()
	d.Group, d.View, d.Sender, d.Class = m.cfg.Group, m.cfg.View, string(m.cfg.Self), m.class
	d.Seq, d.Vt, d.Payload = seq, own.vt, packed
	own.data = d
	return d
}

// dataOf returns own multicast seq, still buffered, as a wire.Data: with
// Config.LocalFanout it is built on its first retransmission, without a
// packed payload (LocalFanout implies LazyPayload).
func (m *Member) dataOf(seq uint64, own *ownMsg) *wire.Data {
	if own.data != nil {
		return own.data
	}
	return m.buildData(seq, own, nil)
}

// dataSlabSize is how many own Data messages one allocation holds.
const dataSlabSize = 128

// newData returns a zero Data for an own multicast. Data are cut from
// slabs, never reused, so a multicast costs a fraction of an allocation; a
// slab lives while any of its messages is referenced (at most about
// Window/dataSlabSize+2 slabs per sender under flow control).
func (m *Member) newData() *wire.Data {
	return m.datas.New()
}

// PayloadOf returns the payload of d, unpacked, when d is one of the
// member's own multicasts still in its retransmission buffer (which holds
// every own Data a Ready or a retransmission hands out, until it is
// stable); otherwise nil. A driver uses it to hand in-process receivers the
// payload itself instead of the packed Any (see StepLocal).
func (m *Member) PayloadOf(d *wire.Data) proto.Message { return m.rel.payloadOf(d) }

// accept is the top of the stack: deliver to the application.
func (m *Member) accept(e entry) {
	m.rel.deliveredMsg(e.rank, e.seq)
	m.stats.Delivered++
	if m.cfg.CompactDeliveries {
		m.deliveries = append(m.deliveries, Delivery{Payload: e.payload, Sender: m.cfg.Members[e.rank], Seq: e.seq, GlobalSeq: e.gs})
		return
	}
	m.events = append(m.events, history.Event{
		Process: m.cfg.Self, Kind: history.Deliver,
		Msg:  history.MsgID{Sender: m.cfg.Members[e.rank], View: m.cfg.View, Seq: e.seq},
		View: m.cfg.View, Class: m.class, GlobalSeq: e.gs, Payload: e.payload,
	})
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

// rankOf is p's rank in the group. Every arrival asks, so a small group
// (the usual case) is scanned, which beats hashing the name.
func (m *Member) rankOf(p history.ProcessID) (int, bool) {
	if len(m.cfg.Members) <= scanRanks {
		for i, q := range m.cfg.Members {
			if q == p {
				return i, true
			}
		}
		return 0, false
	}
	j, ok := m.rank[p]
	return j, ok
}

// scanRanks is the largest group whose ranks rankOf finds by scanning.
const scanRanks = 8

func (m *Member) step(from history.ProcessID, msg proto.Message) error {
	j, ok := m.rankOf(from)
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
