package flush

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

func (m *Member) onData(from history.ProcessID, d *wire.Data) error {
	if d.Group != m.cfg.Group {
		return fmt.Errorf("%w: data of group %q", ErrMalformed, d.Group)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	// A message of the previous view may be needed to complete a commit
	// relayed to a laggard: only while we still lag can that happen, so
	// anything else of another view is stale or early.
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
	m.lastHeard[m.view.Rank(from)] = m.now
	if m.data.store(s, d) {
		m.deliverReady()
		m.progress()
	}
	return nil
}

// deliverReady delivers, in FIFO order per sender, every held message that
// may be delivered now: none while the view is ending (the cut decides), and
// only stable ones under StableDelivery.
func (m *Member) deliverReady() {
	if m.status != Normal || m.promised != nil || m.blocked || m.welcomeWait {
		return
	}
	for s := range m.data.senders {
		l := &m.data.senders[s]
		limit := l.recv
		if m.cfg.StableDelivery {
			limit = min(limit, m.data.stable(s))
		}
		for l.delivered < limit {
			m.deliver(s, l.msgs[l.delivered+1])
		}
	}
}

// deliver hands message seq delivered+1 of sender rank s to the application.
func (m *Member) deliver(s int, d *wire.Data) {
	l := &m.data.senders[s]
	l.delivered++
	var payload proto.Message
	if d != nil {
		if p, err := d.Payload.UnmarshalNew(); err == nil {
			payload = p
		} else {
			payload = d.Payload
		}
	}
	m.emit(history.Event{
		Kind:    history.Deliver,
		Msg:     history.MsgID{Sender: m.data.view.Members[s], View: m.data.view.ID, Seq: l.delivered},
		View:    m.data.view.ID,
		Class:   m.cfg.Class,
		Payload: payload,
	})
}

// repair asks for messages others reported holding that we lack: from the
// sender if we trust it, else from any member that holds them.
func (m *Member) repair() {
	if m.now%m.cfg.HeartbeatEvery != 0 {
		return
	}
	skip := func(r int) bool { return m.suspects[m.view.Members[r]] }
	for s := range m.data.senders {
		have := m.data.senders[s].recv
		known, holder := m.data.known(s, skip)
		if known <= have || holder < 0 {
			continue
		}
		m.nak(m.view.Members[holder], m.view.ID, s, have+1, known)
	}
}

func (m *Member) nak(to history.ProcessID, view uint64, s int, from, upto uint64) {
	members := m.view.Members
	if view != m.view.ID && m.prev != nil {
		members = m.prev.view.Members
	}
	upto = min(upto, from+uint64(m.cfg.MaxNak)-1)
	m.sendTo(to, &Nak{Group: m.cfg.Group, View: view, Sender: string(m.cfg.Self), Target: string(members[s]), From: from, To: upto})
}

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
		if msg := d.senders[s].msgs[seq]; msg != nil {
			m.sendTo(from, msg)
		}
	}
	return nil
}
