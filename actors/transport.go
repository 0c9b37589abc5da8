package actors

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

// minClientPing is the shortest keepalive interval a gRPC client uses; it
// raises anything shorter.
const minClientPing = 10 * time.Second

// serverOptions are the gRPC server options of the remote: the guard, and
// keepalive so that a peer that vanished without closing its connection
// (half-open TCP) is noticed and its stream ended.
func serverOptions(cfg Config, g *streamGuard) []grpc.ServerOption {
	clientPing := max(cfg.KeepaliveTime, minClientPing)
	opts := []grpc.ServerOption{
		// The guard stays the first interceptor: it must see every stream,
		// and recover whatever the rest of the chain panics with.
		grpc.ChainStreamInterceptor(g.interceptor),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: cfg.KeepaliveTime, Timeout: cfg.KeepaliveTimeout}),
		// Allow the peers' client pings even between streams; the default
		// policy (at most one per 5 minutes) would close their connections
		// for pinging "too often".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: clientPing / 2, PermitWithoutStream: true}),
		// Reuse the buffers incoming messages are read into: the codec
		// copies what it keeps, and without a pool every message received
		// allocates its own (about 7% of a member's allocated bytes over
		// loopback). Per server, not process-wide.
		grpc.RecvBufferPool(grpc.NewSharedBufferPool()),
		grpc.InitialWindowSize(int32(cfg.StreamWindow)), grpc.InitialConnWindowSize(int32(cfg.StreamWindow)),
		grpc.WriteBufferSize(cfg.StreamBuffer), grpc.ReadBufferSize(cfg.StreamBuffer),
	}
	if cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(serverTLS(cfg.TLS))))
	}
	return opts
}

// dialOptions are the gRPC dial options of the remote. Setting any replaces
// protoactor's defaults, which are just the insecure transport credentials,
// so credentials are always given here: TLS with the node's certificate
// as the client certificate, or insecure ones.
func dialOptions(cfg Config) []grpc.DialOption {
	ping := max(cfg.KeepaliveTime, minClientPing)
	creds := insecure.NewCredentials()
	if cfg.TLS != nil {
		creds = credentials.NewTLS(cfg.TLS.Clone())
	}
	return []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: ping, Timeout: cfg.KeepaliveTimeout, PermitWithoutStream: true}),
		grpc.WithInitialWindowSize(int32(cfg.StreamWindow)), grpc.WithInitialConnWindowSize(int32(cfg.StreamWindow)),
		grpc.WithWriteBufferSize(cfg.StreamBuffer), grpc.WithReadBufferSize(cfg.StreamBuffer),
	}
}
