package outbox_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// post is one message an outbox handed to its SendFunc.
type post struct {
	to  *actor.PID
	msg any
}

// wireLog records what an outbox sends, in order.
type wireLog struct{ posts []post }

func (w *wireLog) send(to *actor.PID, msg any) { w.posts = append(w.posts, post{to, msg}) }

func (w *wireLog) take() []post {
	p := w.posts
	w.posts = nil
	return p
}

func pid(id string) *actor.PID { return actor.NewPID("127.0.0.1:1", id) }

func probe(n int) *wire.Probe { return &wire.Probe{From: "tx", N: uint64(n), Body: []byte("body")} }

func newOutbox(t testing.TB, maxItems, maxBytes int) *outbox.Outbox {
	t.Helper()
	cfg := outbox.Config{MaxItems: maxItems, MaxBytes: maxBytes}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return outbox.New(cfg)
}

// bodies returns the marshalled messages of a batch, failing t if they
// cannot be cut from it.
func bodies(t *testing.T, b *wire.Batch) [][]byte {
	t.Helper()
	out, err := outbox.BodiesOf(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// remoteBatch returns the batch and sender of a post to another process.
func remoteBatch(t *testing.T, p post) (*wire.Batch, *actor.PID) {
	t.Helper()
	env, ok := p.msg.(*actor.MessageEnvelope)
	if !ok {
		t.Fatalf("remote post is %T, want *actor.MessageEnvelope", p.msg)
	}
	e, ok := env.Message.(*outbox.Encoded)
	if !ok {
		t.Fatalf("remote post carries %T, want *outbox.Encoded", env.Message)
	}
	// What the receiving process decodes: the batch as protoactor marshals
	// it, which must also be the batch the Encoded shows.
	enc, err := proto.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	b := &wire.Batch{}
	if err := proto.Unmarshal(enc, b); err != nil {
		t.Fatalf("encoded batch does not decode: %v", err)
	}
	if !proto.Equal(b, e.Batch) {
		t.Fatalf("encoded batch decodes to %v, but shows %v", b, e.Batch)
	}
	return b, env.Sender
}

// decodeAll round-trips b through the wire and decodes it.
func decodeAll(t *testing.T, b *wire.Batch) []proto.Message {
	t.Helper()
	raw, err := proto.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var got wire.Batch
	if err := proto.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	var out []proto.Message
	var dec outbox.Decoder
	if err := dec.Decode(&got, func(m proto.Message) { out = append(out, m) }); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

func probeNumbers(t *testing.T, msgs []proto.Message) []uint64 {
	t.Helper()
	out := make([]uint64, len(msgs))
	for i, m := range msgs {
		p, ok := m.(*wire.Probe)
		if !ok {
			t.Fatalf("message %d is %T, want *wire.Probe", i, m)
		}
		out[i] = p.N
	}
	return out
}

func TestNothingSentBeforeFlush(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	if ob.Pending() {
		t.Fatal("a new outbox is pending")
	}
	ob.Flush(w.send) // nothing to flush
	ob.Add(pid("a"), nil, true, probe(1), w.send)
	ob.Add(pid("b"), pid("me"), false, probe(2), w.send)
	if len(w.posts) != 0 || !ob.Pending() {
		t.Fatalf("sent %d before Flush, pending=%v", len(w.posts), ob.Pending())
	}
	ob.Flush(w.send)
	if len(w.posts) != 2 || ob.Pending() {
		t.Fatalf("sent %d at Flush, pending=%v; want 2, false", len(w.posts), ob.Pending())
	}
	ob.Flush(w.send)
	if len(w.posts) != 2 {
		t.Fatalf("a second Flush sent %d more", len(w.posts)-2)
	}
}

// TestGathersPerDestinationAndSender interleaves messages to three
// destinations from two senders and checks each (destination, sender) gets
// one batch with its messages in the order added, destinations in the
// order first used.
func TestGathersPerDestinationAndSender(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	a, b, c := pid("a"), pid("b"), pid("c")
	s1, s2 := pid("s1"), pid("s2")
	type add struct {
		to, from *actor.PID
		n        int
	}
	adds := []add{{b, s1, 1}, {a, s1, 2}, {b, s2, 3}, {b, s1, 4}, {c, s1, 5}, {a, s1, 6}, {b, s2, 7}, {b, s1, 8}, {c, s1, 9}}
	for _, ad := range adds {
		ob.Add(ad.to, ad.from, false, probe(ad.n), w.send)
	}
	ob.Flush(w.send)
	posts := w.take()
	type key struct{ to, from string }
	var order []key
	got := map[key][]uint64{}
	for _, p := range posts {
		batch, sender := remoteBatch(t, p)
		k := key{p.to.Id, sender.Id}
		if _, dup := got[k]; dup {
			t.Fatalf("two batches for %v", k)
		}
		order = append(order, k)
		got[k] = probeNumbers(t, decodeAll(t, batch))
	}
	want := map[key][]uint64{{"b", "s1"}: {1, 4, 8}, {"a", "s1"}: {2, 6}, {"b", "s2"}: {3, 7}, {"c", "s1"}: {5, 9}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if wantOrder := []key{{"b", "s1"}, {"a", "s1"}, {"b", "s2"}, {"c", "s1"}}; !slices.Equal(order, wantOrder) {
		t.Fatalf("destinations flushed in order %v, want first use %v", order, wantOrder)
	}

	// In-process items carry their own sender: one batch per destination.
	for _, ad := range adds {
		ob.Add(ad.to, ad.from, true, probe(ad.n), w.send)
	}
	ob.Flush(w.send)
	posts = w.take()
	if len(posts) != 3 {
		t.Fatalf("%d local batches, want one per destination (3)", len(posts))
	}
	for i, wantItems := range [][]int{{1, 3, 4, 7, 8}, {2, 6}, {5, 9}} {
		l, ok := posts[i].msg.(*outbox.Local)
		if !ok {
			t.Fatalf("local post %d is %T", i, posts[i].msg)
		}
		var nums []int
		for _, it := range l.Items {
			nums = append(nums, int(it.(*wire.Probe).N))
		}
		if !slices.Equal(nums, wantItems) {
			t.Fatalf("local batch %d to %s holds %v, want %v", i, posts[i].to.Id, nums, wantItems)
		}
	}
}

// TestEqualPIDsShareABatch checks that two PID values naming one actor
// are one destination: otherwise the messages to it would be split over
// two batches and reordered.
func TestEqualPIDsShareABatch(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	for i := 1; i <= 4; i++ {
		ob.Add(pid("a"), pid("me"), false, probe(i), w.send) // a fresh PID each time
	}
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 1 {
		t.Fatalf("%d batches to one actor, want 1", len(posts))
	}
	b, _ := remoteBatch(t, posts[0])
	if got := probeNumbers(t, decodeAll(t, b)); !slices.Equal(got, []uint64{1, 2, 3, 4}) {
		t.Fatalf("got %v, want [1 2 3 4]", got)
	}
}

func TestMaxItemsFlushesAtOnce(t *testing.T) {
	const maxItems = 3
	ob, w := newOutbox(t, maxItems, 1<<20), &wireLog{}
	a, b := pid("a"), pid("b")
	ob.Add(b, nil, true, probe(100), w.send)
	for i := 1; i <= maxItems; i++ {
		if len(w.posts) != 0 {
			t.Fatalf("sent after %d of %d items", i-1, maxItems)
		}
		ob.Add(a, nil, true, probe(i), w.send)
	}
	if len(w.posts) != 1 || w.posts[0].to != a {
		t.Fatalf("after %d items sent %v, want one batch to a", maxItems, w.posts)
	}
	if l := w.posts[0].msg.(*outbox.Local); len(l.Items) != maxItems {
		t.Fatalf("full batch holds %d items, want %d", len(l.Items), maxItems)
	}
	if !ob.Pending() {
		t.Fatal("b's message was flushed with a's full batch")
	}
	ob.Add(a, nil, true, probe(4), w.send)
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 3 || posts[1].to != b || posts[2].to != a {
		t.Fatalf("Flush sent %v, want b's message then a's fourth", posts[1:])
	}
	if p, ok := posts[2].msg.(*wire.Probe); !ok || p.N != 4 {
		t.Fatalf("a's remainder is %v, want probe 4 alone", posts[2].msg)
	}

	// The same for another process.
	for i := 1; i <= maxItems; i++ {
		ob.Add(a, pid("me"), false, probe(i), w.send)
	}
	if len(w.posts) != 1 {
		t.Fatalf("a full remote destination sent %d messages, want 1", len(w.posts))
	}
	bt, _ := remoteBatch(t, w.posts[0])
	if got := probeNumbers(t, decodeAll(t, bt)); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("full remote batch %v", got)
	}
	if ob.Pending() {
		ob.Flush(w.send)
		if len(w.posts) != 1 {
			t.Fatalf("Flush after a full batch sent %d more", len(w.posts)-1)
		}
	}
}

func TestMaxItemsOneSendsEachAlone(t *testing.T) {
	ob, w := newOutbox(t, 1, 1<<20), &wireLog{}
	m := probe(1)
	ob.Add(pid("a"), nil, true, m, w.send)
	if len(w.posts) != 1 || w.posts[0].msg != any(m) {
		t.Fatalf("MaxItems 1 sent %v, want the message at once, alone", w.posts)
	}
}

func TestSingleMessagesGoAlone(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	local := &actor.MessageEnvelope{Message: probe(1), Sender: pid("s")}
	remote := probe(2)
	me := pid("me")
	ob.Add(pid("a"), nil, true, local, w.send)
	ob.Add(pid("b"), me, false, remote, w.send)
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 2 {
		t.Fatalf("sent %d, want 2", len(posts))
	}
	if posts[0].msg != any(local) {
		t.Fatalf("a single local message went as %T, want the value itself", posts[0].msg)
	}
	env, ok := posts[1].msg.(*actor.MessageEnvelope)
	if !ok || env.Message != proto.Message(remote) || env.Sender != me {
		t.Fatalf("a single remote message went as %+v, want an envelope of it from %v", posts[1].msg, me)
	}
	if st := ob.Stats(); st.Sent != 2 || st.Batched != 0 {
		t.Fatalf("stats %+v, want sent=2 batched=0", st)
	}
}

// TestLocalsNeverShareItems collects many Locals of varying sizes from one
// outbox (whose items are cut from shared slabs), then writes and appends
// to each: no Local may see another's writes.
func TestLocalsNeverShareItems(t *testing.T) {
	ob, w := newOutbox(t, 5, 1<<20), &wireLog{}
	n := 0
	for round := range 60 {
		for d := range 3 {
			for range 2 + (round+d)%4 {
				n++
				ob.Add(pid(fmt.Sprint(d)), nil, true, probe(n), w.send)
			}
		}
		ob.Flush(w.send)
	}
	var locals []*outbox.Local
	for _, p := range w.take() {
		l, ok := p.msg.(*outbox.Local)
		if !ok {
			t.Fatalf("got %T, want *outbox.Local (every batch had 2 or more)", p.msg)
		}
		if cap(l.Items) != len(l.Items) {
			t.Fatalf("Local has cap %d > len %d: an append would write into the next", cap(l.Items), len(l.Items))
		}
		locals = append(locals, l)
	}
	seen := map[uint64]bool{}
	for _, l := range locals {
		for _, it := range l.Items {
			seen[it.(*wire.Probe).N] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("the Locals hold %d distinct probes of %d", len(seen), n)
	}
	for i, l := range locals {
		for j := range l.Items {
			l.Items[j] = i
		}
		l.Items = append(l.Items, i) // past cap: must reallocate
	}
	for i, l := range locals {
		for j, it := range l.Items {
			if it != any(i) {
				t.Fatalf("Local %d item %d is %v: another Local wrote into it", i, j, it)
			}
		}
	}
	if st := ob.Stats(); st.Sent != uint64(len(locals)) || st.Batched != uint64(n) {
		t.Fatalf("stats %+v, want sent=%d batched=%d", st, len(locals), n)
	}
}

// TestLocalItemsInOrder checks a Local holds exactly what was added, in
// order, the very values (no copies).
func TestLocalItemsInOrder(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	var added []any
	for i := range 7 {
		var it any = probe(i)
		if i%2 == 1 {
			it = &actor.MessageEnvelope{Message: probe(i), Sender: pid("s")}
		}
		added = append(added, it)
		ob.Add(pid("a"), pid("ignored"), true, it, w.send)
	}
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 1 {
		t.Fatalf("sent %d, want one Local", len(posts))
	}
	l := posts[0].msg.(*outbox.Local)
	if !slices.Equal(l.Items, added) {
		t.Fatalf("Local holds %v, want %v", l.Items, added)
	}
	// What the receiver does with the Local cannot reach the outbox.
	clear(l.Items)
	ob.Add(pid("a"), nil, true, probe(1), w.send)
	ob.Add(pid("a"), nil, true, probe(2), w.send)
	ob.Flush(w.send)
	l2 := w.take()[0].msg.(*outbox.Local)
	if l2.Items[0].(*wire.Probe).N != 1 || l2.Items[1].(*wire.Probe).N != 2 {
		t.Fatalf("next Local holds %v", l2.Items)
	}
}

func TestRemoteRoundTripMixedTypes(t *testing.T) {
	payload, err := anypb.New(probe(99))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []proto.Message{
		&wire.Data{Group: "g", View: 3, Sender: "p1", Seq: 1, Vt: []uint64{1, 0, 2}, Payload: payload},
		probe(1),
		&layer.Nak{Group: "g", View: 3, Sender: "p2", Target: "p1", Seqs: []uint64{4, 5}},
		&wire.Data{Group: "g", View: 3, Sender: "p1", Seq: 2, Class: "total"},
		&layer.Status{},
		probe(2),
	}
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	me, to := pid("me"), pid("peer")
	for _, m := range msgs {
		ob.Add(to, me, false, m, w.send)
	}
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 1 || posts[0].to != to {
		t.Fatalf("sent %v, want one batch to peer", posts)
	}
	b, sender := remoteBatch(t, posts[0])
	if sender != me {
		t.Fatalf("batch sender %v, want %v", sender, me)
	}
	// The first Data sets the batch's Data header and travels compact; the
	// second has another class, so it travels whole.
	if len(b.Types) != 5 || b.Types[b.TypeOf[0]] != outbox.CompactDataName || b.Types[b.TypeOf[3]] != "lockstep.wire.Data" {
		t.Fatalf("types %v, type_of %v: want each of the 5 names once, the first Data compact and the second whole", b.Types, b.TypeOf)
	}
	got := decodeAll(t, b)
	if len(got) != len(msgs) {
		t.Fatalf("decoded %d messages, want %d", len(got), len(msgs))
	}
	for i := range msgs {
		if !proto.Equal(got[i], msgs[i]) {
			t.Fatalf("message %d: got %v, want %v", i, got[i], msgs[i])
		}
	}
	if st := ob.Stats(); st.Sent != 1 || st.Batched != uint64(len(msgs)) || st.Unmarshallable != 0 {
		t.Fatalf("stats %+v, want sent=1 batched=%d", st, len(msgs))
	}
}

// TestFanOutMarshalledOnce sends one message to several processes and
// checks every batch carries the very same marshalled bytes.
func TestFanOutMarshalledOnce(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	shared := probe(7)
	peers := []*actor.PID{pid("a"), pid("b"), pid("c")}
	for _, p := range peers {
		ob.Add(p, pid("me"), false, probe(1), w.send)
		ob.Add(p, pid("me"), false, shared, w.send)
	}
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != len(peers) {
		t.Fatalf("sent %d batches, want %d", len(posts), len(peers))
	}
	// Each batch carries its own copy of the bytes, but the shared message
	// was marshalled once: three distinct probes and the shared one.
	if st := ob.Stats(); st.Marshalled != uint64(len(peers))+1 {
		t.Fatalf("marshalled %d messages, want %d", st.Marshalled, len(peers)+1)
	}
	want, err := proto.Marshal(shared)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		b, _ := remoteBatch(t, p)
		if got := bodies(t, b)[1]; !bytes.Equal(got, want) {
			t.Fatalf("the shared message reached %s as %x, want %x", p.to.Id, got, want)
		}
	}

	// The cache lasts one Flush: a message changed afterwards is sent as
	// it is now.
	shared.N = 8
	ob.Add(peers[0], pid("me"), false, probe(1), w.send)
	ob.Add(peers[0], pid("me"), false, shared, w.send)
	ob.Flush(w.send)
	b, _ := remoteBatch(t, w.take()[0])
	if got := probeNumbers(t, decodeAll(t, b)); !slices.Equal(got, []uint64{1, 8}) {
		t.Fatalf("after the change got %v, want [1 8]", got)
	}
}

// TestMaxBytesSplitsInOrder sends a burst several times MaxBytes to one
// process and checks it goes as several batches, each within MaxBytes,
// together holding every message in order.
func TestMaxBytesSplitsInOrder(t *testing.T) {
	const maxBytes = 100
	ob, w := newOutbox(t, 1000, maxBytes), &wireLog{}
	const n = 40
	size := 0
	for i := 1; i <= n; i++ {
		m := &wire.Probe{N: uint64(i), Body: make([]byte, 20)}
		size += proto.Size(m)
		ob.Add(pid("a"), pid("me"), false, m, w.send)
	}
	ob.Flush(w.send)
	posts := w.take()
	if min := size / maxBytes; len(posts) < min {
		t.Fatalf("%d bytes went in %d batches, want at least %d", size, len(posts), min)
	}
	var all []uint64
	for i, p := range posts {
		b, _ := remoteBatch(t, p)
		total := 0
		for _, body := range bodies(t, b) {
			total += len(body)
		}
		if total > maxBytes {
			t.Fatalf("batch %d carries %d bytes > MaxBytes %d", i, total, maxBytes)
		}
		all = append(all, probeNumbers(t, decodeAll(t, b))...)
	}
	want := make([]uint64, n)
	for i := range want {
		want[i] = uint64(i + 1)
	}
	if !slices.Equal(all, want) {
		t.Fatalf("split batches hold %v, want 1..%d in order", all, n)
	}
	if st := ob.Stats(); st.Sent != uint64(len(posts)) || st.Batched != n {
		t.Fatalf("stats %+v, want sent=%d batched=%d", st, len(posts), n)
	}
}

// TestOversizedMessageStillSent checks a message larger than MaxBytes goes
// in a batch of its own rather than being dropped.
func TestOversizedMessageStillSent(t *testing.T) {
	ob, w := newOutbox(t, 100, 10), &wireLog{}
	ob.Add(pid("a"), pid("me"), false, probe(1), w.send)
	ob.Add(pid("a"), pid("me"), false, &wire.Probe{N: 2, Body: make([]byte, 50)}, w.send)
	ob.Add(pid("a"), pid("me"), false, probe(3), w.send)
	ob.Flush(w.send)
	var all []uint64
	for _, p := range w.take() {
		b, _ := remoteBatch(t, p)
		all = append(all, probeNumbers(t, decodeAll(t, b))...)
	}
	if !slices.Equal(all, []uint64{1, 2, 3}) {
		t.Fatalf("got %v, want [1 2 3]", all)
	}
}

// TestUnmarshallableCounted checks that what cannot travel to another
// process is counted and dropped, and the rest of its batch still goes.
func TestUnmarshallableCounted(t *testing.T) {
	ob, w := newOutbox(t, 100, 1<<20), &wireLog{}
	bad := &wire.Probe{From: "\xff\xfe", N: 2} // proto3 strings must be UTF-8
	if _, err := proto.Marshal(bad); err == nil {
		t.Fatal("invalid UTF-8 marshalled; the test needs a message that cannot be")
	}
	ob.Add(pid("a"), pid("me"), false, probe(1), w.send)
	ob.Add(pid("a"), pid("me"), false, bad, w.send)
	ob.Add(pid("a"), pid("me"), false, "not protobuf", w.send)
	ob.Add(pid("a"), pid("me"), false, probe(3), w.send)
	ob.Add(pid("b"), pid("me"), false, "alone, not protobuf", w.send)
	ob.Flush(w.send)
	posts := w.take()
	if len(posts) != 1 {
		t.Fatalf("sent %d, want one batch (b's only message cannot travel)", len(posts))
	}
	b, _ := remoteBatch(t, posts[0])
	if got := probeNumbers(t, decodeAll(t, b)); !slices.Equal(got, []uint64{1, 3}) {
		t.Fatalf("batch holds %v, want [1 3]", got)
	}
	if st := ob.Stats(); st.Unmarshallable != 3 || st.Sent != 1 || st.Batched != 2 {
		t.Fatalf("stats %+v, want unmarshallable=3 sent=1 batched=2", st)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := outbox.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	if c := outbox.DefaultConfig(); c.MaxItems < 2 || c.MaxBytes < 1<<16 {
		t.Fatalf("DefaultConfig %+v batches nothing or too little", c)
	}
	good := outbox.Config{MaxItems: 1, MaxBytes: 1}
	if err := good.Validate(); err != nil {
		t.Fatalf("%+v: %v", good, err)
	}
	for _, c := range []outbox.Config{
		{MaxItems: 0, MaxBytes: 1},
		{MaxItems: -1, MaxBytes: 1},
		{MaxItems: 1, MaxBytes: 0},
		{MaxItems: 1, MaxBytes: -5},
		{},
	} {
		err := c.Validate()
		if !errors.Is(err, outbox.ErrConfig) {
			t.Errorf("%+v: Validate() = %v, want an error wrapping ErrConfig", c, err)
		}
	}
}

// A Local arrives bare, or inside the envelope sender middleware wraps
// every send in; LocalOf finds it either way and nothing else.
func TestLocalOfBareAndEnveloped(t *testing.T) {
	l := &outbox.Local{Items: []any{"a"}}
	for _, msg := range []any{l, &actor.MessageEnvelope{Message: l}} {
		if got, ok := outbox.LocalOf(msg); !ok || got != l {
			t.Fatalf("LocalOf(%T) = %v, %v; want the batch", msg, got, ok)
		}
	}
	for _, msg := range []any{"a", &actor.MessageEnvelope{Message: "a"}, nil} {
		if _, ok := outbox.LocalOf(msg); ok {
			t.Fatalf("LocalOf(%#v) found a batch", msg)
		}
	}
}

// Each hands over the items in order, counts refusals and drops the
// batch's references.
func TestLocalEachCountsRefusalsAndDropsItems(t *testing.T) {
	l := &outbox.Local{Items: []any{1, 2, 3, 4}}
	var seen []any
	refused := l.Each(func(it any) bool { seen = append(seen, it); return it.(int)%2 == 1 })
	if refused != 2 || len(seen) != 4 || seen[0] != 1 || seen[3] != 4 {
		t.Fatalf("refused %d, seen %v; want 2 and [1 2 3 4]", refused, seen)
	}
	for i, it := range l.Items {
		if it != nil {
			t.Fatalf("item %d still referenced: %v", i, it)
		}
	}
}
