package layer

import (
	"github.com/lockstep-actors/lockstep/internal/arena"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
)

// Packing payloads. anypb.New allocates three times per call: the Any, its
// type URL (concatenated afresh every time) and the marshalled bytes. A
// member packs every multicast it sends to another process, so it keeps
// the URL of each payload type it has seen and cuts Anys and bytes from
// slabs. Nothing cut is ever reused: a slab lives while any Data that
// points into it does (at most Window of them per member under flow
// control, plus what receivers still hold).

const (
	anySlabSize   = 64       // Anys per allocation
	valueSlabSize = 32 << 10 // bytes per allocation of marshalled payloads
)

// packer is the member's packing state, and the payload types it resolved
// when unpacking.
type packer struct {
	urls   map[protoreflect.FullName]string
	types  map[string]protoreflect.MessageType
	anys   slab.Slab[anypb.Any]
	values arena.Arena
}

func newPacker() packer {
	return packer{anys: slab.Slab[anypb.Any]{Size: anySlabSize}, values: arena.Arena{Size: valueSlabSize}}
}

// pack returns payload in an Any, as anypb.New would.
func (p *packer) pack(payload proto.Message) (*anypb.Any, error) {
	name := payload.ProtoReflect().Descriptor().FullName()
	url, ok := p.urls[name]
	if !ok {
		if p.urls == nil {
			p.urls = make(map[protoreflect.FullName]string)
		}
		url = "type.googleapis.com/" + string(name)
		p.urls[name] = url
	}
	value, err := p.values.Marshal(payload)
	if err != nil {
		return nil, err
	}
	a := p.anys.New()
	a.TypeUrl, a.Value = url, value
	return a, nil
}

// unpack returns the payload of a, as a.UnmarshalNew would, resolving each
// type URL once.
func (p *packer) unpack(a *anypb.Any) (proto.Message, error) {
	mt, ok := p.types[a.TypeUrl]
	if !ok {
		var err error
		if mt, err = protoregistry.GlobalTypes.FindMessageByURL(a.TypeUrl); err != nil {
			return nil, err
		}
		if p.types == nil {
			p.types = make(map[string]protoreflect.MessageType)
		}
		if len(p.types) < maxResolvedTypes { // a peer sending many names must not grow it without bound
			p.types[a.TypeUrl] = mt
		}
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(a.Value, m); err != nil {
		return nil, err
	}
	return m, nil
}

// maxResolvedTypes bounds the cache of resolved payload types.
const maxResolvedTypes = 256
