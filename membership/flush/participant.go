package flush

import (
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

func errMalformed(what string, from history.ProcessID) error {
	return fmt.Errorf("%w: %s from %s", ErrMalformed, what, from)
}

// checkFlushMsg validates a flush message of view v from a member: the
// group, the claimed sender, our membership and the view.
func (m *Member) checkFlushMsg(from history.ProcessID, group string, v uint64, sender string) error {
	if group != m.cfg.Group || (sender != "" && sender != string(from)) {
		return errMalformed("flush message", from)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if v != m.view.ID {
		return m.otherView(from, v)
	}
	if m.view.Rank(from) < 0 {
		return m.notMember(from)
	}
	m.heard(from)
	return nil
}

// onFlush (phase 1): stop multicasting in the view, promise the ballot and
// report what we hold and what we voted for.
func (m *Member) onFlush(from history.ProcessID, f *Flush) error {
	if err := m.checkFlushMsg(from, f.Group, f.View, ""); err != nil {
		return err
	}
	if f.Ballot == nil || f.Ballot.Coordinator != string(from) {
		return errMalformed("flush without its coordinator's ballot", from)
	}
	if m.suspects[from] {
		m.stats.Refused++
		return fmt.Errorf("%w: flush from suspected %s", ErrRefused, from)
	}
	if less(f.Ballot, m.promised) {
		m.sendTo(from, &FlushOk{Group: m.cfg.Group, View: m.view.ID, Sender: string(m.cfg.Self), Ballot: f.Ballot, Reject: true, Promised: m.promised})
		return nil
	}
	m.promise(f.Ballot)
	recv := m.data.recvVector()
	if m.frozen == nil {
		m.frozen = recv
	}
	ok := &FlushOk{
		Group: m.cfg.Group, View: m.view.ID, Sender: string(m.cfg.Self), Ballot: f.Ballot,
		Recv: recv, AcceptedBallot: m.accBallot, Accepted: m.accepted,
		DeliveredGs: m.data.deliveredGS, OrderFrom: m.data.orderFrom,
	}
	ok.ExtraRanks, ok.ExtraSeqs = m.data.extras()
	for _, e := range m.data.order {
		if !e.set {
			break
		}
		ok.OrderRanks = append(ok.OrderRanks, e.rank)
		ok.OrderSeqs = append(ok.OrderSeqs, e.seq)
	}
	m.sendTo(from, ok)
	return nil
}

func (m *Member) promise(b *Ballot) {
	if !sameBallot(b, m.promised) {
		m.promised, m.promisedAt = b, m.now
	}
	m.maxRound = max(m.maxRound, b.Round)
	if m.coord != nil && less(m.coord.ballot, b) {
		m.coord = nil // someone leads with a higher ballot
	}
}

// onAccept (phase 2): vote for the proposal once every message of its cut is
// held, fetching what is missing from the coordinator, which holds it all.
func (m *Member) onAccept(from history.ProcessID, a *Accept) error {
	if err := m.checkFlushMsg(from, a.Group, a.View, ""); err != nil {
		return err
	}
	if a.Ballot == nil || a.Ballot.Coordinator != string(from) || !m.validProposal(a.Proposal) {
		return errMalformed("accept", from)
	}
	if m.suspects[from] {
		m.stats.Refused++
		return fmt.Errorf("%w: accept from suspected %s", ErrRefused, from)
	}
	if less(a.Ballot, m.promised) {
		m.sendTo(from, &AcceptOk{Group: m.cfg.Group, View: m.view.ID, Sender: string(m.cfg.Self), Ballot: a.Ballot, Reject: true, Promised: m.promised})
		return nil
	}
	m.promise(a.Ballot)
	m.pendAccept, m.pendAcceptBy = a, from
	m.progress()
	return nil
}

func (m *Member) onCommit(from history.ProcessID, c *Commit) error {
	p := c.Proposal
	if c.Group != m.cfg.Group || p == nil || c.Ballot == nil {
		return errMalformed("commit", from)
	}
	if m.status != Normal {
		return fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if p.Prev != m.view.ID {
		if p.Prev < m.view.ID {
			m.stats.Stale++
			return fmt.Errorf("%w: commit ending view %d, in %d", ErrStaleView, p.Prev, m.view.ID)
		}
		return fmt.Errorf("%w: commit ending view %d, in %d", ErrFutureView, p.Prev, m.view.ID)
	}
	if !m.validProposal(p) {
		return errMalformed("commit", from)
	}
	// A commit is a decision: whoever relays it, it is the only one.
	if m.pendCommit == nil {
		m.pendCommit, m.pendCommitBy = c, from
		if m.promised == nil {
			m.promise(c.Ballot)
		}
	}
	m.progress()
	return nil
}

// progress completes what waits for messages: our vote, the coordinator's
// Accept, and the commit.
func (m *Member) progress() {
	if m.status != Normal {
		return
	}
	if c := m.coord; c != nil && c.proposal != nil && !c.accepted && len(m.lacking(c.proposal)) == 0 {
		m.fetchCut()
	}
	if a := m.pendAccept; a != nil && m.pendCommit == nil {
		switch {
		case less(a.Ballot, m.promised):
			m.pendAccept = nil
		case m.holdsOwed(a.Proposal) || m.cfg.brokenNoGapFill:
			m.pendAccept = nil
			m.accBallot, m.accepted = a.Ballot, a.Proposal
			m.sendTo(m.pendAcceptBy, &AcceptOk{Group: m.cfg.Group, View: m.view.ID, Sender: string(m.cfg.Self), Ballot: a.Ballot})
		}
	}
	if c := m.pendCommit; c != nil {
		mine := slices.Contains(c.Proposal.Members, string(m.cfg.Self))
		voter := slices.Contains(c.Proposal.Voters, string(m.cfg.Self))
		if !mine && (!m.leaving || !voter) {
			m.leaveGroup() // removed: nothing more of this group is ours to deliver
			return
		}
		if m.holdsOwed(c.Proposal) || m.cfg.brokenNoGapFill {
			m.applyCommit(c)
		}
	}
}

// retryPending asks again, every RetransmitEvery ticks, for the messages a
// vote or a commit still waits for.
func (m *Member) retryPending() {
	if !m.every("pending", m.cfg.RetransmitEvery) {
		return
	}
	var p *Proposal
	var holder history.ProcessID
	switch {
	case m.pendCommit != nil:
		p, holder = m.pendCommit.Proposal, m.pendCommitBy
	case m.pendAccept != nil:
		p, holder = m.pendAccept.Proposal, m.pendAcceptBy
	default:
		return
	}
	m.fetchOwed(p, func(s int, seq uint64) history.ProcessID { return m.holderOf(s, seq, holder) })
}

// holderOf picks a member to ask for message (s, seq): one whose last
// heartbeat reported holding it and that we trust, else fallback (the
// coordinator or the member that relayed the commit).
func (m *Member) holderOf(s int, seq uint64, fallback history.ProcessID) history.ProcessID {
	best, bestHas := fallback, uint64(0)
	if r := m.view.Rank(fallback); r >= 0 {
		bestHas = m.data.reports[r][s]
	}
	if bestHas >= seq {
		return fallback
	}
	for r, p := range m.view.Members {
		if p == m.cfg.Self || m.suspects[p] {
			continue
		}
		if has := m.data.reports[r][s]; has >= seq && has > bestHas {
			best, bestHas = p, has
		}
	}
	return best
}

// applyCommit delivers exactly the cut, then installs the next view (or,
// when this process is not in it, stops).
func (m *Member) applyCommit(c *Commit) {
	p := c.Proposal
	m.deliverCut(p)
	old := m.data
	oldView := m.view
	if !slices.Contains(p.Members, string(m.cfg.Self)) {
		m.leaveGroup()
		return
	}
	m.install(View{ID: p.View, Members: ids(p.Members)}, p.Prev, oldView.Members)
	m.prev = &prevView{view: oldView, data: old, commit: c}
	// Every survivor welcomes the joiners, not only the coordinator: the
	// coordinator may have been left out of the view it committed (an adopted
	// proposal), or crash; all survivors delivered the same cut, so any
	// snapshot taken now is the state at the cut.
	m.welcomeJoiners(oldView)
	// Queued multicasts go out from the next tick on, in a Ready of their
	// own: a driver that dies part way through carrying out this one must
	// not show a multicast of the new view without its install.
}

// install makes v the current view and records its installation. The
// silence of the members in known (the founders, or the survivors of the
// previous view) counts from now; the others are new to the view and are
// given JoinGrace to make first contact (see Config.JoinGrace).
func (m *Member) install(v View, prev uint64, known []history.ProcessID) {
	carried := make(map[history.ProcessID]bool)
	for p := range m.suspects {
		if v.Rank(p) >= 0 {
			carried[p] = true // e.g. a crashed coordinator kept by an adopted proposal
		}
	}
	n := len(v.Members)
	m.status = Normal
	m.view = v
	m.data = newDataPath(v, m.cfg.Self)
	m.lastHeard = make([]int64, n)
	m.awaiting = make([]bool, n)
	for i, p := range v.Members {
		m.lastHeard[i] = m.now
		m.awaiting[i] = p != m.cfg.Self && !slices.Contains(known, p)
	}
	m.suspects = carried
	m.reported = make([][]history.ProcessID, n)
	m.flushRep = make([]bool, n)
	m.blocked = false
	m.promised, m.accBallot, m.accepted = nil, nil, nil
	m.frozen = nil
	m.pendAccept, m.pendCommit = nil, nil
	m.coord = nil
	m.backoffUntil = 0
	m.joins = slices.DeleteFunc(m.joins, func(p history.ProcessID) bool { return v.Rank(p) >= 0 })
	for p := range m.leaves {
		if v.Rank(p) < 0 {
			delete(m.leaves, p)
		}
	}
	m.welcome, m.welcomeWait = nil, false
	m.holdback, m.held = nil, nil
	lc := m.cfg.Ordering
	lc.Self, lc.Group, lc.Members, lc.View, lc.Class = m.cfg.Self, m.cfg.Group, v.Members, v.ID, m.cfg.Class
	lc.OrderBatchMin = lc.OrderBatchMax // Orders go out per burst (releaseOrders)
	lay, err := layer.New(lc)
	if err != nil {
		m.stats.LayerErrors++ // Validate checked the same config: cannot happen
	}
	m.lay = lay
	m.emit(&history.Event{Kind: history.ViewInstall, View: v.ID, Prev: prev, Members: slices.Clone(v.Members), Primary: true})
}

// flushQueue sends the multicasts queued during the flush, in order, as far
// as the layer's flow-control window lets it (the rest on later ticks).
func (m *Member) flushQueue() {
	if m.status != Normal || m.layerPaused() || m.lay == nil {
		return
	}
	sent := 0
	for _, payload := range m.queue {
		if _, err := m.lay.Multicast(payload); err != nil {
			break // window full (payloads were checked when queued)
		}
		sent++
	}
	m.queue = m.queue[sent:]
	if len(m.queue) == 0 {
		m.queue = nil
	}
	m.drainLayer()
}

// leaveGroup stops this process: it left, or learned it was removed.
//
// Either way the process stops for good, as Isis made a removed process
// fail: the history records a Crash, so checkers judge it up to this point
// and no further. To take part again it joins as a new process (a new id).
func (m *Member) leaveGroup() {
	why := "removed from the group"
	if m.leaving {
		m.status = Left
		why = "left the group"
	} else {
		m.status = Excluded
	}
	m.emit(&history.Event{Kind: history.Crash, View: m.view.ID, Value: why})
	m.stats.DroppedQueued += len(m.queue)
	m.queue = nil
	m.coord = nil
	m.pendAccept, m.pendCommit = nil, nil
}
