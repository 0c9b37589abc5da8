package ordering

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// In-process data by pointer. A multicast to members of the same process
// need not be packed into an Any and unpacked again by every receiver:
// protoactor's local sends carry any Go value. So the decorator sends a
// member of its own process a localData holding multicasts' sequence
// numbers, timestamps and the payloads themselves (every own multicast of
// one Ready in one localData), and the receiver steps each into its core
// (layer.Member.StepLocal), which skips the unpacking and the checks of
// group, view, class and sender that a wire.Data needs.
// Members in other processes get the packed *wire.Data in an envelope, as
// before. When every member shares the process, the layers neither pack
// the payload (layer.Config.LazyPayload) nor make a wire.Data at all
// (layer.Config.LocalFanout): the driver builds the localData from the
// core's Fanouts. The payload is shared by the sender and every receiver,
// as with any protoactor local send: it must not be modified after
// Multicast.
//
// localData carries its port, so no envelope is needed to recognise it;
// only this package can build one, so a port inside it is trustworthy.
type localData struct {
	*origin
	// first is the sequence number of payloads[0]; the others follow it
	// one by one (a Ready's own multicasts are consecutive).
	first uint64
	// payloads are the multicasts, in the order multicast.
	payloads []proto.Message
	// vts are their vector timestamps, shared with the sender's buffer and
	// never modified; nil unless the class is causal. Kept apart so that
	// the other classes carry 16 bytes per multicast, not 48.
	vts [][]uint64
}

// origin is where in-process data comes from: one per slot, shared by all
// its localData, so that in-process multicast allocates that much less for
// the collector to reclaim.
type origin struct {
	port  *actor.PID
	from  history.ProcessID // the port's member and class, so that
	class Class             // receivers need no lookup by port
}

// localSlabSize is how many localData one allocation holds, and
// fanSlabSize how many multicasts (payloads, timestamps) in them.
const (
	localSlabSize = 64
	fanSlabSize   = 256
)

// newLocal cuts a localData carrying fans, whose sequence numbers must be
// consecutive, from the driver's slabs: one allocation per many
// multicasts. Never reused, so receivers may keep it.
func (d *driver) newLocal(s *slot, fans ...layer.Fanout) *localData {
	l := d.locals.New()
	*l = localData{origin: s.origin, first: fans[0].Seq, payloads: d.payloads.Cut(len(fans))}
	for i := range fans {
		l.payloads[i] = fans[i].Payload
		if fans[i].Vt != nil {
			if l.vts == nil {
				l.vts = d.vts.Cut(len(fans))
			}
			l.vts[i] = fans[i].Vt
		}
	}
	return l
}

// localFor returns the localData carrying msg to an in-process member,
// or nil when it must travel as a protobuf message (not Data, a core
// without localCore, a payload no longer buffered, or PackLocal).
func (d *driver) localFor(s *slot, msg proto.Message) *localData {
	if d.cfg.PackLocal {
		return nil
	}
	data, ok := msg.(*wire.Data)
	if !ok {
		return nil
	}
	if s.local == nil {
		return nil
	}
	p := s.local.PayloadOf(data)
	if p == nil {
		return nil
	}
	return d.newLocal(s, layer.Fanout{Seq: data.Seq, Vt: data.Vt, Payload: p})
}

// fanout carries a Ready's own multicasts (localCore.Fanouts) to every
// other member, all of which share this process, in one localData.
func (d *driver) fanout(s *slot, fs []layer.Fanout) {
	if len(fs) == 0 {
		return
	}
	for len(fs) > 0 {
		run := consecutive(fs) // a carrier says only the first sequence number
		l := d.newLocal(s, fs[:run]...)
		for rank, pid := range d.routes.byRank {
			if rank != d.selfRank && pid != nil {
				d.post(pid, l)
			}
		}
		fs = fs[run:]
	}
}

// consecutive is how many of fs, from the first, have consecutive
// sequence numbers: all of a Ready's own multicasts, but a carrier must not
// rely on it.
func consecutive(fs []layer.Fanout) int {
	run := 1
	for run < len(fs) && fs[run].Seq == fs[0].Seq+uint64(run) {
		run++
	}
	return run
}

// stepLocal feeds in-process arrivals to the core of their port, each
// counted as one arrival.
func (d *driver) stepLocal(l *localData) {
	// A port of another group, or a class this member does not run. (The
	// core checks that the sender is a member.)
	i, err := d.slotOf(l.class)
	if err != nil || l.port != d.routes.portOf(l.from, i) {
		d.stats.unknownSender.Add(uint64(len(l.payloads)))
		return
	}
	lc := d.slots[i].local
	if lc == nil {
		d.stats.rejected.Add(uint64(len(l.payloads)))
		return
	}
	for k, p := range l.payloads {
		var vt []uint64
		if l.vts != nil {
			vt = l.vts[k]
		}
		if err := lc.StepLocal(l.from, l.first+uint64(k), vt, p); err != nil {
			d.stats.rejected.Add(1)
			if d.debug() {
				d.log.WithError(err).WithField("from", l.from).Debug("ordering: arrival rejected")
			}
		}
		d.arrived()
	}
	d.retry(i)
}

// allLocal reports whether every member's PID is in this process (has
// Self's address), so that nothing ever needs the packed payload.
func (c Config) allLocal() bool {
	if c.PackLocal {
		return false
	}
	self := c.PIDs[c.Self]
	if self == nil {
		return false
	}
	for _, m := range c.Members {
		if p := c.PIDs[m]; p == nil || p.Address != self.Address {
			return false
		}
	}
	return true
}
