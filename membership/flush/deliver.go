package flush

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// layerPaused: the ordering layer of the view takes no input while the view
// is ending (the cut decides what is delivered), while blocked, and while a
// snapshot for joiners is owed (nothing of the new view may be delivered
// before it is taken).
func (m *Member) layerPaused() bool {
	return m.promised != nil || m.blocked || m.welcomeWait || m.pendCommit != nil
}

func (m *Member) onData(from history.ProcessID, d *wire.Data) error {
	if d.Group != m.cfg.Group {
		return fmt.Errorf("%w: data of group %q", ErrMalformed, d.Group)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if d.View != m.view.ID {
		return m.otherView(from, d.View)
	}
	if m.view.Rank(from) < 0 {
		return m.notMember(from)
	}
	if m.suspects[from] && m.pendCommit == nil {
		m.stats.Refused++
		return fmt.Errorf("%w: data from suspected %s", ErrRefused, from)
	}
	s := m.view.Rank(history.ProcessID(d.Sender))
	if s < 0 || d.Seq == 0 || d.Payload == nil {
		return fmt.Errorf("%w: data %s/%d from %s", ErrMalformed, d.Sender, d.Seq, from)
	}
	m.heard(from)
	isNew := m.data.store(s, d)
	err := m.toLayer(from, d)
	if isNew {
		m.progress()
	}
	return err
}

// onLayerMsg takes the ordering layer's own control messages (loss repair,
// stability, sequencer order): the flush only watches the order.
func (m *Member) onLayerMsg(from history.ProcessID, view uint64, msg proto.Message) error {
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if view != m.view.ID {
		return m.otherView(from, view)
	}
	if m.view.Rank(from) < 0 {
		return m.notMember(from)
	}
	if m.suspects[from] {
		m.stats.Refused++
		return fmt.Errorf("%w: %T from suspected %s", ErrRefused, msg, from)
	}
	m.heard(from)
	if o, ok := msg.(*layer.Order); ok && from == m.view.Members[0] {
		m.data.learnOrder(o)
	}
	return m.toLayer(from, msg)
}

// toLayer steps the view's ordering layer, unless it is paused, and carries
// out what it produced.
func (m *Member) toLayer(from history.ProcessID, msg proto.Message) error {
	if m.lay == nil || m.layerPaused() {
		if m.welcomeWait && m.lay != nil {
			m.held = append(m.held, localMsg{from: from, msg: msg})
		}
		return nil
	}
	err := m.lay.Step(from, msg)
	m.drainLayer()
	if err != nil {
		return fmt.Errorf("flush: ordering layer: %w", err)
	}
	return nil
}

// drainLayer carries out the layer's Ready: its messages go out (the flush
// keeps a copy of our own multicasts and notes the sequencer's order), its
// deliveries are noted, and held back until stable under StableDelivery.
func (m *Member) drainLayer() {
	for range 8 {
		if m.lay == nil || !m.lay.HasReady() {
			return
		}
		rd := m.lay.Ready()
		for _, o := range rd.Messages {
			switch x := o.Msg.(type) {
			case *wire.Data:
				if s := m.view.Rank(history.ProcessID(x.Sender)); s >= 0 {
					m.data.store(s, x)
				}
			case *layer.Order:
				m.data.learnOrder(x)
			}
			m.out = append(m.out, o)
		}
		for i := range rd.Events {
			e := &rd.Events[i]
			switch {
			case e.Kind != history.Deliver:
				m.emit(e)
			case m.cfg.StableDelivery:
				m.holdback = append(m.holdback, *e)
			default:
				m.emitDeliver(e)
			}
		}
		m.lay.Advance(rd)
	}
	m.releaseStable()
}

// releaseOrders sends the sequencer's pending assignments as Orders and
// records them in the data path. The layer runs with OrderBatchMin at its
// maximum (installView), so draining it after every step emits no Order;
// the assignments of a burst of steps go out together when the driver takes
// Ready, or before anything else (a tick, a step of the view protocol) could
// pause the layer or read what the data path knows of the order: what the
// sequencer delivered by an assignment is then always in the view's cut.
func (m *Member) releaseOrders() {
	if m.lay == nil || !m.lay.OrdersPending() {
		return
	}
	m.lay.ReleaseOrders()
	m.drainLayer()
}

// releaseStable delivers held-back deliveries, in the layer's order, as far
// as they are stable.
func (m *Member) releaseStable() {
	i := 0
	for ; i < len(m.holdback); i++ {
		e := &m.holdback[i]
		s := m.view.Rank(e.Msg.Sender)
		if m.layerPaused() || s < 0 || e.Msg.Seq > m.data.stable(s) {
			break
		}
		m.emitDeliver(e)
	}
	m.holdback = m.holdback[i:]
}

// emitDeliver records a delivery as done here.
func (m *Member) emitDeliver(e *history.Event) {
	if s := m.view.Rank(e.Msg.Sender); s >= 0 {
		m.data.senders[s].markDelivered(e.Msg.Seq)
	}
	m.data.deliveredGS = max(m.data.deliveredGS, e.GlobalSeq)
	m.emit(e)
}

func (m *Member) nak(to history.ProcessID, view uint64, s int, from, upto uint64) {
	members := m.view.Members
	if view != m.view.ID && m.prev != nil {
		members = m.prev.view.Members
	}
	upto = min(upto, from+uint64(m.cfg.MaxNak)-1)
	m.sendTo(to, &Nak{Group: m.cfg.Group, View: view, Sender: string(m.cfg.Self), Target: string(members[s]), From: from, To: upto})
}

// onNak serves the flush's own retransmission requests, from any holder.
func (m *Member) onNak(from history.ProcessID, n *Nak) error {
	if n.Group != m.cfg.Group || n.Sender != string(from) || n.From == 0 || n.To < n.From {
		return fmt.Errorf("%w: nak %v from %s", ErrMalformed, n, from)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	var d *dataPath
	switch {
	case n.View == m.view.ID:
		d = m.data
	case m.prev != nil && n.View == m.prev.view.ID:
		d = m.prev.data // a laggard completing the cut of the view we left
	default:
		return fmt.Errorf("%w: nak for view %d", ErrStaleView, n.View)
	}
	if d.view.Rank(from) < 0 {
		return m.notMember(from)
	}
	s := d.view.Rank(history.ProcessID(n.Target))
	if s < 0 {
		return fmt.Errorf("%w: nak for non-member %q", ErrMalformed, n.Target)
	}
	for seq := n.From; seq <= n.To && seq < n.From+uint64(m.cfg.MaxNak); seq++ {
		if msg := d.senders[s].msgs.get(seq); msg != nil {
			m.sendTo(from, msg)
		}
	}
	return nil
}
