package flush

import (
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// heartbeat tells every other member of the view (suspected ones too, so
// that they learn where they stand) that we are alive and what we hold.
func (m *Member) heartbeat() {
	hb := &Heartbeat{
		Group:       m.cfg.Group,
		View:        m.view.ID,
		Sender:      string(m.cfg.Self),
		Recv:        m.reportVector(),
		Flushing:    m.promised != nil,
		DeliveredGs: m.data.deliveredGS,
	}
	for p := range m.suspects {
		hb.Suspects = append(hb.Suspects, string(p))
	}
	slices.Sort(hb.Suspects)
	for _, p := range m.view.Members {
		if p != m.cfg.Self {
			m.sendTo(p, hb)
		}
	}
}

// reportVector is what heartbeats report holding. Once this member has
// answered a flush its report is frozen at what it answered: a higher report
// could make a message stable, and delivered somewhere under StableDelivery,
// that the cut, fixed from the answers, leaves out.
func (m *Member) reportVector() []uint64 {
	if m.frozen != nil {
		return m.frozen
	}
	return m.data.recvVector()
}

// detect suspects every member not heard from for SuspectTimeout ticks (a
// member new to the view that has not spoken yet: for JoinGrace ticks since
// the install) and decides whether this side of the group is still a
// primary component.
func (m *Member) detect() {
	for r, p := range m.view.Members {
		if p == m.cfg.Self || m.suspects[p] {
			continue
		}
		limit := m.cfg.SuspectTimeout
		if m.awaiting[r] {
			limit = m.cfg.joinGrace()
		}
		if m.now-m.lastHeard[r] > limit {
			m.Suspect(p)
		}
	}
	gone := m.excludedSet()
	blocked := len(gone) > 0 && !m.policy.Primary(m.view.Members, m.without(gone))
	if !blocked && m.firstTrusted(m.suspects) == m.cfg.Self {
		// As coordinator we would also leave out those who suspect us:
		// if that is too many, we cannot lead a primary view either.
		if cg := m.coordExcluded(); len(cg) > 0 && !m.policy.Primary(m.view.Members, m.without(cg)) {
			blocked, gone = true, cg
		}
	}
	m.setBlocked(blocked, len(gone))
}

// setBlocked records whether this side of the group lacks a primary
// component, with an event when it starts to.
func (m *Member) setBlocked(blocked bool, gone int) {
	if blocked && !m.blocked {
		m.emit(&history.Event{Kind: KindBlocked, View: m.view.ID,
			Value: fmt.Sprintf("no primary component: %d of %d members trusted", len(m.view.Members)-gone, len(m.view.Members))})
	}
	m.blocked = blocked
}

// Suspect makes the member suspect p at once, as the timeout would later: a
// driver may call it when its transport reports p's connection gone
// (protoactor's Terminated), to speed detection up. It never replaces the
// heartbeat timeout, which also catches hung and slow processes. Suspecting
// a process that is not a member of the current view does nothing.
func (m *Member) Suspect(p history.ProcessID) {
	if m.status != Normal || p == m.cfg.Self || m.suspects[p] || m.view.Rank(p) < 0 {
		return
	}
	m.suspects[p] = true
	m.emit(&history.Event{Kind: history.Suspect, Peer: p, View: m.view.ID})
}

// excludedSet is every member we suspect plus every member suspected by a
// member we trust: as in Isis, one suspicion is enough to remove a member.
// It decides whether this side of the group is still primary.
func (m *Member) excludedSet() map[history.ProcessID]bool {
	if len(m.suspects) == 0 && !slices.ContainsFunc(m.reported, func(r []history.ProcessID) bool { return len(r) > 0 }) {
		return nil // the common case, without allocation
	}
	gone := make(map[history.ProcessID]bool, len(m.suspects))
	for p := range m.suspects {
		gone[p] = true
	}
	for r, p := range m.view.Members {
		if m.suspects[p] || p == m.cfg.Self {
			continue
		}
		for _, q := range m.reported[r] {
			gone[q] = true
		}
	}
	return gone
}

// coordExcluded is whom the coordinator leaves out of the next view: the
// excluded set, except itself, plus every member that suspects it. Who
// suspects the coordinator will not take part in its flush, so one of the
// two must go, and the coordinator's choice is the one all can agree on:
// it coordinates only if no lower-ranked member is suspected by it, a rule
// that does not depend on what others report.
func (m *Member) coordExcluded() map[history.ProcessID]bool {
	gone := m.excludedSet()
	if gone == nil {
		return nil
	}
	delete(gone, m.cfg.Self)
	for r, p := range m.view.Members {
		if !m.suspects[p] && slices.Contains(m.reported[r], m.cfg.Self) {
			gone[p] = true
		}
	}
	return gone
}

// without returns the view's members not in gone, in rank order.
func (m *Member) without(gone map[history.ProcessID]bool) []history.ProcessID {
	out := make([]history.ProcessID, 0, len(m.view.Members))
	for _, p := range m.view.Members {
		if !gone[p] {
			out = append(out, p)
		}
	}
	return out
}

// heard notes that member p of the current view is alive.
func (m *Member) heard(p history.ProcessID) {
	if m.status != Normal {
		return
	}
	if r := m.view.Rank(p); r >= 0 {
		m.heardRank(r)
	}
}

// heardRank notes that the member of rank r is alive: its silence, and
// from its first contact on the ordinary timeout, count from now.
func (m *Member) heardRank(r int) {
	m.lastHeard[r] = m.now
	m.awaiting[r] = false
}

func (m *Member) onHeartbeat(from history.ProcessID, hb *Heartbeat) error {
	if hb.Group != m.cfg.Group || hb.Sender != string(from) {
		return fmt.Errorf("%w: heartbeat of group %q from %q sent by %s", ErrMalformed, hb.Group, hb.Sender, from)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if hb.View != m.view.ID {
		return m.otherView(from, hb.View)
	}
	r := m.view.Rank(from)
	if r < 0 {
		return m.notMember(from)
	}
	if len(hb.Recv) != len(m.view.Members) {
		return fmt.Errorf("%w: heartbeat with %d entries in a view of %d", ErrMalformed, len(hb.Recv), len(m.view.Members))
	}
	m.heardRank(r)
	if m.suspects[from] {
		if !m.blocked {
			m.stats.Refused++
			return fmt.Errorf("%w: %s is suspected in view %d", ErrRefused, from, m.view.ID)
		}
		// Blocked for want of a majority, and heard again in the same view
		// (the partition healed): trust it again, or no side could ever
		// form a primary view. On a primary side a suspicion stands until
		// the view change removes the member, which must then join anew.
		delete(m.suspects, from)
	}
	for s, v := range hb.Recv {
		m.data.reports[r][s] = max(m.data.reports[r][s], v)
	}
	m.data.gsReports[r] = max(m.data.gsReports[r], hb.DeliveredGs)
	m.reported[r] = ids(hb.Suspects)
	m.flushRep[r] = hb.Flushing
	if m.cfg.StableDelivery {
		m.releaseStable() // the report may have made messages stable
	}
	return nil
}

// otherView handles a message of view v from p while we are in a different
// view: a member that lags one view behind is sent the commit that ended it;
// anyone further behind and not a member learns that it was removed.
func (m *Member) otherView(p history.ProcessID, v uint64) error {
	if v > m.view.ID {
		if r := m.view.Rank(p); r >= 0 {
			m.heardRank(r) // it is alive, just ahead of us
		}
		return fmt.Errorf("%w: view %d from %s, in %d", ErrFutureView, v, p, m.view.ID)
	}
	m.stats.Stale++
	if m.prev != nil && v == m.prev.view.ID && m.prev.view.Rank(p) >= 0 && m.prev.commit != nil {
		if m.every("commit/"+string(p), m.cfg.RetransmitEvery) {
			m.sendTo(p, m.prev.commit)
		}
	} else if m.view.Rank(p) < 0 && m.every("excluded/"+string(p), m.cfg.RetransmitEvery) {
		m.sendTo(p, &Removed{Group: m.cfg.Group, View: m.view.ID, Members: strs(m.view.Members)})
	}
	return fmt.Errorf("%w: view %d from %s, in %d", ErrStaleView, v, p, m.view.ID)
}

// notMember refuses a message from a process outside the view and tells it so.
func (m *Member) notMember(p history.ProcessID) error {
	m.stats.Refused++
	if m.every("excluded/"+string(p), m.cfg.RetransmitEvery) {
		m.sendTo(p, &Removed{Group: m.cfg.Group, View: m.view.ID, Members: strs(m.view.Members)})
	}
	return fmt.Errorf("%w: %s not in view %d", ErrNotMember, p, m.view.ID)
}

func (m *Member) onRemoved(from history.ProcessID, x *Removed) error {
	if x.Group != m.cfg.Group {
		return fmt.Errorf("%w: group %q", ErrMalformed, x.Group)
	}
	if m.status != Normal || x.View <= m.view.ID || slices.Contains(x.Members, string(m.cfg.Self)) {
		return nil
	}
	m.leaveGroup()
	return nil
}
