package agreement

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// ErrUnauthenticatedSender: a peer process sent a message in the name of
// an actor of another process, or the peer's identity is unknown.
var ErrUnauthenticatedSender = errors.New("agreement: sender not authenticated by the transport")

// CertScheme is the URI scheme of the subject alternative name by which a
// node's TLS certificate names the node's address: lockstep://host:port.
const CertScheme = "lockstep"

// oralMessageType is the protobuf name protoactor remote gives OM messages.
var oralMessageType = string((&byz.OralMessage{}).ProtoReflect().Descriptor().FullName())

// AddressFromTLS returns the node address that the verified client
// certificate of a gRPC stream names (its first lockstep:// URI), for
// SenderGuard on a remote server configured with mutual TLS.
func AddressFromTLS(ctx context.Context) (string, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return "", fmt.Errorf("%w: no peer", ErrUnauthenticatedSender)
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return "", fmt.Errorf("%w: no verified client certificate", ErrUnauthenticatedSender)
	}
	for _, u := range info.State.VerifiedChains[0][0].URIs {
		if u.Scheme == CertScheme && u.Host != "" {
			return u.Host, nil
		}
	}
	return "", fmt.Errorf("%w: certificate names no %s:// address", ErrUnauthenticatedSender, CertScheme)
}

// CheckBatchSenders reports the first envelope of a remote batch, received
// on a stream from the node at address, that speaks for an actor of
// another node: its envelope sender, or the general that an oral message's
// path ends with, lives elsewhere. A batch from protoactor remote carries
// only its own node's messages, so such an envelope is forged. Signed
// messages need no such check: their signatures say who spoke.
func CheckBatchSenders(batch *remote.MessageBatch, address string) error {
	for i, env := range batch.GetEnvelopes() {
		if s := int(env.GetSender()); s > 0 {
			if s > len(batch.GetSenders()) {
				return fmt.Errorf("%w: envelope %d: sender index %d", ErrUnauthenticatedSender, i, s)
			}
			if got := batch.GetSenders()[s-1].GetAddress(); got != address {
				return fmt.Errorf("%w: envelope %d: sender at %q on a stream from %q", ErrUnauthenticatedSender, i, got, address)
			}
		}
		t := int(env.GetTypeId())
		if t < 0 || t >= len(batch.GetTypeNames()) || batch.GetTypeNames()[t] != oralMessageType || env.GetSerializerId() != 0 {
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

// SenderGuard returns a gRPC stream interceptor for the remote server of
// a node hosting generals: it learns the peer node's address from
// identify (AddressFromTLS under mutual TLS) and ends any stream that
// delivers a batch failing CheckBatchSenders, or whose peer it cannot
// identify. With it, the envelope sender and oral-message claims a general
// checks (doc.go, A2) are bound to the authenticated peer. The actors
// runtime must install it among its server options, next to its own batch
// guard.
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
