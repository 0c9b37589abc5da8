package outbox_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

const probeType = "lockstep.wire.Probe"

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeN decodes b with dec and returns the probes' numbers (other types
// as 0) and the error.
func decodeN(dec *outbox.Decoder, b *wire.Batch) ([]uint64, error) {
	var got []uint64
	err := dec.Decode(b, func(m proto.Message) {
		if p, ok := m.(*wire.Probe); ok {
			got = append(got, p.N)
		} else {
			got = append(got, 0)
		}
	})
	return got, err
}

func TestDecodeRefusesBadItemsKeepsGoodOnes(t *testing.T) {
	good := func(n int) []byte { return marshal(t, probe(n)) }
	nested := marshal(t, &wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0}, Bodies: [][]byte{good(9)}})
	cases := []struct {
		name  string
		batch *wire.Batch
		want  []uint64 // delivered, in order
	}{
		{"type index out of range",
			&wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0, 5, 0}, Bodies: [][]byte{good(1), good(2), good(3)}},
			[]uint64{1, 3}},
		{"unknown type",
			&wire.Batch{Types: []string{"lockstep.nosuch.Message", probeType}, TypeOf: []uint32{1, 0, 1, 0}, Bodies: [][]byte{good(1), good(2), good(3), good(4)}},
			[]uint64{1, 3}},
		{"invalid type name",
			&wire.Batch{Types: []string{"not a name!", probeType}, TypeOf: []uint32{0, 1}, Bodies: [][]byte{good(1), good(2)}},
			[]uint64{2}},
		{"nested batch",
			&wire.Batch{Types: []string{probeType, "lockstep.wire.Batch"}, TypeOf: []uint32{0, 1, 0}, Bodies: [][]byte{good(1), nested, good(3)}},
			[]uint64{1, 3}},
		{"garbage body",
			&wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0, 0, 0}, Bodies: [][]byte{good(1), {0xff, 0xff, 0xff}, good(3)}},
			[]uint64{1, 3}},
		{"truncated body",
			&wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0, 0}, Bodies: [][]byte{{0x12, 0x05, 0x01}, good(2)}}, // 5 bytes announced, 1 there
			[]uint64{2}},
		{"mismatched lengths",
			&wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0, 0}, Bodies: [][]byte{good(1)}},
			nil},
		{"more types than bodies",
			&wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0}, Bodies: [][]byte{good(1), good(2)}},
			nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dec outbox.Decoder
			got, err := decodeN(&dec, c.batch)
			if !errors.Is(err, outbox.ErrBadBatch) {
				t.Fatalf("Decode error %v, want one wrapping ErrBadBatch", err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("delivered %v, want %v", got, c.want)
			}
			// The decoder is still usable afterwards.
			ok := &wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0}, Bodies: [][]byte{good(7)}}
			if got, err := decodeN(&dec, ok); err != nil || !slices.Equal(got, []uint64{7}) {
				t.Fatalf("a good batch after a bad one: %v, %v", got, err)
			}
		})
	}
}

func TestDecodeAllowFilter(t *testing.T) {
	dec := outbox.Decoder{Allow: func(n protoreflect.FullName) bool { return n.Parent() == "lockstep.wire" }}
	b := &wire.Batch{
		Types:  []string{probeType, "lockstep.layer.Nak", "lockstep.wire.Data"},
		TypeOf: []uint32{0, 1, 2, 1, 0},
		Bodies: [][]byte{
			marshal(t, probe(1)), marshal(t, &layer.Nak{Group: "g"}), marshal(t, &wire.Data{Seq: 3}),
			marshal(t, &layer.Nak{Group: "h"}), marshal(t, probe(5)),
		},
	}
	var got []proto.Message
	err := dec.Decode(b, func(m proto.Message) { got = append(got, m) })
	if !errors.Is(err, outbox.ErrBadBatch) {
		t.Fatalf("error %v, want ErrBadBatch for the refused type", err)
	}
	if len(got) != 3 {
		t.Fatalf("delivered %d messages, want 3 (the Naks refused)", len(got))
	}
	for _, m := range got {
		if _, isNak := m.(*layer.Nak); isNak {
			t.Fatalf("a type Allow refused was delivered: %v", m)
		}
	}
	if got[1].(*wire.Data).Seq != 3 {
		t.Fatalf("delivered out of order: %v", got)
	}

	// Without a filter the same batch decodes whole.
	var any outbox.Decoder
	if n, err := decodeN(&any, b); err != nil || len(n) != 5 {
		t.Fatalf("no filter: %d messages, error %v", len(n), err)
	}
}

func TestDecodeEmptyBatch(t *testing.T) {
	var dec outbox.Decoder
	called := false
	if err := dec.Decode(&wire.Batch{}, func(proto.Message) { called = true }); err != nil || called {
		t.Fatalf("empty batch: error %v, called %v", err, called)
	}
}

// FuzzDecode feeds arbitrary bytes as a marshalled batch: decoding must
// never panic, must deliver at most one message per body, report anything
// skipped as ErrBadBatch, and respect Allow.
func FuzzDecode(f *testing.F) {
	good := marshal(f, probe(1))
	f.Add(marshal(f, &wire.Batch{Types: []string{probeType}, TypeOf: []uint32{0, 0}, Bodies: [][]byte{good, good}}))
	f.Add(marshal(f, &wire.Batch{Types: []string{probeType, "lockstep.layer.Nak"}, TypeOf: []uint32{1, 0, 7}, Bodies: [][]byte{marshal(f, &layer.Nak{Seqs: []uint64{1}}), good, good}}))
	f.Add(marshal(f, &wire.Batch{Types: []string{"lockstep.wire.Batch"}, TypeOf: []uint32{0}, Bodies: [][]byte{marshal(f, &wire.Batch{Types: []string{probeType}})}}))
	f.Add(marshal(f, &wire.Batch{Types: []string{"google.protobuf.Any", "x"}, TypeOf: []uint32{0, 1}, Bodies: [][]byte{{0xff}, nil}}))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b wire.Batch
		if proto.Unmarshal(data, &b) != nil {
			return
		}
		var open outbox.Decoder
		n := 0
		err := open.Decode(&b, func(m proto.Message) {
			if m == nil {
				t.Fatal("delivered nil")
			}
			if _, nested := m.(*wire.Batch); nested {
				t.Fatal("delivered a nested batch")
			}
			n++
		})
		count := 0
		if cut, err := outbox.BodiesOf(&b); err == nil {
			count = len(cut)
		}
		switch {
		case n > count:
			t.Fatalf("delivered %d of %d bodies", n, count)
		case err == nil && n != count:
			t.Fatalf("no error but %d of %d delivered", n, count)
		case err != nil && !errors.Is(err, outbox.ErrBadBatch):
			t.Fatalf("error %v does not wrap ErrBadBatch", err)
		}
		probes := outbox.Decoder{Allow: func(n protoreflect.FullName) bool { return n == probeType }}
		_ = probes.Decode(&b, func(m proto.Message) {
			if _, ok := m.(*wire.Probe); !ok {
				t.Fatalf("Allow admits probes only, delivered %T", m)
			}
		})
	})
}

// A blob whose sizes do not cut it exactly, or that comes with bodies too,
// is refused whole.
func TestBadBlobIsRefused(t *testing.T) {
	body, err := proto.Marshal(&wire.Probe{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	name := string((&wire.Probe{}).ProtoReflect().Descriptor().FullName())
	for _, tc := range []struct {
		what string
		b    *wire.Batch
	}{
		{"a size past the end", &wire.Batch{Types: []string{name}, TypeOf: []uint32{0}, Blob: body, Sizes: []uint32{uint32(len(body)) + 1}}},
		{"bytes left over", &wire.Batch{Types: []string{name}, TypeOf: []uint32{0}, Blob: append(slices.Clone(body), 0), Sizes: []uint32{uint32(len(body))}}},
		{"a blob and bodies", &wire.Batch{Types: []string{name}, TypeOf: []uint32{0}, Blob: body, Sizes: []uint32{uint32(len(body))}, Bodies: [][]byte{body}}},
	} {
		var dec outbox.Decoder
		n := 0
		err := dec.Decode(tc.b, func(proto.Message) { n++ })
		if !errors.Is(err, outbox.ErrBadBatch) || n != 0 {
			t.Errorf("%s: delivered %d with error %v, want nothing and ErrBadBatch", tc.what, n, err)
		}
	}
	// The same message, cut right, decodes.
	var dec outbox.Decoder
	n := 0
	if err := dec.Decode(&wire.Batch{Types: []string{name}, TypeOf: []uint32{0, 0}, Blob: append(slices.Clone(body), body...), Sizes: []uint32{uint32(len(body)), uint32(len(body))}}, func(proto.Message) { n++ }); err != nil || n != 2 {
		t.Fatalf("a well-cut blob of two: %d delivered, error %v", n, err)
	}
}
