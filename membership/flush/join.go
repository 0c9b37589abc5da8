package flush

import (
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// sendJoin asks the seeds, every RetransmitEvery ticks, to be added.
func (m *Member) sendJoin() {
	if !m.every("join", m.cfg.RetransmitEvery) {
		return
	}
	for _, p := range m.cfg.Seeds {
		if p != m.cfg.Self {
			m.sendTo(p, &Join{Group: m.cfg.Group, Sender: string(m.cfg.Self)})
		}
	}
}

// sendLeave asks every member (only the coordinator acts) to be removed.
func (m *Member) sendLeave() {
	if !m.every("leave", m.cfg.RetransmitEvery) {
		return
	}
	lv := &Leave{Group: m.cfg.Group, View: m.view.ID, Sender: string(m.cfg.Self)}
	for _, p := range m.view.Members {
		m.sendTo(p, lv)
	}
}

func (m *Member) onLeave(from history.ProcessID, l *Leave) error {
	if err := m.checkFlushMsg(from, l.Group, l.View, l.Sender); err != nil {
		return err
	}
	m.leaves[from] = true
	return nil
}

// onJoin: the coordinator notes the joiner for the next view change; other
// members forward the request to the member they expect to coordinate.
func (m *Member) onJoin(from history.ProcessID, j *Join) error {
	if j.Group != m.cfg.Group || j.Sender == "" {
		return errMalformed("join", from)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	joiner := history.ProcessID(j.Sender)
	if m.view.Rank(joiner) >= 0 {
		// Already added: its Welcome may have been lost.
		if m.welcome != nil && slices.Contains(m.welcome.Proposal.Members, j.Sender) && !m.welcomeWait {
			m.sendTo(joiner, m.welcome)
		}
		return nil
	}
	coord := m.firstTrusted(m.suspects)
	if coord != m.cfg.Self {
		if coord != "" && from == joiner {
			m.sendTo(coord, j)
		}
		return nil
	}
	if !slices.Contains(m.joins, joiner) {
		m.joins = append(m.joins, joiner)
	}
	return nil
}

// welcomeJoiners prepares the Welcome for the members the new view added
// (the joiner takes the first that arrives; later ones, and answers to its
// repeated Joins, are ignored).
// With a state-transfer hook the snapshot is taken at the next Advance, once
// the application has applied the old view's cut; until then nothing of the
// new view is delivered or sent.
func (m *Member) welcomeJoiners(old View) {
	var joiners []history.ProcessID
	for _, p := range m.view.Members {
		if old.Rank(p) < 0 {
			joiners = append(joiners, p)
		}
	}
	if len(joiners) == 0 {
		return
	}
	m.welcome = &Welcome{Group: m.cfg.Group, Proposal: &Proposal{View: m.view.ID, Prev: old.ID, Members: strs(m.view.Members)}}
	m.welcomeWait = true
	m.welcomeAt = len(m.events)
	if m.cfg.State == nil {
		m.sendWelcome()
	}
}

func (m *Member) sendWelcome() {
	m.welcomeWait = false
	if m.cfg.State != nil {
		m.welcome.Snapshot = m.cfg.State.Snapshot()
	}
	for _, p := range m.welcome.Proposal.Members {
		if m.prev != nil && m.prev.view.Rank(history.ProcessID(p)) < 0 {
			m.sendTo(history.ProcessID(p), m.welcome)
		}
	}
	held := m.held
	m.held = nil
	for _, h := range held {
		_ = m.toLayer(h.from, h.msg) // errors were the layer's to count
	}
	m.releaseStable() // queued multicasts go out from the next tick on
}

// onWelcome installs a joiner's first view, after restoring the state.
func (m *Member) onWelcome(from history.ProcessID, w *Welcome) error {
	p := w.Proposal
	if w.Group != m.cfg.Group || p == nil || p.View == 0 {
		return errMalformed("welcome", from)
	}
	if m.status != Joining {
		return nil // a duplicate, or too late
	}
	if !slices.Contains(p.Members, string(m.cfg.Self)) {
		return errMalformed("welcome that does not name us", from)
	}
	if m.cfg.State != nil {
		if err := m.cfg.State.Restore(w.Snapshot); err != nil {
			return fmt.Errorf("%w: restoring the snapshot: %w", ErrMalformed, err)
		}
	}
	// A joiner has heard from no one in this view yet: each member's silence
	// counts from its first message, within JoinGrace (other joiners of the
	// same view may take as long to get in as we did).
	m.install(View{ID: p.View, Members: ids(p.Members)}, 0, nil)
	return nil
}
