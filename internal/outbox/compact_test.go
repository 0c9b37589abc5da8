package outbox_test

import (
	"slices"
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
	if len(b.Bodies[0]) >= proto.Size(full(1)) {
		t.Fatalf("compact body is %d bytes, the whole Data %d: nothing spared", len(b.Bodies[0]), proto.Size(full(1)))
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
