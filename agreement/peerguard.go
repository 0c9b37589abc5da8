package agreement

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// ErrUnauthenticatedSender: a peer process sent a message in the name of
// an actor of another process, or the peer's identity is unknown.
var ErrUnauthenticatedSender = errors.New("agreement: sender not authenticated by the transport")

// CertScheme is the URI scheme of the subject alternative name by which a
// node's TLS certificate names the node's address: lockstep://host:port.
// It is the actors runtime's.
const CertScheme = actors.CertScheme

// Protobuf names protoactor remote gives the messages generals read the
// envelope sender of.
var (
	oralMessageType   = string((&byz.OralMessage{}).ProtoReflect().Descriptor().FullName())
	signedMessageType = string((&byz.SignedMessage{}).ProtoReflect().Descriptor().FullName())
)

// AddressFromTLS returns the node address that the verified client
// certificate of a gRPC stream names (its first lockstep:// URI), for
// SenderGuard on a gRPC server of one's own; actors.PeerIdentityOf does
// the work.
func AddressFromTLS(ctx context.Context) (string, error) {
	p, err := actors.PeerIdentityOf(ctx)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnauthenticatedSender, err)
	}
	return p.Address, nil
}

// SenderCheck is the actors.BatchCheck a council installs on a node that
// runs mutual TLS (actors.WithTLS): it refuses any batch failing
// CheckBatchSenders against the address the peer's certificate names, and
// any batch from a peer without one. The runtime then logs and counts the
// refusal (actors.Stats.CheckRefusals) and closes that peer's stream, so
// no general's core ever sees the batch.
func SenderCheck(peer actors.PeerIdentity, batch *remote.MessageBatch) error {
	if !peer.Authenticated {
		return fmt.Errorf("%w: the peer has no verified certificate", ErrUnauthenticatedSender)
	}
	return CheckBatchSenders(batch, peer.Address)
}

// CheckBatchSenders reports the first envelope of a remote batch, received
// on a stream from the node at address, that carries an agreement message
// (oral or signed) in the name of an actor of another node: its envelope
// sender, or the general that an oral message's path ends with, lives
// elsewhere. A batch protoactor remote writes names, as the sender of such
// a message, the general of its own node that sent it, so such an envelope
// is forged. Envelopes of other types are left alone: their packages
// decide what a sender means (a forwarded message names its originator).
// Signed messages need no path check: their signatures say who spoke.
func CheckBatchSenders(batch *remote.MessageBatch, address string) error {
	for i, env := range batch.GetEnvelopes() {
		t := int(env.GetTypeId())
		if t < 0 || t >= len(batch.GetTypeNames()) || env.GetSerializerId() != 0 {
			continue
		}
		typ := batch.GetTypeNames()[t]
		if typ != oralMessageType && typ != signedMessageType {
			continue
		}
		if s := int(env.GetSender()); s > 0 {
			if s > len(batch.GetSenders()) {
				return fmt.Errorf("%w: envelope %d: sender index %d", ErrUnauthenticatedSender, i, s)
			}
			if got := batch.GetSenders()[s-1].GetAddress(); got != address {
				return fmt.Errorf("%w: envelope %d: sender at %q on a stream from %q", ErrUnauthenticatedSender, i, got, address)
			}
		}
		if typ != oralMessageType {
			continue
		}
		var om byz.OralMessage
		if err := proto.Unmarshal(env.GetMessageData(), &om); err != nil {
			return fmt.Errorf("%w: envelope %d: %w", ErrUnauthenticatedSender, i, err)
		}
		path := om.GetPath()
		if len(path) == 0 {
			continue // the core refuses it
		}
		claimed, _, _ := strings.Cut(path[len(path)-1], "/")
		if claimed != address {
			return fmt.Errorf("%w: envelope %d: oral message claims %q on a stream from %q", ErrUnauthenticatedSender, i, path[len(path)-1], address)
		}
	}
	return nil
}

// SenderGuard returns a gRPC stream interceptor doing what SenderCheck
// does, for a gRPC server one builds oneself: it learns the peer node's
// address from identify (AddressFromTLS under mutual TLS) and ends any
// stream that delivers a batch failing CheckBatchSenders, or whose peer it
// cannot identify. A Council on an actors.Node with TLS needs none of
// this: it installs SenderCheck on the node itself.
func SenderGuard(identify func(context.Context) (string, error)) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		address, err := identify(ss.Context())
		if err != nil {
			return status.Error(codes.Unauthenticated, err.Error())
		}
		return handler(srv, &guardedStream{ServerStream: ss, address: address})
	}
}

type guardedStream struct {
	grpc.ServerStream
	address string
}

func (s *guardedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if rm, ok := m.(*remote.RemoteMessage); ok && rm.GetMessageBatch() != nil {
		if err := CheckBatchSenders(rm.GetMessageBatch(), s.address); err != nil {
			return status.Error(codes.PermissionDenied, err.Error())
		}
	}
	return nil
}
