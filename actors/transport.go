package actors

import (
	"time"

	"google.golang.org/grpc"
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
	return []grpc.ServerOption{
		grpc.ChainStreamInterceptor(g.interceptor),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: cfg.KeepaliveTime, Timeout: cfg.KeepaliveTimeout}),
		// Allow the peers' client pings even between streams; the default
		// policy (at most one per 5 minutes) would close their connections
		// for pinging "too often".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: clientPing / 2, PermitWithoutStream: true}),
	}
}

// dialOptions are the gRPC dial options of the remote. Setting any replaces
// protoactor's defaults, which are just the insecure transport credentials,
// so those are repeated here.
func dialOptions(cfg Config) []grpc.DialOption {
	ping := max(cfg.KeepaliveTime, minClientPing)
	return []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: ping, Timeout: cfg.KeepaliveTimeout, PermitWithoutStream: true}),
	}
}
