package outbox

import (
	"errors"
	"reflect"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/runtime/protoiface"
)

// Encoded batches. protoactor's remote marshals every message it sends,
// once per destination and into a fresh buffer, before gRPC copies the
// bytes into its frames. The outbox therefore writes a batch's protobuf
// encoding itself, straight from the bodies and into its arena, and hands
// protoactor an *Encoded, whose marshalling returns those bytes as they
// are. A batch whose messages are the very ones another destination got in
// the same flush (a multicast to every member) is encoded only once.

// Encoded is a wire.Batch with its protobuf encoding, made by the outbox
// and never modified. Its reflection is the Batch's, so it travels under
// the name lockstep.wire.Batch and the receiving process decodes a plain
// *wire.Batch; only marshalling differs. An in-process receiver of one
// (Config.PackLocal in the drivers) asks BatchOf.
type Encoded struct {
	Batch *wire.Batch
	enc   []byte         // len == cap: whoever appends to it reallocates
	refl  encodedMessage // made with it: endpoint writers share it
}

// BatchOf returns the batch msg is: a *wire.Batch, an *Encoded, or either
// inside the envelope sender middleware wraps a send in.
func BatchOf(msg any) (*wire.Batch, bool) {
	if env, ok := msg.(*actor.MessageEnvelope); ok {
		msg = env.Message
	}
	switch b := msg.(type) {
	case *wire.Batch:
		return b, true
	case *Encoded:
		return b.Batch, true
	}
	return nil, false
}

// ProtoReflect implements proto.Message.
func (e *Encoded) ProtoReflect() protoreflect.Message { return &e.refl }

// Bytes returns the encoding. It must not be modified.
func (e *Encoded) Bytes() []byte { return e.enc }

// encodedMessage is the Batch's reflection with Encoded's methods.
type encodedMessage struct {
	protoreflect.Message
	e *Encoded
}

func (m *encodedMessage) Interface() protoreflect.ProtoMessage { return m.e }

func (m *encodedMessage) ProtoMethods() *protoiface.Methods { return &encodedMethods }

// encodedMethods has no Size: protobuf would then allocate a buffer of that
// size for Marshal to fill, which is the copy Encoded exists to avoid.
var encodedMethods = protoiface.Methods{
	Flags:   protoiface.SupportMarshalDeterministic,
	Marshal: marshalEncoded,
	CheckInitialized: func(protoiface.CheckInitializedInput) (protoiface.CheckInitializedOutput, error) {
		return protoiface.CheckInitializedOutput{}, nil
	},
}

var errNotEncoded = errors.New("outbox: marshalling a message that is not an Encoded batch")

func marshalEncoded(in protoiface.MarshalInput) (protoiface.MarshalOutput, error) {
	m, ok := in.Message.(*encodedMessage)
	if !ok {
		return protoiface.MarshalOutput{}, errNotEncoded
	}
	if len(in.Buf) == 0 {
		return protoiface.MarshalOutput{Buf: m.e.enc}, nil
	}
	return protoiface.MarshalOutput{Buf: append(in.Buf, m.e.enc...)}, nil
}

// Batch field numbers (batch.proto).
const (
	batchTypes           = 1
	batchTypeOf          = 2
	batchDataGroup       = 4
	batchDataSender      = 5
	batchDataClass       = 6
	batchDataPayloadType = 7
	batchBlob            = 8
	batchSizes           = 9
)

// encode writes b's encoding, with bodies as its blob, into the arena and
// returns it as an Encoded; b.Sizes and b.Blob are set to what was written
// (Blob sharing the encoding's bytes).
func (o *Outbox) encode(b *wire.Batch, bodies [][]byte) *Encoded {
	blob := 0
	for _, body := range bodies {
		blob += len(body)
		b.Sizes = append(b.Sizes, uint32(len(body)))
	}
	o.arena.Reserve(batchBound(b, blob))
	var blobAt int
	enc := o.arena.Append(func(buf []byte) []byte {
		start := len(buf)
		for _, t := range b.Types {
			buf = protowire.AppendTag(buf, batchTypes, protowire.BytesType)
			buf = protowire.AppendString(buf, t)
		}
		buf = appendPacked(buf, batchTypeOf, b.TypeOf)
		buf = appendStringField(buf, batchDataGroup, b.DataGroup)
		buf = appendStringField(buf, batchDataSender, b.DataSender)
		buf = appendStringField(buf, batchDataClass, b.DataClass)
		buf = appendStringField(buf, batchDataPayloadType, b.DataPayloadType)
		buf = appendPacked(buf, batchSizes, b.Sizes)
		if blob > 0 {
			buf = protowire.AppendTag(buf, batchBlob, protowire.BytesType)
			buf = protowire.AppendVarint(buf, uint64(blob))
			blobAt = len(buf) - start
			for _, body := range bodies {
				buf = append(buf, body...)
			}
		}
		return buf
	})
	if blob > 0 {
		b.Blob = enc[blobAt:len(enc):len(enc)]
	}
	clear(b.Bodies)
	b.Bodies = nil
	e := &Encoded{Batch: b, enc: enc}
	e.refl = encodedMessage{Message: b.ProtoReflect(), e: e}
	return e
}

// batchBound is at least the size of b's encoding with a blob of blob
// bytes (sizes already listed), so that the arena makes room first.
func batchBound(b *wire.Batch, blob int) int {
	const field = 1 + 10 // a tag and a length (or varint) at their longest
	// type_of, the four data strings, sizes and blob; then each name.
	n := 7*field + blob + 5*(len(b.TypeOf)+len(b.Sizes))
	for _, t := range b.Types {
		n += field + len(t)
	}
	return n + len(b.DataGroup) + len(b.DataSender) + len(b.DataClass) + len(b.DataPayloadType)
}

func appendPacked(buf []byte, num protowire.Number, vs []uint32) []byte {
	if len(vs) == 0 {
		return buf
	}
	n := 0
	for _, v := range vs {
		n += protowire.SizeVarint(uint64(v))
	}
	buf = protowire.AppendTag(buf, num, protowire.BytesType)
	buf = protowire.AppendVarint(buf, uint64(n))
	for _, v := range vs {
		buf = protowire.AppendVarint(buf, uint64(v))
	}
	return buf
}

func appendStringField(buf []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return buf
	}
	buf = protowire.AppendTag(buf, num, protowire.BytesType)
	return protowire.AppendString(buf, s)
}

// sameItems reports whether a and b list the very same messages (the same
// pointers), so that the batches made of one serve for the other.
func sameItems(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == nil || !reflect.TypeOf(a[i]).Comparable() || a[i] != b[i] {
			return false
		}
	}
	return true
}

var _ proto.Message = (*Encoded)(nil)
