package outbox

import (
	"errors"
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// ErrBadBatch reports a *wire.Batch, or a message in one, that cannot be
// decoded.
var ErrBadBatch = errors.New("outbox: bad batch")

// Decoder unpacks *wire.Batch messages. Allow says which message types a
// batch may carry (nil: any registered type but Batch itself); a batch
// never nests. Not safe for concurrent use.
type Decoder struct {
	Allow func(protoreflect.FullName) bool
	types map[string]protoreflect.MessageType
	// datas holds the Data (and payload Any) of compact bodies: a member
	// decodes one per message another process multicast.
	datas slab.Slab[dataAndAny]
	// cut is the scratch list of a batch's bodies, kept between batches;
	// nil while a Decode uses it, so that a nested Decode allocates its own.
	cut [][]byte
}

// dataSlabSize is how many decoded Data one allocation holds: a batch's
// worth, so a member retains at most one partly used allocation.
const dataSlabSize = 128

// Decode calls each with every message of b that decodes, in order. A
// message that does not decode is skipped; the error returned (wrapping
// ErrBadBatch) then says how many were skipped and why the first was.
// A batch whose parallel lists disagree in length is refused whole.
func (d *Decoder) Decode(b *wire.Batch, each func(proto.Message)) error {
	cut := d.cut
	d.cut = nil
	bodies, err := bodiesOf(b, cut[:0])
	if err != nil {
		return err
	}
	if len(b.Bodies) == 0 { // bodies is cut, not the batch's own list
		defer func() {
			clear(bodies) // let the blob go with its batch
			d.cut = bodies[:0]
		}()
	}
	if len(b.TypeOf) != len(bodies) {
		return fmt.Errorf("%w: %d type indexes for %d messages", ErrBadBatch, len(b.TypeOf), len(bodies))
	}
	var small [4]protoreflect.MessageType // a batch names a few types
	resolved := small[:0]
	if len(b.Types) > len(small) {
		resolved = make([]protoreflect.MessageType, 0, len(b.Types))
	}
	resolved = resolved[:len(b.Types)]
	var first error
	skipped := 0
	for i, body := range bodies {
		t := int(b.TypeOf[i])
		if t >= len(b.Types) {
			skipped++
			first = cmpFirst(first, fmt.Errorf("message %d: type index %d of %d", i, t, len(b.Types)))
			continue
		}
		if b.Types[t] == CompactDataName {
			m, err := d.decodeCompact(b, body)
			if err != nil {
				skipped++
				first = cmpFirst(first, fmt.Errorf("message %d (%s): %w", i, CompactDataName, err))
				continue
			}
			each(m)
			continue
		}
		if resolved[t] == nil {
			mt, err := d.lookup(b.Types[t])
			if err != nil {
				skipped++
				first = cmpFirst(first, fmt.Errorf("message %d: %w", i, err))
				continue
			}
			resolved[t] = mt
		}
		m := resolved[t].New().Interface()
		if err := proto.Unmarshal(body, m); err != nil {
			skipped++
			first = cmpFirst(first, fmt.Errorf("message %d (%s): %w", i, b.Types[t], err))
			continue
		}
		each(m)
	}
	if skipped > 0 {
		return fmt.Errorf("%w: %d of %d messages skipped; first: %w", ErrBadBatch, skipped, len(bodies), first)
	}
	return nil
}

// bodiesOf returns b's messages, marshalled: cut from the blob by sizes
// (appended to buf), or the bodies list of a batch from an older peer.
func bodiesOf(b *wire.Batch, buf [][]byte) ([][]byte, error) {
	if len(b.Sizes) == 0 && len(b.Blob) == 0 {
		return b.Bodies, nil
	}
	if len(b.Bodies) > 0 {
		return nil, fmt.Errorf("%w: both a blob and %d bodies", ErrBadBatch, len(b.Bodies))
	}
	blob := b.Blob
	for i, n := range b.Sizes {
		if uint64(n) > uint64(len(blob)) {
			return nil, fmt.Errorf("%w: message %d of %d bytes overruns the blob", ErrBadBatch, i, n)
		}
		buf = append(buf, blob[:n:n])
		blob = blob[n:]
	}
	if len(blob) > 0 {
		return nil, fmt.Errorf("%w: %d bytes of the blob belong to no message", ErrBadBatch, len(blob))
	}
	return buf, nil
}

func cmpFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

var (
	batchName = (&wire.Batch{}).ProtoReflect().Descriptor().FullName()
	dataName  = (&wire.Data{}).ProtoReflect().Descriptor().FullName()
)

// decodeCompact decodes a compact Data body of b (compact.go).
func (d *Decoder) decodeCompact(b *wire.Batch, body []byte) (*wire.Data, error) {
	if d.Allow != nil && !d.Allow(dataName) {
		return nil, fmt.Errorf("type %q not allowed in a batch", dataName)
	}
	if d.datas.Size == 0 {
		d.datas.Size = dataSlabSize
	}
	return decodeCompactBody(b, body, d.datas.New())
}

// lookup resolves a type name once per decoder.
func (d *Decoder) lookup(name string) (protoreflect.MessageType, error) {
	if mt, ok := d.types[name]; ok {
		return mt, nil
	}
	full := protoreflect.FullName(name)
	if !full.IsValid() || full == batchName || (d.Allow != nil && !d.Allow(full)) {
		return nil, fmt.Errorf("type %q not allowed in a batch", name)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(full)
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", name, err)
	}
	if d.types == nil {
		d.types = make(map[string]protoreflect.MessageType)
	}
	d.types[name] = mt
	return mt, nil
}
