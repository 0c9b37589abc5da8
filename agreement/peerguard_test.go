package agreement

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const (
	alice = "127.0.0.1:4001"
	bob   = "127.0.0.1:4002"
)

// batchOf builds the batch protoactor remote would send for one message
// from sender (nil for none) to a general of bob's.
func batchOf(t *testing.T, msg proto.Message, sender *actor.PID) *remote.MessageBatch {
	t.Helper()
	data, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	b := &remote.MessageBatch{
		TypeNames: []string{string(msg.ProtoReflect().Descriptor().FullName())},
		Targets:   []*actor.PID{actor.NewPID(bob, "g1")},
		Envelopes: []*remote.MessageEnvelope{{TypeId: 0, MessageData: data, Target: 0}},
	}
	if sender != nil {
		b.Senders = []*actor.PID{sender}
		b.Envelopes[0].Sender = 1
	}
	return b
}

func oral(path ...string) *byz.OralMessage {
	return &byz.OralMessage{Session: "council#1", Commander: path[0], Path: path, Value: byz.Attack}
}

func TestCheckBatchSenders(t *testing.T) {
	g0 := actor.NewPID(alice, "g0")
	for _, tc := range []struct {
		name   string
		batch  *remote.MessageBatch
		forged bool
	}{
		{"honest", batchOf(t, oral(alice+"/g0"), g0), false},
		{"relay", batchOf(t, oral(bob+"/g3", alice+"/g0"), g0), false},
		{"no sender", batchOf(t, oral(alice+"/g0"), nil), false},
		{"signed, any chain", batchOf(t, &byz.SignedMessage{Session: "council#1", Chain: []*byz.Signature{{Signer: bob + "/g3"}}}, g0), false},
		{"envelope names another node", batchOf(t, oral(alice+"/g0"), actor.NewPID(bob, "g3")), true},
		{"path names another node", batchOf(t, oral(bob+"/g3"), g0), true},
		{"relay claimed for another node", batchOf(t, oral(alice+"/g0", bob+"/g3"), nil), true},
		{"signed, envelope names another node", batchOf(t, &byz.SignedMessage{Session: "council#1"}, actor.NewPID(bob, "g3")), true},
		{"not an agreement message", batchOf(t, &actor.Touch{}, actor.NewPID(bob, "g3")), false},
	} {
		err := CheckBatchSenders(tc.batch, alice)
		if tc.forged != errors.Is(err, ErrUnauthenticatedSender) {
			t.Errorf("%s: CheckBatchSenders = %v, forged %v", tc.name, err, tc.forged)
		}
	}
}

// tlsContext is a stream context whose peer presented cert, verified.
func tlsContext(cert *x509.Certificate) context.Context {
	state := tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}, VerifiedChains: [][]*x509.Certificate{{cert}}}
	return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: credentials.TLSInfo{State: state}})
}

func TestAddressFromTLS(t *testing.T) {
	named := &x509.Certificate{URIs: []*url.URL{{Scheme: "https", Host: "example.org"}, {Scheme: CertScheme, Host: alice}}}
	if got, err := AddressFromTLS(tlsContext(named)); err != nil || got != alice {
		t.Errorf("AddressFromTLS = %q, %v", got, err)
	}
	for name, ctx := range map[string]context.Context{
		"no peer":     context.Background(),
		"no TLS":      peer.NewContext(context.Background(), &peer.Peer{}),
		"no name":     tlsContext(&x509.Certificate{}),
		"unverified":  peer.NewContext(context.Background(), &peer.Peer{AuthInfo: credentials.TLSInfo{State: tls.ConnectionState{PeerCertificates: []*x509.Certificate{named}}}}),
		"wrong named": tlsContext(&x509.Certificate{URIs: []*url.URL{{Scheme: "https", Host: alice}}}),
	} {
		if _, err := AddressFromTLS(ctx); !errors.Is(err, ErrUnauthenticatedSender) {
			t.Errorf("%s: AddressFromTLS = %v", name, err)
		}
	}
}

// fakeStream hands out one remote message and reports the context given.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
	msg *remote.RemoteMessage
}

func (f *fakeStream) Context() context.Context { return f.ctx }

func (f *fakeStream) RecvMsg(m any) error {
	proto.Merge(m.(*remote.RemoteMessage), f.msg)
	return nil
}

func TestSenderCheck(t *testing.T) {
	forged := batchOf(t, oral(bob+"/g3"), actor.NewPID(bob, "g3"))
	honest := batchOf(t, oral(alice+"/g0"), actor.NewPID(alice, "g0"))
	authed := actors.PeerIdentity{Authenticated: true, Address: alice}
	if err := SenderCheck(authed, honest); err != nil {
		t.Errorf("honest: %v", err)
	}
	if err := SenderCheck(authed, forged); !errors.Is(err, ErrUnauthenticatedSender) {
		t.Errorf("forged: %v", err)
	}
	if err := SenderCheck(actors.PeerIdentity{}, honest); !errors.Is(err, ErrUnauthenticatedSender) {
		t.Errorf("no identity: %v", err)
	}
}

func TestSenderGuard(t *testing.T) {
	guard := SenderGuard(AddressFromTLS)
	cert := &x509.Certificate{URIs: []*url.URL{{Scheme: CertScheme, Host: alice}}}
	recv := func(srv any, ss grpc.ServerStream) error { return ss.RecvMsg(&remote.RemoteMessage{}) }
	run := func(ctx context.Context, b *remote.MessageBatch) error {
		msg := &remote.RemoteMessage{MessageType: &remote.RemoteMessage_MessageBatch{MessageBatch: b}}
		return guard(nil, &fakeStream{ctx: ctx, msg: msg}, &grpc.StreamServerInfo{}, recv)
	}
	if err := run(tlsContext(cert), batchOf(t, oral(alice+"/g0"), actor.NewPID(alice, "g0"))); err != nil {
		t.Errorf("honest batch: %v", err)
	}
	if err := run(tlsContext(cert), batchOf(t, oral(bob+"/g3"), actor.NewPID(bob, "g3"))); status.Code(err) != codes.PermissionDenied {
		t.Errorf("forged batch: %v", err)
	}
	if err := run(context.Background(), batchOf(t, oral(alice+"/g0"), nil)); status.Code(err) != codes.Unauthenticated {
		t.Errorf("unauthenticated stream: %v", err)
	}
}
