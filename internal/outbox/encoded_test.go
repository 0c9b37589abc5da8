package outbox_test

import (
	"bytes"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"google.golang.org/protobuf/proto"
)

// encodedTo flushes a few probes to each of peers (the same messages to
// all) and returns the Encoded each peer was sent.
func encodedTo(t *testing.T, peers ...string) []*outbox.Encoded {
	t.Helper()
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	msgs := []proto.Message{probe(1), probe(2), probe(3)}
	for _, p := range peers {
		for _, m := range msgs {
			ob.Add(pid(p), pid("me"), false, m, w.send)
		}
	}
	ob.Flush(w.send)
	var out []*outbox.Encoded
	for _, post := range w.take() {
		remoteBatch(t, post) // decodes, and matches what it shows
		out = append(out, post.msg.(*actor.MessageEnvelope).Message.(*outbox.Encoded))
	}
	if len(out) != len(peers) {
		t.Fatalf("%d batches for %d peers", len(out), len(peers))
	}
	return out
}

// protoactor marshals the batch for every destination: that must hand back
// the encoding itself, without copying or allocating.
func TestEncodedMarshalsWithoutCopying(t *testing.T) {
	e := encodedTo(t, "peer0")[0]
	got, err := proto.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || &got[0] != &e.Bytes()[0] || len(got) != cap(got) {
		t.Fatalf("Marshal returned a copy (or spare capacity): %d bytes, cap %d", len(got), cap(got))
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = proto.Marshal(e) }); allocs != 0 {
		t.Errorf("Marshal of an Encoded allocates %.0f times, want 0", allocs)
	}
	// Appending to what Marshal returned must not reach the arena.
	grown := append(got, 0xff)
	if &grown[0] == &got[0] {
		t.Fatal("an append to the encoding wrote into the arena")
	}
	prefixed, err := proto.MarshalOptions{}.MarshalAppend([]byte{1, 2}, e)
	if err != nil || !bytes.Equal(prefixed[:2], []byte{1, 2}) || !bytes.Equal(prefixed[2:], e.Bytes()) {
		t.Fatalf("MarshalAppend: %x, %v", prefixed, err)
	}
	if proto.MessageName(e) != "lockstep.wire.Batch" {
		t.Errorf("an Encoded travels as %q, want lockstep.wire.Batch", proto.MessageName(e))
	}
}

// Fault injection clones what it corrupts: the clone of an Encoded is a
// plain batch with the same contents, free to modify.
func TestEncodedClonesToAPlainBatch(t *testing.T) {
	e := encodedTo(t, "peer0")[0]
	c, ok := proto.Clone(e).(*wire.Batch)
	if !ok || !proto.Equal(c, e.Batch) {
		t.Fatalf("clone is %T %v, want a *wire.Batch equal to %v", c, c, e.Batch)
	}
}

// A multicast's batch is encoded once for all its destinations; a
// destination with other messages gets its own.
func TestSameItemsShareOneEncoding(t *testing.T) {
	es := encodedTo(t, "peer0", "peer1", "peer2")
	if es[0] != es[1] || es[1] != es[2] {
		t.Fatal("three destinations with the same messages got different encodings")
	}
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	ob.Add(pid("peer0"), pid("me"), false, probe(1), w.send)
	ob.Add(pid("peer0"), pid("me"), false, probe(2), w.send)
	ob.Add(pid("peer1"), pid("me"), false, probe(1), w.send) // equal, not the same
	ob.Add(pid("peer1"), pid("me"), false, probe(2), w.send)
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 2 || posts[0].msg.(*actor.MessageEnvelope).Message == posts[1].msg.(*actor.MessageEnvelope).Message {
		t.Fatal("destinations with different messages shared an encoding")
	}
	if st := ob.Stats(); st.Sent != 2 || st.Batched != 4 {
		t.Errorf("stats %+v, want 2 sent, 4 batched", st)
	}
}

// Receivers find the batch in every form it may arrive in.
func TestBatchOf(t *testing.T) {
	e := encodedTo(t, "peer0")[0]
	plain := &wire.Batch{}
	for _, c := range []struct {
		msg  any
		want *wire.Batch
	}{
		{plain, plain},
		{e, e.Batch},
		{&actor.MessageEnvelope{Message: plain}, plain},
		{&actor.MessageEnvelope{Message: e}, e.Batch},
		{probe(1), nil},
		{&actor.MessageEnvelope{Message: probe(1)}, nil},
	} {
		got, ok := outbox.BatchOf(c.msg)
		if got != c.want || ok != (c.want != nil) {
			t.Errorf("BatchOf(%T) = %p, %v; want %p", c.msg, got, ok, c.want)
		}
	}
}
