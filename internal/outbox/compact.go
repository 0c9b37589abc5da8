package outbox

import (
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// Compact Data. The ordering layers' Data carries its group, sender and
// class as strings, and nearly every Data in a batch carries the same
// three: the sending member's own. Unmarshalling allocates each string
// again, in every receiver, for every message. So a batch names them once
// (Batch.data_group, data_sender, data_class) and lists the Data that
// share them under CompactDataName, marshalled without them; the Decoder
// puts them back. A Data that differs (a flush forwarding another member's
// message, say) travels whole in the same batch.

// CompactDataName is the type name, in Batch.types, of a Data marshalled
// without the group, sender and class its batch names.
const CompactDataName = "lockstep.wire.Data/compact"

// compactable reports whether d may travel compact in b. The first Data of
// a batch sets the batch's header. A Data with unknown fields (from a newer
// peer) travels whole, so that nothing it carries is lost.
func compactable(b *wire.Batch, d *wire.Data) bool {
	if d.Group == "" && d.Sender == "" && d.Class == "" {
		return false // nothing to spare
	}
	if len(d.ProtoReflect().GetUnknown()) > 0 {
		return false
	}
	if b.DataGroup == "" && b.DataSender == "" && b.DataClass == "" {
		b.DataGroup, b.DataSender, b.DataClass = d.Group, d.Sender, d.Class
	}
	return d.Group == b.DataGroup && d.Sender == b.DataSender && d.Class == b.DataClass
}

// marshalCompact marshals d without its group, sender and class, through
// a scratch Data that borrows d's other fields (read only) for the call.
func (o *Outbox) marshalCompact(d *wire.Data) ([]byte, error) {
	s := &o.scratch
	s.View, s.Seq, s.Vt, s.GlobalSeq, s.Payload = d.View, d.Seq, d.Vt, d.GlobalSeq, d.Payload
	body, err := o.marshal(s)
	s.Vt, s.Payload = nil, nil
	return body, err
}

// restoreCompact gives a Data decoded from a compact body the group,
// sender and class of its batch.
func restoreCompact(b *wire.Batch, d *wire.Data) {
	d.Group, d.Sender, d.Class = b.DataGroup, b.DataSender, b.DataClass
}
