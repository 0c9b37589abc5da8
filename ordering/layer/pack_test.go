package layer

import (
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// pack gives what anypb.New gives, for many payloads in a row (across
// slab boundaries and one payload larger than a slab), and a payload that
// cannot be marshalled fails without spoiling the next.
func TestPackMatchesAnypbNew(t *testing.T) {
	p := newPacker()
	var packed []*anypb.Any
	var want []*anypb.Any
	add := func(m proto.Message) {
		t.Helper()
		a, err := p.pack(m)
		if err != nil {
			t.Fatal(err)
		}
		w, err := anypb.New(m)
		if err != nil {
			t.Fatal(err)
		}
		packed, want = append(packed, a), append(want, w)
	}
	for i := range 3 * anySlabSize {
		add(&wire.Probe{From: "p", N: uint64(i), Body: make([]byte, i*7)})
		if i%10 == 0 {
			add(wrapperspb.String("v"))
		}
	}
	add(&wire.Probe{Body: make([]byte, 2*valueSlabSize)})
	if _, err := p.pack(&wire.Probe{From: "\xff"}); err == nil {
		t.Fatal("packing invalid UTF-8 succeeded")
	}
	add(&wire.Probe{N: 99})
	for i := range packed { // checked at the end: later packs must not overwrite earlier ones
		if !proto.Equal(packed[i], want[i]) {
			t.Fatalf("payload %d packed as %v, anypb.New gives %v", i, packed[i], want[i])
		}
	}
}

// Packing allocates far less than once per payload.
func TestPackAllocations(t *testing.T) {
	p := newPacker()
	msg := &wire.Probe{From: "p", N: 1, Body: make([]byte, 100)}
	if _, err := p.pack(msg); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(1000, func() { _, _ = p.pack(msg) }); a > 0.2 {
		t.Fatalf("pack allocates %.2f times per payload, want slabs (at most 0.2)", a)
	}
}

// unpack gives what UnmarshalNew gives, and refuses an unknown type.
func TestUnpackMatchesUnmarshalNew(t *testing.T) {
	p := newPacker()
	for i := range 5 {
		a, err := anypb.New(&wire.Probe{N: uint64(i), From: "x"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.unpack(a)
		if err != nil {
			t.Fatal(err)
		}
		want, err := a.UnmarshalNew()
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Fatalf("unpacked %v, UnmarshalNew gives %v", got, want)
		}
	}
	if _, err := p.unpack(&anypb.Any{TypeUrl: "type.googleapis.com/no.such.Type"}); err == nil {
		t.Fatal("unpacked a payload of an unknown type")
	}
	if _, err := p.unpack(&anypb.Any{TypeUrl: "type.googleapis.com/lockstep.wire.Probe", Value: []byte{0xff}}); err == nil {
		t.Fatal("unpacked malformed bytes")
	}
}
