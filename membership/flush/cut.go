package flush

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// msgRef names one message of the ending view: its sender's rank and seq,
// and its position in the total order (atomic classes; 0 otherwise).
type msgRef struct {
	rank int
	seq  uint64
	gs   uint64
}

// owed lists the messages of the cut p that this member has not delivered
// yet: what it must hold before voting and deliver before installing. For
// the atomic classes the list is in delivery order; for the others in
// (rank, seq) order.
func (m *Member) owed(p *Proposal) []msgRef {
	if !slices.Contains(p.Voters, string(m.cfg.Self)) {
		return nil // our deliveries were not reported for this cut: we get none of it
	}
	d := m.data
	var out []msgRef
	if m.cfg.Class.Total() {
		for i := range p.OrderRanks {
			pos := p.OrderFrom + uint64(i)
			if pos > d.deliveredGS {
				out = append(out, msgRef{int(p.OrderRanks[i]), p.OrderSeqs[i], pos})
			}
		}
		return out
	}
	for s, c := range p.Cut {
		l := &d.senders[s]
		for seq := l.delivered + 1; seq <= c; seq++ {
			if !l.isDelivered(seq) {
				out = append(out, msgRef{rank: s, seq: seq})
			}
		}
	}
	for i, r := range p.ExtraRanks {
		if int(r) < len(d.senders) && !d.senders[r].isDelivered(p.ExtraSeqs[i]) && p.ExtraSeqs[i] > p.Cut[r] {
			out = append(out, msgRef{rank: int(r), seq: p.ExtraSeqs[i]})
		}
	}
	return out
}

// lacking lists the messages of the cut p that this member neither holds
// nor has discarded as stable: what the coordinator fetches before asking
// for votes, so that it can serve every voter (a voter lacks only unstable
// messages, which the coordinator keeps). For a coordinator that adopted a
// proposal it was not a voter of, this is more than what it owes.
func (m *Member) lacking(p *Proposal) []msgRef {
	d := m.data
	var out []msgRef
	need := func(s int, seq uint64) {
		if l := &d.senders[s]; seq > l.collected && l.msgs.get(seq) == nil {
			out = append(out, msgRef{rank: s, seq: seq})
		}
	}
	for i, r := range p.OrderRanks {
		need(int(r), p.OrderSeqs[i])
	}
	for s, c := range p.Cut {
		for seq := d.senders[s].collected + 1; seq <= c; seq++ {
			need(s, seq)
		}
	}
	for i, r := range p.ExtraRanks {
		need(int(r), p.ExtraSeqs[i])
	}
	return out
}

// validProposal checks the shape of a proposal ending the current view.
func (m *Member) validProposal(p *Proposal) bool {
	n := len(m.view.Members)
	if p == nil || p.Prev != m.view.ID || p.View != m.view.ID+1 || len(p.Cut) != n ||
		len(p.ExtraRanks) != len(p.ExtraSeqs) || len(p.OrderRanks) != len(p.OrderSeqs) || len(p.Members) == 0 {
		return false
	}
	for _, r := range p.ExtraRanks {
		if int(r) >= n {
			return false
		}
	}
	for _, r := range p.OrderRanks {
		if int(r) >= n {
			return false
		}
	}
	return true
}

// holdsOwed reports whether every message this member owes for p is held.
func (m *Member) holdsOwed(p *Proposal) bool {
	for _, r := range m.owed(p) {
		if m.data.senders[r.rank].msgs.get(r.seq) == nil {
			return false
		}
	}
	return true
}

// fetchOwed asks for the messages of p this member owes and lacks.
func (m *Member) fetchOwed(p *Proposal, holder func(rank int, seq uint64) history.ProcessID) {
	var missing []msgRef
	for _, r := range m.owed(p) {
		if m.data.senders[r.rank].msgs.get(r.seq) == nil {
			missing = append(missing, r)
		}
	}
	m.fetch(missing, holder)
}

// fetch asks, for each message, the member holder names for it; runs of
// consecutive seqs go in one Nak.
func (m *Member) fetch(missing []msgRef, holder func(rank int, seq uint64) history.ProcessID) {
	type key struct {
		to   history.ProcessID
		rank int
	}
	ranges := make(map[key][][2]uint64)
	var keys []key
	for _, r := range missing {
		to := holder(r.rank, r.seq)
		if to == "" || to == m.cfg.Self {
			continue
		}
		k := key{to, r.rank}
		rs := ranges[k]
		if n := len(rs); n > 0 && rs[n-1][1]+1 == r.seq {
			rs[n-1][1] = r.seq
		} else {
			if rs == nil {
				keys = append(keys, k)
			}
			rs = append(rs, [2]uint64{r.seq, r.seq})
		}
		ranges[k] = rs
	}
	for _, k := range keys {
		for _, rg := range ranges[k] {
			for from := rg[0]; from <= rg[1]; from += uint64(m.cfg.MaxNak) {
				m.nak(k.to, m.view.ID, k.rank, from, rg[1])
			}
		}
	}
}

// digest is what the coordinator learned from the survivors' answers: which
// messages are held where, and the assignments known.
type digest struct {
	n       int
	prefix  []uint64          // highest contiguous seq held by anyone (merged with extras)
	extra   []map[uint64]bool // held beyond prefix by someone
	holders []map[uint64][]history.ProcessID
	recvs   map[history.ProcessID][]uint64
	order   map[uint64]ordEntry
	minGS   uint64
	maxGS   uint64
}

func newDigest(n int, replies map[history.ProcessID]*FlushOk) *digest {
	g := &digest{n: n, prefix: make([]uint64, n), extra: make([]map[uint64]bool, n), recvs: make(map[history.ProcessID][]uint64), order: make(map[uint64]ordEntry)}
	first := true
	for p, r := range replies {
		g.recvs[p] = r.Recv
		for s, v := range r.Recv {
			g.prefix[s] = max(g.prefix[s], v)
		}
		for i, rk := range r.ExtraRanks {
			if g.extra[rk] == nil {
				g.extra[rk] = make(map[uint64]bool)
			}
			g.extra[rk][r.ExtraSeqs[i]] = true
		}
		for i, rk := range r.OrderRanks {
			g.order[r.OrderFrom+uint64(i)] = ordEntry{rank: rk, seq: r.OrderSeqs[i], set: true}
		}
		if first || r.DeliveredGs < g.minGS {
			g.minGS = r.DeliveredGs
		}
		first = false
	}
	for s := range g.prefix {
		for g.extra[s][g.prefix[s]+1] {
			g.prefix[s]++
		}
	}
	for p := g.minGS + 1; g.order[p].set; p++ {
		g.maxGS = p
	}
	return g
}

// held reports whether some survivor holds (s, seq).
func (g *digest) held(s int, seq uint64) bool { return seq <= g.prefix[s] || g.extra[s][seq] }

// holder returns a survivor that reported holding (s, seq), preferring the
// lowest id for determinism.
func (g *digest) holder(replies map[history.ProcessID]*FlushOk, s int, seq uint64) history.ProcessID {
	var best history.ProcessID
	for p, r := range replies {
		has := r.Recv[s] >= seq
		for i, rk := range r.ExtraRanks {
			if int(rk) == s && r.ExtraSeqs[i] == seq {
				has = true
			}
		}
		if has && (best == "" || p < best) {
			best = p
		}
	}
	return best
}

// newCut computes the cut from the survivors' answers, by class:
//   - reliable: every message any survivor holds;
//   - FIFO and causal: per sender, the longest prefix some survivor holds
//     contiguously (merged across survivors); causal is then closed under
//     causality once the messages are at hand (closeCausal);
//   - atomic classes: the assignments known contiguously from the lowest
//     position some survivor has not delivered, up to the first whose
//     message no survivor holds; then, in (rank, seq) order, the messages
//     no assignment covers, of survivors only. No survivor can have delivered
//     such a message (delivery follows the order), and any message a
//     survivor's message causally follows was delivered by that survivor,
//     hence assigned and in the order: the tail keeps causal order. A
//     crashed sender's unassigned messages reach nobody.
func (m *Member) newCut(g *digest, survivors []history.ProcessID) *Proposal {
	p := &Proposal{View: m.view.ID + 1, Prev: m.view.ID, Cut: make([]uint64, g.n)}
	switch {
	case m.cfg.Class.Total():
		p.OrderFrom = g.minGS + 1
		inOrder := make(map[msgRef]bool)
		for pos := p.OrderFrom; pos <= g.maxGS; pos++ {
			e := g.order[pos]
			if !g.held(int(e.rank), e.seq) {
				break
			}
			p.OrderRanks = append(p.OrderRanks, e.rank)
			p.OrderSeqs = append(p.OrderSeqs, e.seq)
			inOrder[msgRef{rank: int(e.rank), seq: e.seq}] = true
		}
		for s, id := range m.view.Members {
			if !slices.Contains(survivors, id) {
				continue
			}
			l := &m.data.senders[s]
			top := g.prefix[s]
			for seq := range g.extra[s] {
				top = max(top, seq)
			}
			for seq := uint64(1); seq <= top; seq++ {
				if g.held(s, seq) && !l.isDelivered(seq) && !inOrder[msgRef{rank: s, seq: seq}] {
					p.OrderRanks = append(p.OrderRanks, uint32(s))
					p.OrderSeqs = append(p.OrderSeqs, seq)
				}
			}
		}
	case m.cfg.Class == layer.Reliable:
		copy(p.Cut, g.prefix)
		for s := range g.extra {
			var seqs []uint64
			for seq := range g.extra[s] {
				if seq > g.prefix[s] {
					seqs = append(seqs, seq)
				}
			}
			slices.Sort(seqs)
			for _, seq := range seqs {
				p.ExtraRanks = append(p.ExtraRanks, uint32(s))
				p.ExtraSeqs = append(p.ExtraSeqs, seq)
			}
		}
	default:
		copy(p.Cut, g.prefix)
	}
	return p
}

// closeCausal shrinks a causal cut until every message in it has its causal
// predecessors in it too (by the vector timestamps the causal layer puts on
// each message). A message a survivor delivered is never dropped: that
// survivor had delivered its predecessors, so it holds them and they are in
// the cut. The coordinator holds every message it owes, so the timestamps are
// at hand.
func (m *Member) closeCausal(p *Proposal) {
	for changed := true; changed; {
		changed = false
		for s := range p.Cut {
			l := &m.data.senders[s]
			for seq := l.delivered + 1; seq <= p.Cut[s]; seq++ {
				d := l.msgs.get(seq)
				if d == nil || len(d.Vt) != len(p.Cut) {
					continue
				}
				for k, v := range d.Vt {
					if k != s && v > p.Cut[k] {
						p.Cut[s] = seq - 1
						changed = true
						break
					}
				}
			}
		}
	}
}

// deliverCut delivers what this member owes of the cut p: in the cut's
// order for the atomic classes, by the CBCAST rule for causal, in sequence
// order per sender otherwise.
func (m *Member) deliverCut(p *Proposal) {
	owed := m.owed(p)
	if m.cfg.Class != layer.Causal {
		for _, r := range owed {
			m.deliverHeld(r)
		}
		return
	}
	pending := owed
	for len(pending) > 0 {
		var rest []msgRef
		for _, r := range pending {
			if m.causallyReady(r) {
				m.deliverHeld(r)
			} else {
				rest = append(rest, r)
			}
		}
		if len(rest) == len(pending) {
			// Cannot happen with a closed cut; deliver the rest anyway so
			// that the survivors still agree (the causal checker would
			// report it).
			for _, r := range rest {
				m.deliverHeld(r)
			}
			return
		}
		pending = rest
	}
}

func (m *Member) causallyReady(r msgRef) bool {
	l := &m.data.senders[r.rank]
	if r.seq != l.delivered+1 {
		return false
	}
	d := l.msgs.get(r.seq)
	if d == nil {
		return true
	}
	for k, v := range d.Vt {
		if k != r.rank && v > m.data.senders[k].delivered {
			return false
		}
	}
	return true
}

// deliverHeld delivers message r from the store, if it is there (a broken
// test variant may deliver a cut it does not hold: it skips what is missing).
func (m *Member) deliverHeld(r msgRef) {
	d := m.data.senders[r.rank].msgs.get(r.seq)
	if d == nil {
		return
	}
	ev := history.Event{
		Kind:      history.Deliver,
		Msg:       history.MsgID{Sender: m.view.Members[r.rank], View: m.view.ID, Seq: r.seq},
		View:      m.view.ID,
		Class:     m.cfg.Class.String(),
		GlobalSeq: r.gs,
	}
	if pl, err := d.Payload.UnmarshalNew(); err == nil {
		ev.Payload = pl
	} else {
		ev.Payload = d.Payload
	}
	m.emitDeliver(&ev)
}
