package actors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// unregistered is a message type name no process of this module registers.
const unregistered = "lockstep.nowhere.Unregistered"

// withoutBatchCheck leaves only the panic guard in place, so a test can show
// the pinned protoactor really panics on an unknown type and that the
// guard contains it.
func withoutBatchCheck() Option {
	return func(o *options) { o.skipBatchCheck = true }
}

// rejectUnknownType sends a message of an unregistered type to n over one raw
// stream and checks the node closes that stream with code, counts it, keeps
// the earlier message, and still serves a second peer.
func rejectUnknownType(t *testing.T, n *Node, logs chanHook, code codes.Code) {
	t.Helper()
	ch := make(chan arrival, 10)
	target, err := n.Spawn("sink", inbox(ch))
	if err != nil {
		t.Fatal(err)
	}
	bad := dialRaw(t, n.Address())
	bad.sendProto(t, &wire.Probe{From: "bad", N: 1}, target)
	if p := awaitProbe(t, ch, "probe before the bad batch"); p.N != 1 {
		t.Fatalf("got probe %d, want 1", p.N)
	}
	if err := bad.send(unregistered, []byte{0x08, 0x01}, target); err != nil {
		t.Fatalf("send unregistered type: %v", err)
	}
	err = bad.awaitClosed(t)
	if got := status.Code(err); got != code {
		t.Fatalf("stream closed with %v (%v), want code %v", got, err, code)
	}
	st := n.Stats()
	if st.RejectedMessages != 1 {
		t.Fatalf("RejectedMessages = %d, want 1", st.RejectedMessages)
	}
	awaitLog(t, logs, "closing that stream only")

	good := dialRaw(t, n.Address())
	good.sendProto(t, &wire.Probe{From: "good", N: 2}, target)
	if p := awaitProbe(t, ch, "probe from a second peer after the rejection"); p.N != 2 || p.From != "good" {
		t.Fatalf("got probe %d from %q, want 2 from good", p.N, p.From)
	}
	expectNothing(t, ch, "after the second peer's probe")
}

// awaitLog waits for a warning or error whose message contains text.
func awaitLog(t *testing.T, logs chanHook, text string) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case e := <-logs:
			if e.Level <= logrus.WarnLevel && strings.Contains(e.Message, text) {
				return
			}
		case <-timeout:
			t.Fatalf("no warning containing %q was logged", text)
		}
	}
}

func TestRemoteRejectsUnregisteredType(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	log, logs := hookedLogger()
	n := newNode(t, WithRemote("127.0.0.1", 0), WithLogger(log))
	rejectUnknownType(t, n, logs, codes.InvalidArgument)
	if p := n.Stats().RecoveredPanics; p != 0 {
		t.Fatalf("RecoveredPanics = %d: the batch check should have caught the type first", p)
	}
}

func TestRemoteRecoversDeserializerPanic(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	log, logs := hookedLogger()
	n := newNode(t, WithRemote("127.0.0.1", 0), WithLogger(log), withoutBatchCheck())
	rejectUnknownType(t, n, logs, codes.Internal)
	if p := n.Stats().RecoveredPanics; p != 1 {
		t.Fatalf("RecoveredPanics = %d, want 1", p)
	}
}

func TestCheckBatch(t *testing.T) {
	target := actor.NewPID("127.0.0.1:1", "x")
	probe := string((&wire.Probe{}).ProtoReflect().Descriptor().FullName())
	ok := func() *remote.MessageBatch {
		return &remote.MessageBatch{
			TypeNames: []string{probe},
			Targets:   []*actor.PID{target},
			Senders:   []*actor.PID{target},
			Envelopes: []*remote.MessageEnvelope{{TypeId: 0, Target: 0, Sender: 1}},
		}
	}
	if err := checkBatch(ok()); err != nil {
		t.Fatalf("valid batch rejected: %v", err)
	}
	cases := map[string]func(b *remote.MessageBatch){
		"unregistered type": func(b *remote.MessageBatch) { b.TypeNames[0] = unregistered },
		"type index":        func(b *remote.MessageBatch) { b.Envelopes[0].TypeId = 1 },
		"negative type":     func(b *remote.MessageBatch) { b.Envelopes[0].TypeId = -1 },
		"target index":      func(b *remote.MessageBatch) { b.Envelopes[0].Target = 3 },
		"nil target":        func(b *remote.MessageBatch) { b.Targets[0] = nil },
		"sender index":      func(b *remote.MessageBatch) { b.Envelopes[0].Sender = 2 },
		"serializer":        func(b *remote.MessageBatch) { b.Envelopes[0].SerializerId = 7 },
		"nil envelope":      func(b *remote.MessageBatch) { b.Envelopes = append(b.Envelopes, nil) },
	}
	for name, mutate := range cases {
		b := ok()
		mutate(b)
		err := checkBatch(b)
		if !errors.Is(err, ErrRejectedBatch) {
			t.Errorf("%s: checkBatch = %v, want ErrRejectedBatch", name, err)
		}
	}
	// JSON-serialized messages of unknown types are fine: protoactor wraps
	// them instead of dereferencing nil.
	b := ok()
	b.TypeNames[0] = unregistered
	b.Envelopes[0].SerializerId = jsonSerializerID
	if err := checkBatch(b); err != nil {
		t.Fatalf("JSON message of unknown type rejected: %v", err)
	}
	if err := checkBatch(&remote.MessageBatch{}); err != nil || !strings.Contains(probe, "Probe") {
		t.Fatalf("empty batch: %v (probe name %q)", err, probe)
	}
}
