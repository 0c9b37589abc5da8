package outbox_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/asynkron/protoactor-go/actor"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// The compact form copies a fixed list of Data's fields; a field added to
// Data must be added there (compact.go) and here.
func TestCompactCopiesEveryDataField(t *testing.T) {
	var names []string
	fields := (&wire.Data{}).ProtoReflect().Descriptor().Fields()
	for i := range fields.Len() {
		names = append(names, string(fields.Get(i).Name()))
	}
	want := []string{"group", "view", "sender", "seq", "vt", "global_seq", "class", "payload"}
	if !slices.Equal(names, want) {
		t.Fatalf("wire.Data has fields %v; marshalCompact and restoreCompact know %v", names, want)
	}
}

func TestCompactDataRoundTrip(t *testing.T) {
	payload, err := anypb.New(probe(5))
	if err != nil {
		t.Fatal(err)
	}
	full := func(seq uint64) *wire.Data {
		return &wire.Data{Group: "g", View: 7, Sender: "p1", Seq: seq, Vt: []uint64{seq, 2, 3}, GlobalSeq: 40 + seq, Class: "causal-atomic", Payload: payload}
	}
	forwarded := full(3)
	forwarded.Sender = "p2" // a flush forwarding another member's message
	unknown := full(4)
	unknown.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
	msgs := []proto.Message{full(1), full(2), forwarded, unknown, full(5)}
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	for _, m := range msgs {
		ob.Add(pid("peer"), pid("me"), false, m, w.send)
	}
	ob.Flush(w.send)
	b, _ := remoteBatch(t, w.take()[0])
	var kinds []string
	for _, ti := range b.TypeOf {
		kinds = append(kinds, b.Types[ti])
	}
	const c, whole = outbox.CompactDataName, "lockstep.wire.Data"
	if want := []string{c, c, whole, whole, c}; !slices.Equal(kinds, want) {
		t.Fatalf("listed as %v, want %v", kinds, want)
	}
	if b.DataGroup != "g" || b.DataSender != "p1" || b.DataClass != "causal-atomic" {
		t.Fatalf("batch header %q %q %q, want the first Data's", b.DataGroup, b.DataSender, b.DataClass)
	}
	if body := bodies(t, b)[0]; len(body) >= proto.Size(full(1)) {
		t.Fatalf("compact body is %d bytes, the whole Data %d: nothing spared", len(body), proto.Size(full(1)))
	}
	got := decodeAll(t, b)
	for i := range msgs {
		if !proto.Equal(got[i], msgs[i]) {
			t.Fatalf("message %d: decoded %v, want %v", i, got[i], msgs[i])
		}
	}
	// The sender's Data are untouched by marshalling them compact.
	if d := msgs[0].(*wire.Data); d.Group != "g" || d.Sender != "p1" || d.Class != "causal-atomic" {
		t.Fatalf("marshalling changed the sent Data: %v", d)
	}
}

// A compact body is refused where Data is not allowed, like a whole one.
func TestCompactDataObeysAllow(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	ob.Add(pid("peer"), pid("me"), false, &wire.Data{Group: "g", Sender: "p1", Seq: 1}, w.send)
	ob.Add(pid("peer"), pid("me"), false, probe(1), w.send)
	ob.Flush(w.send)
	b, _ := remoteBatch(t, w.take()[0])
	dec := outbox.Decoder{Allow: func(n protoreflect.FullName) bool { return n != "lockstep.wire.Data" }}
	var got []proto.Message
	err := dec.Decode(b, func(m proto.Message) { got = append(got, m) })
	if err == nil || len(got) != 1 {
		t.Fatalf("decoded %v with error %v; want the Data refused and the probe kept", got, err)
	}
}

// randomData builds a Data from r: some of the batch's strings or others,
// a payload absent, empty or full, of the common type or another.
func randomData(r *rand.Rand) *wire.Data {
	pick := func(common, other string) string {
		if r.IntN(6) == 0 {
			return other
		}
		return common
	}
	d := &wire.Data{Group: pick("g", "h"), Sender: pick("p1", "p2"), Class: pick("fifo", ""), View: r.Uint64N(3), Seq: r.Uint64()}
	if r.IntN(2) == 0 {
		d.Vt = make([]uint64, r.IntN(8))
		for i := range d.Vt {
			d.Vt[i] = r.Uint64() >> r.IntN(64)
		}
	}
	if r.IntN(2) == 0 {
		d.GlobalSeq = r.Uint64N(1 << 40)
	}
	switch r.IntN(4) {
	case 0: // no payload
	case 1:
		d.Payload = &anypb.Any{}
	default:
		d.Payload = &anypb.Any{TypeUrl: pick("type.googleapis.com/lockstep.wire.Probe", "x/other"), Value: make([]byte, r.IntN(200))}
		for i := range d.Payload.Value {
			d.Payload.Value[i] = byte(r.Uint32())
		}
	}
	return d
}

// Seeded random batches, fanned out to two peers, come back equal; the
// peers' batches may name different payload types, so a cached compact
// body is reused only where it fits.
func TestCompactRandomRoundTrip(t *testing.T) {
	const seed = 7
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	kinds := map[string]int{}
	for round := range 300 {
		ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
		var sent [2][]proto.Message
		for range 1 + r.IntN(10) {
			d := randomData(r)
			for p := range 2 {
				if r.IntN(3) > 0 { // not every message goes to both
					ob.Add(pid(fmt.Sprint("peer", p)), pid("me"), false, d, w.send)
					sent[p] = append(sent[p], d)
				}
			}
		}
		ob.Flush(w.send)
		for _, post := range w.take() {
			p := 0
			if post.to.Id == "peer1" {
				p = 1
			}
			var got []proto.Message
			if len(sent[p]) == 1 {
				got = []proto.Message{post.msg.(*actor.MessageEnvelope).Message.(proto.Message)}
			} else {
				b, _ := remoteBatch(t, post)
				for _, ti := range b.TypeOf {
					kinds[b.Types[ti]]++
				}
				got = decodeAll(t, b)
			}
			if len(got) != len(sent[p]) {
				t.Fatalf("seed %d round %d: peer%d got %d messages, want %d", seed, round, p, len(got), len(sent[p]))
			}
			for i := range got {
				if !proto.Equal(got[i], sent[p][i]) {
					t.Fatalf("seed %d round %d: peer%d message %d: got %v, want %v", seed, round, p, i, got[i], sent[p][i])
				}
			}
		}
	}
	if kinds[outbox.CompactDataName] < 100 || kinds["lockstep.wire.Data"] < 100 {
		t.Fatalf("seed %d: the batches listed %v; want both forms well exercised", seed, kinds)
	}
}

// The compact body is Data's own encoding minus some fields: protobuf's
// decoder reads it to the same message as the fast decoder.
func TestCompactBodyIsPlainProtobuf(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0))
	for range 200 {
		ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
		d := randomData(r)
		d.Group, d.Sender, d.Class = "g", "p1", "fifo"
		ob.Add(pid("peer"), pid("me"), false, d, w.send)
		ob.Add(pid("peer"), pid("me"), false, probe(1), w.send)
		ob.Flush(w.send)
		b, _ := remoteBatch(t, w.take()[0])
		var plain wire.Data
		if err := proto.Unmarshal(bodies(t, b)[0], &plain); err != nil {
			t.Fatal(err)
		}
		plain.Group, plain.Sender, plain.Class = d.Group, d.Sender, d.Class
		if plain.Payload != nil && plain.Payload.TypeUrl == "" {
			plain.Payload.TypeUrl = b.DataPayloadType
		}
		if !proto.Equal(&plain, d) {
			t.Fatalf("protobuf reads the compact body as %v, want %v", &plain, d)
		}
	}
}

// Decoding a compact Data costs one allocation (Data and Any together; the
// payload's bytes stay in the batch) plus its vector timestamp.
func TestCompactDecodeAllocations(t *testing.T) {
	payload, err := anypb.New(probe(1))
	if err != nil {
		t.Fatal(err)
	}
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	const n = 8
	for i := range n {
		ob.Add(pid("peer"), pid("me"), false, &wire.Data{Group: "g", Sender: "p1", Class: "causal", Seq: uint64(i + 1), Vt: []uint64{1, 2, 3}, Payload: payload}, w.send)
	}
	ob.Flush(w.send)
	b, _ := remoteBatch(t, w.take()[0])
	var dec outbox.Decoder
	each := func(proto.Message) {}
	if err := dec.Decode(b, each); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(50, func() { _ = dec.Decode(b, each) }); allocs > 2*n {
		t.Fatalf("decoding %d compact Data took %.0f allocations, want at most %d", n, allocs, 2*n)
	}
}

// The arena makes room for compactBound before encoding a body, so the
// bound must never be short: else append would copy the whole buffer.
func TestCompactBoundCoversTheBody(t *testing.T) {
	const seed = 11
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for i := range 2000 {
		d := randomData(r)
		for _, url := range []string{"", "type.googleapis.com/lockstep.wire.Probe"} {
			if size, bound := outbox.CompactSize(d, url); size > bound {
				t.Fatalf("seed %d, data %d (%v): body of %d bytes, bound %d", seed, i, d, size, bound)
			}
		}
	}
	huge := &wire.Data{View: math.MaxUint64, Seq: math.MaxUint64, GlobalSeq: math.MaxUint64, Vt: []uint64{math.MaxUint64, math.MaxUint64},
		Payload: &anypb.Any{TypeUrl: "x", Value: make([]byte, 300)}}
	if size, bound := outbox.CompactSize(huge, ""); size > bound {
		t.Fatalf("largest varints: body of %d bytes, bound %d", size, bound)
	}
}
