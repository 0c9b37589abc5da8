package actors

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// ErrRejectedBatch is wrapped by the error a guarded stream ends with when a
// peer sent a batch the pinned protoactor would crash on or mishandle.
var ErrRejectedBatch = errors.New("actors: rejected remote message batch")

// Serializer ids protoactor remote knows: protobuf and JSON.
const (
	protoSerializerID = 0
	jsonSerializerID  = 1
)

// streamGuard protects the node's gRPC server from what peers send. The
// pinned protoactor's endpoint reader dereferences nil when a batch names a
// message type this process has not registered, and indexes slices with
// peer-supplied numbers; any of these panics inside a gRPC handler goroutine
// and, without this guard, kills the whole process. The guard inspects every
// incoming batch before protoactor sees it, and also recovers any panic the
// handler raises; either way only the offending stream is closed, with an
// error the peer sees, and the node keeps serving everyone else.
type streamGuard struct {
	// log is read through logger: the node renames it once its address is
	// known, while the server may already be serving.
	log *logrus.Entry
	// checkBatches enables the inspection; the recovery is always on.
	checkBatches bool
	// authenticate requires every stream to have a PeerIdentity (TLS on).
	authenticate bool
	// checks are the BatchChecks installed with Node.AddBatchCheck.
	checks          batchChecks
	rejected        atomic.Uint64
	panics          atomic.Uint64
	unauthenticated atomic.Uint64
	checkRefusals   atomic.Uint64

	// active counts the handlers running; idle is closed when it drops to
	// zero. Close waits for idle so that protoactor's shutdown runs after
	// every inbound stream has finished (see Node.stopRemote).
	mu     sync.Mutex
	active int
	idle   chan struct{}
}

func (g *streamGuard) logger() *logrus.Entry {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.log
}

func (g *streamGuard) setLogger(l *logrus.Entry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = l
}

func (g *streamGuard) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.active == 0 {
		g.idle = make(chan struct{})
	}
	g.active++
}

func (g *streamGuard) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.active--
	if g.active == 0 {
		close(g.idle)
	}
}

// awaitIdle waits, at most timeout, until no handler is running, and
// reports whether that happened. Returning through g.mu orders everything
// the finished handlers did before what the caller does next.
func (g *streamGuard) awaitIdle(timeout time.Duration) bool {
	g.mu.Lock()
	if g.active == 0 {
		g.mu.Unlock()
		return true
	}
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		// An empty critical section: only the ordering it creates is wanted.
		g.mu.Lock()
		_ = g.active
		g.mu.Unlock()
		return true
	case <-time.After(timeout):
		return false
	}
}

// interceptor is the grpc.StreamServerInterceptor installed on the remote
// server.
func (g *streamGuard) interceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	g.enter()
	defer g.leave()
	defer func() {
		if r := recover(); r != nil {
			g.rejected.Add(1)
			g.panics.Add(1)
			g.logger().WithFields(logrus.Fields{
				"method": info.FullMethod,
				"panic":  fmt.Sprint(r),
				"stack":  string(debug.Stack()),
			}).Error("remote: recovered a panic in the gRPC handler; closing that stream only")
			err = status.Errorf(codes.Internal, "%v: handler panicked: %v", ErrRejectedBatch, r)
		}
	}()
	var who PeerIdentity
	if g.authenticate {
		var err error
		if who, err = PeerIdentityOf(ss.Context()); err != nil {
			g.unauthenticated.Add(1)
			g.logger().WithError(err).Warn("remote: refused a stream whose peer has no identity")
			return status.Error(codes.Unauthenticated, err.Error())
		}
	}
	return handler(srv, &checkedStream{ServerStream: ss, guard: g, peer: who})
}

// checkedStream inspects every RemoteMessage a peer sends before the
// endpoint reader gets it.
type checkedStream struct {
	grpc.ServerStream
	guard *streamGuard
	peer  PeerIdentity
}

// RecvMsg implements grpc.ServerStream. A bad batch turns into an error
// here, which protoactor's reader returns, which closes the stream.
func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	rm, ok := m.(*remote.RemoteMessage)
	if !ok {
		return nil
	}
	batch := rm.GetMessageBatch()
	if batch == nil {
		return nil
	}
	if s.guard.checkBatches {
		if err := checkBatch(batch); err != nil {
			s.guard.rejected.Add(1)
			s.guard.logger().WithError(err).Warn("remote: rejected a message batch from a peer; closing that stream only")
			return status.Error(codes.InvalidArgument, err.Error())
		}
	}
	for _, check := range s.guard.checks.snapshot() {
		if err := check(s.peer, batch); err != nil {
			s.guard.rejected.Add(1)
			s.guard.checkRefusals.Add(1)
			s.guard.logger().WithError(err).WithField("peer", s.peer.Address).
				Warn("remote: a batch check refused a batch from a peer; closing that stream only")
			return status.Error(codes.PermissionDenied, err.Error())
		}
	}
	return nil
}

// checkBatch reports what in b the pinned endpoint reader would crash on:
// an unregistered protobuf type name, an unknown serializer, or an index
// outside the batch's type, target or sender tables.
func checkBatch(b *remote.MessageBatch) error {
	for i, env := range b.GetEnvelopes() {
		if env == nil {
			return fmt.Errorf("%w: envelope %d is empty", ErrRejectedBatch, i)
		}
		tid := int(env.GetTypeId())
		if tid < 0 || tid >= len(b.GetTypeNames()) {
			return fmt.Errorf("%w: envelope %d: type index %d out of range", ErrRejectedBatch, i, tid)
		}
		if t := int(env.GetTarget()); t < 0 || t >= len(b.GetTargets()) || b.GetTargets()[t] == nil {
			return fmt.Errorf("%w: envelope %d: target index %d out of range", ErrRejectedBatch, i, t)
		}
		if s := int(env.GetSender()); s < 0 || s > len(b.GetSenders()) || (s > 0 && b.GetSenders()[s-1] == nil) {
			return fmt.Errorf("%w: envelope %d: sender index %d out of range", ErrRejectedBatch, i, s)
		}
		switch env.GetSerializerId() {
		case protoSerializerID:
			name := protoreflect.FullName(b.GetTypeNames()[tid])
			if _, err := protoregistry.GlobalTypes.FindMessageByName(name); err != nil {
				return fmt.Errorf("%w: envelope %d: message type %q is not registered in this process", ErrRejectedBatch, i, name)
			}
		case jsonSerializerID:
			// The JSON serializer turns unknown types into a JsonMessage.
		default:
			return fmt.Errorf("%w: envelope %d: unknown serializer %d", ErrRejectedBatch, i, env.GetSerializerId())
		}
	}
	return nil
}
