package outbox

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Compact Data. The ordering layers' Data carries its group, sender and
// class as strings, and a payload in an Any with its type URL; nearly every
// Data in a batch carries the same four strings. Unmarshalling allocates
// each string again, in every receiver, for every message, then the Any
// and a copy of its bytes. So a batch names the four once
// (Batch.data_group, data_sender, data_class, data_payload_type) and lists
// the Data that share them under CompactDataName, encoded without them; the
// Decoder puts them back, and the payload's bytes are a slice of the batch's
// own body rather than a copy. A Data that differs (a flush forwarding
// another member's message, say) travels whole in the same batch.
//
// The compact body is Data's own protobuf encoding with fields 1, 3 and 7
// left out (and the Any's type_url when it is the batch's), so any protobuf
// decoder reads it; the hand-written codec below only spares reflection.

// CompactDataName is the type name, in Batch.types, of a Data encoded
// without the strings its batch names.
const CompactDataName = "lockstep.wire.Data/compact"

// Field numbers of wire.Data and anypb.Any the compact codec writes.
const (
	fieldView      = 2
	fieldSeq       = 4
	fieldVt        = 5
	fieldGlobalSeq = 6
	fieldPayload   = 8
	fieldTypeURL   = 1
	fieldValue     = 2
)

// compactable reports whether d may travel compact in b. The first Data of
// a batch sets the batch's header. A Data with unknown fields (from a newer
// peer) travels whole, so that nothing it carries is lost.
func compactable(b *wire.Batch, d *wire.Data) bool {
	if d.Group == "" && d.Sender == "" && d.Class == "" {
		return false // nothing to spare
	}
	if len(d.ProtoReflect().GetUnknown()) > 0 || (d.Payload != nil && len(d.Payload.ProtoReflect().GetUnknown()) > 0) {
		return false
	}
	if b.DataGroup == "" && b.DataSender == "" && b.DataClass == "" {
		b.DataGroup, b.DataSender, b.DataClass = d.Group, d.Sender, d.Class
		if d.Payload != nil {
			b.DataPayloadType = d.Payload.TypeUrl
		}
	}
	// A payload without a type URL in a batch whose payloads have one
	// travels whole: compact, its absent URL would read as the batch's.
	if d.Payload != nil && d.Payload.TypeUrl == "" && b.DataPayloadType != "" {
		return false
	}
	return d.Group == b.DataGroup && d.Sender == b.DataSender && d.Class == b.DataClass
}

// appendCompact appends d's compact encoding for a batch whose payload type
// is typeURL.
func appendCompact(buf []byte, d *wire.Data, typeURL string) []byte {
	buf = appendVarintField(buf, fieldView, d.View)
	buf = appendVarintField(buf, fieldSeq, d.Seq)
	if len(d.Vt) > 0 {
		n := 0
		for _, v := range d.Vt {
			n += protowire.SizeVarint(v)
		}
		buf = protowire.AppendTag(buf, fieldVt, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(n))
		for _, v := range d.Vt {
			buf = protowire.AppendVarint(buf, v)
		}
	}
	buf = appendVarintField(buf, fieldGlobalSeq, d.GlobalSeq)
	if p := d.Payload; p != nil { // an empty Any is still a present one
		n := 0
		if p.TypeUrl != typeURL {
			n += protowire.SizeTag(fieldTypeURL) + protowire.SizeBytes(len(p.TypeUrl))
		}
		if len(p.Value) > 0 {
			n += protowire.SizeTag(fieldValue) + protowire.SizeBytes(len(p.Value))
		}
		buf = protowire.AppendTag(buf, fieldPayload, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(n))
		if p.TypeUrl != typeURL {
			buf = protowire.AppendTag(buf, fieldTypeURL, protowire.BytesType)
			buf = protowire.AppendString(buf, p.TypeUrl)
		}
		if len(p.Value) > 0 {
			buf = protowire.AppendTag(buf, fieldValue, protowire.BytesType)
			buf = protowire.AppendBytes(buf, p.Value)
		}
	}
	return buf
}

// compactBound is at least the size of d's compact body: every varint
// counted at its longest, the type URL always.
func compactBound(d *wire.Data) int {
	const field = 1 + binary.MaxVarintLen64 // tag and varint, or tag and length
	n := 4*field + len(d.Vt)*binary.MaxVarintLen64
	if p := d.Payload; p != nil {
		n += 3*field + len(p.TypeUrl) + len(p.Value)
	}
	return n
}

func appendVarintField(buf []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return buf
	}
	return protowire.AppendVarint(protowire.AppendTag(buf, num, protowire.VarintType), v)
}

// compactBody is a compact encoding and the batch payload type it assumed.
type compactBody struct {
	body        []byte
	payloadType string
}

// marshalCompact encodes d compact for batch b into the arena.
func (o *Outbox) marshalCompact(b *wire.Batch, d *wire.Data) []byte {
	o.stats.Marshalled++
	// Room first: a body that outgrew the arena's buffer would make append
	// copy the whole buffer into a new one of twice its size, for nothing.
	o.arena.Reserve(compactBound(d))
	return o.arena.Append(func(buf []byte) []byte { return appendCompact(buf, d, b.DataPayloadType) })
}

// dataAndAny puts a decoded Data and its payload's Any in one allocation.
type dataAndAny struct {
	d wire.Data
	a anypb.Any
}

// errCompactField: a compact body holds a field the fast decoder does not
// write; the body is then decoded by protobuf itself.
var errCompactField = errors.New("field outside the compact form")

// decodeCompactBody decodes a compact Data body of batch b. The payload's
// bytes alias body, which the batch owns and nobody modifies.
func decodeCompactBody(b *wire.Batch, body []byte, x *dataAndAny) (*wire.Data, error) {
	d := &x.d
	err := decodeCompactFast(body, d, &x.a)
	if errors.Is(err, errCompactField) {
		*x = dataAndAny{}
		err = proto.Unmarshal(body, d)
	}
	if err != nil {
		return nil, err
	}
	d.Group, d.Sender, d.Class = b.DataGroup, b.DataSender, b.DataClass
	if d.Payload != nil && d.Payload.TypeUrl == "" {
		d.Payload.TypeUrl = b.DataPayloadType
	}
	return d, nil
}

// decodeCompactFast decodes exactly what appendCompact writes; anything
// else returns errCompactField (or a protowire error if malformed).
func decodeCompactFast(body []byte, d *wire.Data, a *anypb.Any) error {
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return protowire.ParseError(n)
		}
		body = body[n:]
		switch {
		case typ == protowire.VarintType && (num == fieldView || num == fieldSeq || num == fieldGlobalSeq):
			v, n := protowire.ConsumeVarint(body)
			if n < 0 {
				return protowire.ParseError(n)
			}
			body = body[n:]
			switch num {
			case fieldView:
				d.View = v
			case fieldSeq:
				d.Seq = v
			default:
				d.GlobalSeq = v
			}
		case typ == protowire.BytesType && num == fieldVt && d.Vt == nil:
			packed, n := protowire.ConsumeBytes(body)
			if n < 0 {
				return protowire.ParseError(n)
			}
			body = body[n:]
			vt := make([]uint64, 0, len(packed)) // at most one entry per byte
			for len(packed) > 0 {
				v, k := protowire.ConsumeVarint(packed)
				if k < 0 {
					return protowire.ParseError(k)
				}
				vt = append(vt, v)
				packed = packed[k:]
			}
			d.Vt = vt
		case typ == protowire.BytesType && num == fieldPayload && d.Payload == nil:
			inner, n := protowire.ConsumeBytes(body)
			if n < 0 {
				return protowire.ParseError(n)
			}
			body = body[n:]
			if err := decodeAnyFast(inner, a); err != nil {
				return err
			}
			d.Payload = a
		default:
			return errCompactField
		}
	}
	return nil
}

func decodeAnyFast(body []byte, a *anypb.Any) error {
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return protowire.ParseError(n)
		}
		body = body[n:]
		if typ != protowire.BytesType || (num != fieldTypeURL && num != fieldValue) {
			return errCompactField
		}
		v, n := protowire.ConsumeBytes(body)
		if n < 0 {
			return protowire.ParseError(n)
		}
		body = body[n:]
		if num == fieldTypeURL {
			if !utf8.Valid(v) {
				return errCompactField // protobuf's decoder reports it
			}
			a.TypeUrl = string(v)
		} else {
			a.Value = v[:len(v):len(v)]
		}
	}
	return nil
}
