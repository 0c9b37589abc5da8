package layer

import (
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

// reliable is the bottom layer: per-sender sequence numbers in one view,
// duplicate suppression, repair of loss by NAK and retransmission from the
// sender, heartbeats of the sender's highest sequence number (so that loss
// of a last message is noticed), and stability tracking in the manner of
// JGroups' NAKACK2 and STABLE. A message is stable once every member has
// delivered it; the sender then frees it, which is also what opens its
// flow-control window.
type reliable struct {
	n, self int
	window  uint64

	// send side
	last       uint64   // highest own sequence number
	sent       []ownMsg // sent[s % window] for stableSelf < s <= last
	stableSelf uint64   // own multicasts up to here are stable and freed

	// receive side, per sender rank
	recv    []prefix // sequence numbers received
	high    []uint64 // highest sequence number known to exist
	nakMark []uint64 // high at the previous NAK scan

	// delivery and stability
	delivered []prefix   // sequence numbers delivered to the application here
	reports   [][]uint64 // reports[i][j]: member i's delivered[j] prefix as last reported
	stable    []uint64   // stable[j] = min over i of reports[i][j] (own row: delivered)
	stale     bool       // reports or deliveries changed since stable was computed
	dirty     bool       // delivered advanced since the last Status
	// sinceStatus counts deliveries since the last Status (StatusEvery).
	sinceStatus int
	needReply   bool // a peer's Status showed it lacks our report
}

func newReliable(n, self, window int) *reliable {
	r := &reliable{
		n: n, self: self, window: uint64(window),
		sent: make([]ownMsg, window),
		recv: make([]prefix, n), high: make([]uint64, n), nakMark: make([]uint64, n),
		delivered: make([]prefix, n), reports: make([][]uint64, n), stable: make([]uint64, n),
	}
	for j := range n {
		r.recv[j] = newPrefix(window)
		r.delivered[j] = newPrefix(window)
		r.reports[j] = make([]uint64, n)
	}
	return r
}

// canSend reports whether one more multicast fits in the window.
func (r *reliable) canSend() bool {
	if r.last-r.stableSelf < r.window {
		return true
	}
	if r.stale {
		r.refreshStable()
	}
	return r.last-r.stableSelf < r.window
}

// ownMsg is an own multicast in the retransmission buffer.
type ownMsg struct {
	vt      []uint64      // its vector timestamp (causal classes)
	payload proto.Message // unpacked
	// data is the multicast as a wire.Data: built at once unless
	// Config.LocalFanout, else when first retransmitted (Member.dataOf).
	data *wire.Data
}

// nextSeq is the sequence number the next own multicast gets.
func (r *reliable) nextSeq() uint64 { return r.last + 1 }

// send buffers own multicast nextSeq() and returns its buffer slot.
func (r *reliable) send(payload proto.Message, vt []uint64) *ownMsg {
	r.last++
	o := &r.sent[r.last%r.window]
	*o = ownMsg{vt: vt, payload: payload}
	r.recv[r.self].contig = r.last
	r.high[r.self] = r.last
	return o
}

// fresh reports whether seq of rank j is new and within the window;
// beyond is true when it lies past anything a correct sender can send.
func (r *reliable) fresh(j int, seq uint64) (isNew, beyond bool) {
	if seq > r.delivered[j].contig+r.window {
		return false, true
	}
	return !r.recv[j].has(seq), false
}

func (r *reliable) received(j int, seq uint64) {
	r.recv[j].add(seq)
	r.learnHigh(j, seq)
}

func (r *reliable) learnHigh(j int, seq uint64) {
	if seq > r.high[j] && seq <= r.delivered[j].contig+r.window {
		r.high[j] = seq
	}
}

// deliveredMsg records delivery of (j, seq) to the application.
func (r *reliable) deliveredMsg(j int, seq uint64) {
	if r.delivered[j].add(seq) {
		r.dirty, r.stale = true, true
	}
	r.sinceStatus++
}

// refreshStable recomputes the stable vector and frees own stable messages.
// It runs lazily (on a heartbeat tick, or when the window looks full), not
// on every report.
func (r *reliable) refreshStable() {
	r.stale = false
	for j := range r.n {
		s := r.delivered[j].contig
		for i := range r.n {
			if i != r.self && r.reports[i][j] < s {
				s = r.reports[i][j]
			}
		}
		r.stable[j] = s
	}
	for r.stableSelf < r.stable[r.self] {
		r.stableSelf++
		r.sent[r.stableSelf%r.window] = ownMsg{}
	}
}

// gaps appends to buf the sequence numbers of rank j to NAK: missing ones
// already known at the previous scan.
func (r *reliable) gaps(j int, max int, buf []uint64) []uint64 {
	p := &r.recv[j]
	limit := min(r.high[j], r.nakMark[j], p.contig+r.window)
	r.nakMark[j] = r.high[j]
	for s := p.contig + 1; s <= limit && len(buf) < max; s++ {
		if !p.has(s) {
			buf = append(buf, s)
		}
	}
	return buf
}

// buffered returns the buffered own multicast seq, if still held.
func (r *reliable) buffered(seq uint64) *ownMsg {
	if seq <= r.stableSelf || seq > r.last {
		return nil
	}
	return &r.sent[seq%r.window]
}

// unsettled reports whether the member must keep sending Status: its own
// messages are not stable, it has news, or a peer lacks its report.
func (r *reliable) unsettled() bool {
	return r.last > r.stableSelf || r.dirty || r.needReply
}

// payloadOf returns the unpacked payload of d if d is an own multicast
// still buffered, else nil.
func (r *reliable) payloadOf(d *wire.Data) proto.Message {
	if d == nil {
		return nil
	}
	o := r.buffered(d.Seq)
	if o == nil || o.data != d {
		return nil
	}
	return o.payload
}
