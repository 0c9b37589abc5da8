package flush

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// coordinator is the state of one attempt (ballot) to end the current view,
// held by the member that leads it.
type coordinator struct {
	ballot  *Ballot
	targets []history.ProcessID // the survivors: members not excluded
	replies map[history.ProcessID]*FlushOk
	// proposal is fixed once every target has reported (phase 2).
	proposal *Proposal
	adopted  bool // proposal was voted for under an earlier ballot
	digest   *digest
	accepted bool // Accept sent: every message of the cut is held here
	acks     map[history.ProcessID]bool
}

// coordinate runs on every tick: a member leads a flush when it suspects
// every member ranked below it (so the oldest live member does, in every
// member's eyes once suspicions settle) and the view must end (a suspicion,
// a join, a leave, or a flush some member has already begun).
func (m *Member) coordinate() {
	if m.firstTrusted(m.suspects) != m.cfg.Self {
		m.coord = nil
		return
	}
	gone := m.coordExcluded()
	need := len(gone) > 0 || len(m.joins) > 0 || len(m.leaves) > 0 || m.promised != nil || slices.Contains(m.flushRep, true)
	if !need || m.blocked || m.now < m.backoffUntil {
		return
	}
	// Let a live coordinator with a higher ballot finish its attempt.
	if m.promised != nil && m.promised.Coordinator != string(m.cfg.Self) &&
		!gone[history.ProcessID(m.promised.Coordinator)] && m.now-m.promisedAt < m.cfg.BackoffTicks {
		return
	}
	targets := m.without(gone)
	if !m.policy.Primary(m.view.Members, targets) {
		m.coord = nil // detect has marked us blocked
		return
	}
	c := m.coord
	restart := c == nil ||
		(c.proposal == nil && !slices.Equal(c.targets, targets)) ||
		slices.ContainsFunc(c.targets, func(p history.ProcessID) bool { return gone[p] })
	if restart {
		m.startBallot(targets)
		return
	}
	if !m.every("coord", m.cfg.RetransmitEvery) {
		return
	}
	switch {
	case c.proposal == nil:
		for _, p := range c.targets {
			if c.replies[p] == nil {
				m.sendTo(p, &Flush{Group: m.cfg.Group, View: m.view.ID, Ballot: c.ballot})
			}
		}
	case !c.accepted:
		m.fetchCut()
	default:
		for _, p := range c.targets {
			if !c.acks[p] {
				m.sendTo(p, &Accept{Group: m.cfg.Group, View: m.view.ID, Ballot: c.ballot, Proposal: c.proposal})
			}
		}
	}
}

// firstTrusted returns the lowest-ranked member not in gone.
func (m *Member) firstTrusted(gone map[history.ProcessID]bool) history.ProcessID {
	for _, p := range m.view.Members {
		if !gone[p] {
			return p
		}
	}
	return ""
}

func (m *Member) startBallot(targets []history.ProcessID) {
	round := m.maxRound + 1
	if m.promised != nil {
		round = max(round, m.promised.Round+1)
	}
	m.maxRound = round
	b := &Ballot{Round: round, Coordinator: string(m.cfg.Self)}
	m.coord = &coordinator{ballot: b, targets: targets, replies: make(map[history.ProcessID]*FlushOk), acks: make(map[history.ProcessID]bool)}
	m.lastSent["coord"] = m.now
	for _, p := range targets {
		m.sendTo(p, &Flush{Group: m.cfg.Group, View: m.view.ID, Ballot: b})
	}
}

// rejected: a member promised a higher ballot; step back and let it lead.
func (m *Member) rejected(promised *Ballot) {
	if promised != nil {
		m.maxRound = max(m.maxRound, promised.Round)
	}
	m.coord = nil
	m.backoffUntil = m.now + m.cfg.BackoffTicks
}

func (m *Member) onFlushOk(from history.ProcessID, r *FlushOk) error {
	if err := m.checkFlushMsg(from, r.Group, r.View, r.Sender); err != nil {
		return err
	}
	c := m.coord
	if c == nil || !sameBallot(c.ballot, r.Ballot) || c.proposal != nil || !slices.Contains(c.targets, from) {
		return nil // an answer to an attempt we gave up
	}
	if r.Reject {
		m.rejected(r.Promised)
		return nil
	}
	if len(r.Recv) != len(m.view.Members) || (r.Accepted != nil && r.AcceptedBallot == nil) {
		return errMalformed("flush ok", from)
	}
	c.replies[from] = r
	enough := len(c.replies) == len(c.targets)
	if m.cfg.brokenNoWaitForReports {
		enough = 2*len(c.replies) > len(c.targets)
	}
	if enough {
		m.decide()
	}
	return nil
}

// decide fixes the proposal once every survivor has reported: the proposal
// voted for under the highest ballot if any survivor voted (it may have been
// committed already), else a new one: the next view (survivors minus
// leavers, then joiners) and the cut computed from the survivors' digests
// (newCut).
func (m *Member) decide() {
	c := m.coord
	var best *FlushOk
	for _, r := range c.replies {
		if r.Accepted != nil && (best == nil || less(best.AcceptedBallot, r.AcceptedBallot)) {
			best = r
		}
	}
	c.digest = newDigest(len(m.view.Members), c.replies)
	if best != nil {
		c.proposal, c.adopted = best.Accepted, true
	} else {
		c.proposal = m.newCut(c.digest, c.targets)
		c.proposal.Members = strs(m.nextMembers(c.targets))
		c.proposal.Voters = strs(c.targets)
	}
	m.fetchCut()
}

// nextMembers: the survivors minus those leaving (as many as the policy
// allows; the rest leave in a later view), then the joiners.
func (m *Member) nextMembers(targets []history.ProcessID) []history.ProcessID {
	next := slices.Clone(targets)
	for _, p := range m.view.Members {
		if !m.leaves[p] {
			continue
		}
		if i := slices.Index(next, p); i >= 0 {
			try := slices.Delete(slices.Clone(next), i, i+1)
			if len(try) > 0 && m.policy.Primary(m.view.Members, try) {
				next = try
			}
		}
	}
	for _, p := range m.joins {
		if !slices.Contains(next, p) && m.view.Rank(p) < 0 {
			next = append(next, p)
		}
	}
	return next
}

// fetchCut fills the coordinator's gaps in the cut from members that
// reported holding the messages; once it holds the whole cut (and, for the
// causal class, has closed it under causality), it asks every survivor to
// vote. Holding the whole cut, not only what it owes itself, lets it serve
// every voter.
func (m *Member) fetchCut() {
	c := m.coord
	lacking := m.lacking(c.proposal)
	if len(lacking) == 0 || m.cfg.brokenNoGapFill {
		if m.cfg.Class == layer.Causal && !c.adopted {
			m.closeCausal(c.proposal)
		}
		c.accepted = true
		for _, p := range c.targets {
			m.sendTo(p, &Accept{Group: m.cfg.Group, View: m.view.ID, Ballot: c.ballot, Proposal: c.proposal})
		}
		return
	}
	m.fetch(lacking, func(s int, seq uint64) history.ProcessID { return c.digest.holder(c.replies, s, seq) })
}

func (m *Member) onAcceptOk(from history.ProcessID, a *AcceptOk) error {
	if err := m.checkFlushMsg(from, a.Group, a.View, a.Sender); err != nil {
		return err
	}
	c := m.coord
	if c == nil || !sameBallot(c.ballot, a.Ballot) || !c.accepted || !slices.Contains(c.targets, from) {
		return nil
	}
	if a.Reject {
		m.rejected(a.Promised)
		return nil
	}
	c.acks[from] = true
	if len(c.acks) == len(c.targets) {
		commit := &Commit{Group: m.cfg.Group, Ballot: c.ballot, Proposal: c.proposal}
		for _, p := range c.targets {
			if p != m.cfg.Self {
				m.sendTo(p, commit)
			}
		}
		m.coord = nil
		m.pendCommit, m.pendCommitBy = commit, m.cfg.Self
		m.progress()
	}
	return nil
}
