package actors

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"time"
)

// Config holds the settings of a Node. Start from DefaultConfig and change
// what you need; NewNode rejects a Config whose Validate fails.
type Config struct {
	// Remote switches protoactor remote on, so that actors of other
	// processes can reach this node's actors over gRPC.
	Remote bool
	// Host is the interface the remote server listens on. Lockstep's tests and
	// demos only ever use the loopback interface, 127.0.0.1.
	Host string
	// Port is the TCP port of the remote server; 0 lets the kernel pick a free
	// one, which Node.Address then reports.
	Port int
	// ProtoactorLogs routes protoactor's own log records through the node's
	// logrus logger. When false (the default) they are discarded, so a node
	// prints nothing unless its owner asks for it.
	ProtoactorLogs bool
	// KeepaliveTime is how long a remote connection may stay silent before
	// a gRPC keepalive ping is sent on it; with KeepaliveTimeout it bounds
	// how long a half-open connection goes unnoticed. The server side pings
	// at this interval (gRPC raises it to at least 1 s); the client side at
	// most every 10 s, gRPC's floor for clients.
	KeepaliveTime time.Duration
	// KeepaliveTimeout is how long a ping may stay unanswered before the
	// connection is closed (and protoactor publishes EndpointTerminatedEvent).
	KeepaliveTimeout time.Duration
	// ConnectRetries is how many times protoactor's endpoint writer tries to
	// connect to a peer (2 s apart) before it gives the peer up and turns its
	// queued messages into dead letters.
	ConnectRetries int
	// PeerQueue is the initial capacity, in messages, of the queue of
	// messages waiting to go to one peer (protoactor's endpoint writer
	// mailbox). The queue doubles whenever it fills, so this bounds
	// nothing; it is what one connection costs at rest. protoactor's own
	// default, 1,000,000, is a 16 MB array of pointers per peer, which the
	// garbage collector scans in full on every cycle: over loopback that
	// was most of a member's marking work.
	PeerQueue int
	// StreamWindow is the HTTP/2 flow-control window, in bytes, of each
	// remote connection and of the stream on it: how much one side may
	// send before the other acknowledges. gRPC's default, 64 KiB with
	// dynamic growth, stalls a busy stream on window updates; 4 MiB gave a
	// group of three processes 6-19% more deliveries per second (bench's
	// BenchmarkMatrixLoopback, alternated A/B runs). gRPC needs at least
	// 64 KiB.
	StreamWindow int
	// StreamBuffer is the size, in bytes, of each remote connection's read
	// and write buffers (gRPC's default is 32 KiB): a larger one takes a
	// busy stream's frames in fewer system calls. Each connection holds
	// two.
	StreamBuffer int
	// ShutdownTimeout bounds each phase of Close: stopping the node's actors
	// and stopping the remote server. A phase that overruns is cut short.
	ShutdownTimeout time.Duration
	// FaultTick is the wall-clock length of one tick of the failure models on
	// real actors: a Timing fault with Delay d holds a message back d*FaultTick,
	// and a Trigger's AtTick counts FaultTicks since the faults were set up.
	FaultTick time.Duration
	// TLS, when set, runs the remote over mutual TLS: the node serves and
	// dials with this configuration, requires and verifies a client
	// certificate on every inbound connection (against ClientCAs, or
	// RootCAs if ClientCAs is nil), and identifies each peer by the
	// address its certificate names as a URI subject alternative name
	// lockstep://host:port (PeerIdentity). The node's own certificate must
	// name the node's address, so its port must be fixed. Nil (the
	// default) means plaintext gRPC, where a peer's identity is unknown.
	TLS *tls.Config
}

// DefaultConfig returns a local-only node configuration (no remote), with
// loopback and a kernel-chosen port ready for when Remote is switched on.
func DefaultConfig() Config {
	return Config{
		Host:             "127.0.0.1",
		Port:             0,
		KeepaliveTime:    10 * time.Second,
		KeepaliveTimeout: 5 * time.Second,
		ConnectRetries:   5,
		PeerQueue:        4096,
		StreamWindow:     4 << 20,
		StreamBuffer:     256 << 10,
		ShutdownTimeout:  5 * time.Second,
		FaultTick:        time.Millisecond,
	}
}

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("actors: invalid config")

// Validate reports whether c can be used to start a Node.
func (c Config) Validate() error {
	switch {
	case c.Remote && net.ParseIP(c.Host) == nil:
		return fmt.Errorf("%w: host %q is not an IP address", ErrInvalidConfig, c.Host)
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("%w: port %d is outside [0, 65535]", ErrInvalidConfig, c.Port)
	case c.KeepaliveTime <= 0 || c.KeepaliveTimeout <= 0:
		return fmt.Errorf("%w: keepalive time and timeout must be positive", ErrInvalidConfig)
	case c.ConnectRetries < 1:
		return fmt.Errorf("%w: connect retries %d must be at least 1", ErrInvalidConfig, c.ConnectRetries)
	case c.StreamWindow < 64<<10 || c.StreamWindow > math.MaxInt32:
		return fmt.Errorf("%w: stream window %d is outside [64 KiB, 2 GiB)", ErrInvalidConfig, c.StreamWindow)
	case c.StreamBuffer < 4<<10:
		return fmt.Errorf("%w: stream buffer %d is below 4 KiB", ErrInvalidConfig, c.StreamBuffer)
	case c.PeerQueue < 1:
		return fmt.Errorf("%w: peer queue %d must be at least 1", ErrInvalidConfig, c.PeerQueue)
	case c.ShutdownTimeout <= 0:
		return fmt.Errorf("%w: shutdown timeout must be positive", ErrInvalidConfig)
	case c.FaultTick <= 0:
		return fmt.Errorf("%w: fault tick must be positive", ErrInvalidConfig)
	case c.TLS != nil && !c.Remote:
		return fmt.Errorf("%w: TLS is set but remote is off", ErrInvalidConfig)
	case c.TLS != nil && len(c.TLS.Certificates) == 0 && c.TLS.GetCertificate == nil:
		return fmt.Errorf("%w: TLS config holds no node certificate", ErrInvalidConfig)
	case c.TLS != nil && c.TLS.RootCAs == nil:
		return fmt.Errorf("%w: TLS config has no RootCAs to verify peers with", ErrInvalidConfig)
	case c.TLS != nil && c.Port == 0:
		return fmt.Errorf("%w: TLS needs a fixed port, which the node certificate names", ErrInvalidConfig)
	}
	return nil
}
