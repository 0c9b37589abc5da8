package actors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// rawPeer talks protoactor's remoting protocol to a node directly through
// the generated gRPC client, so a test can send exactly the frames it wants,
// including ones a well-behaved protoactor never would.
type rawPeer struct {
	conn   *grpc.ClientConn
	stream remote.Remoting_ReceiveClient
	cancel context.CancelFunc
	// recvErr gets the error that ended the stream from the node's side.
	recvErr chan error
}

// dialRaw connects to addr and performs protoactor's connect handshake.
func dialRaw(t *testing.T, addr string) *rawPeer {
	t.Helper()
	p, err := dialRawWith(t, addr, insecure.NewCredentials())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dialRawWith connects to addr with creds and performs protoactor's
// connect handshake, all within waitTimeout, and reports what failed.
func dialRawWith(t *testing.T, addr string, creds credentials.TransportCredentials) (*rawPeer, error) {
	t.Helper()
	conn, err := grpc.Dial(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &rawPeer{conn: conn, cancel: cancel, recvErr: make(chan error, 1)}
	t.Cleanup(p.close)
	// The handshake must finish in time; the stream itself lives on.
	timer := time.AfterFunc(waitTimeout, cancel)
	defer timer.Stop()
	p.stream, err = remote.NewRemotingClient(conn).Receive(ctx)
	if err != nil {
		return nil, fmt.Errorf("open stream to %s: %w", addr, err)
	}
	err = p.stream.Send(&remote.RemoteMessage{MessageType: &remote.RemoteMessage_ConnectRequest{
		ConnectRequest: &remote.ConnectRequest{ConnectionType: &remote.ConnectRequest_ServerConnection{
			ServerConnection: &remote.ServerConnection{SystemId: "raw-peer", Address: "127.0.0.1:1"},
		}},
	}})
	if err != nil {
		return nil, fmt.Errorf("send connect request: %w", err)
	}
	resp, err := p.stream.Recv()
	if err != nil || resp.GetConnectResponse() == nil {
		return nil, fmt.Errorf("connect response %v: %w", resp, err)
	}
	if !timer.Stop() {
		return nil, fmt.Errorf("handshake with %s timed out", addr)
	}
	go func() {
		for {
			if _, err := p.stream.Recv(); err != nil {
				p.recvErr <- err
				return
			}
		}
	}()
	return p, nil
}

// send sends one batch holding one message of type typeName (which need not
// exist) with body data, to target.
func (p *rawPeer) send(typeName string, data []byte, target *actor.PID) error {
	return p.stream.Send(&remote.RemoteMessage{MessageType: &remote.RemoteMessage_MessageBatch{
		MessageBatch: &remote.MessageBatch{
			TypeNames: []string{typeName},
			Targets:   []*actor.PID{target},
			Envelopes: []*remote.MessageEnvelope{{MessageData: data, TypeId: 0, Target: 0, SerializerId: 0}},
		},
	}})
}

// sendAs sends msg to target in one batch whose envelope names sender.
func (p *rawPeer) sendAs(t *testing.T, msg proto.Message, target, sender *actor.PID) error {
	t.Helper()
	data, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return p.stream.Send(&remote.RemoteMessage{MessageType: &remote.RemoteMessage_MessageBatch{
		MessageBatch: &remote.MessageBatch{
			TypeNames: []string{string(proto.MessageName(msg))},
			Targets:   []*actor.PID{target},
			Senders:   []*actor.PID{sender},
			Envelopes: []*remote.MessageEnvelope{{MessageData: data, TypeId: 0, Target: 0, Sender: 1}},
		},
	}})
}

// sendProto sends msg, properly typed, to target.
func (p *rawPeer) sendProto(t *testing.T, msg proto.Message, target *actor.PID) {
	t.Helper()
	data, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.send(string(proto.MessageName(msg)), data, target); err != nil {
		t.Fatalf("send %T: %v", msg, err)
	}
}

// awaitClosed waits for the node to end the stream and returns its error.
func (p *rawPeer) awaitClosed(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.recvErr:
		return err
	case <-time.After(waitTimeout):
		t.Fatal("the node did not close the stream")
		return nil
	}
}

func (p *rawPeer) close() {
	if p.stream != nil {
		_ = p.stream.CloseSend()
	}
	p.cancel()
	_ = p.conn.Close()
}

// fakeRemote is a gRPC server speaking protoactor's remoting protocol that
// hands every batch it receives to a channel: a peer for a node's outgoing
// connections that is not itself a protoactor remote.
type fakeRemote struct {
	remote.UnimplementedRemotingServer
	srv     *grpc.Server
	addr    string
	batches chan *remote.MessageBatch
}

func startFakeRemote(t *testing.T) *fakeRemote {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRemote{srv: grpc.NewServer(), addr: lis.Addr().String(), batches: make(chan *remote.MessageBatch, 100)}
	remote.RegisterRemotingServer(f.srv, f)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = f.srv.Serve(lis)
	}()
	t.Cleanup(func() {
		f.srv.Stop()
		<-served
	})
	return f
}

// Receive implements remote.RemotingServer.
func (f *fakeRemote) Receive(stream remote.Remoting_ReceiveServer) error {
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case m.GetConnectRequest() != nil:
			if err := stream.Send(&remote.RemoteMessage{MessageType: &remote.RemoteMessage_ConnectResponse{
				ConnectResponse: &remote.ConnectResponse{MemberId: "fake"},
			}}); err != nil {
				return err
			}
		case m.GetMessageBatch() != nil:
			f.batches <- m.GetMessageBatch()
		}
	}
}
