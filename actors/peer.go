package actors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// CertScheme is the URI scheme of the subject alternative name by which a
// node's TLS certificate names the node's address: lockstep://host:port.
const CertScheme = "lockstep"

// ErrUnauthenticatedPeer is wrapped by the errors about a remote peer whose
// identity the transport did not establish, or whose messages contradict it.
var ErrUnauthenticatedPeer = errors.New("actors: peer not authenticated")

// PeerIdentity is what the transport established about the process at the
// other end of an inbound remote stream.
type PeerIdentity struct {
	// Authenticated is true when the peer presented a client certificate
	// the node verified (the node runs mutual TLS, see WithTLS).
	Authenticated bool
	// Address is the node address the certificate names (its first
	// lockstep:// URI); empty when not Authenticated.
	Address string
	// Certificate is the verified client certificate, or nil.
	Certificate *x509.Certificate
}

// BatchCheck inspects a batch of remote messages before protoactor sees it,
// knowing which peer sent it. An error refuses the batch: it is logged and
// counted (Stats.CheckRefusals) and the peer's stream is closed; nothing of
// the batch reaches an actor. A check runs on gRPC's goroutines, for many
// streams at once, so it must be safe for concurrent use, and it must not
// block. It sees only batches that the node's own guard found well formed.
type BatchCheck func(peer PeerIdentity, batch *remote.MessageBatch) error

// AddressOfCert returns the node address cert names: the host part of its
// first lockstep:// URI subject alternative name.
func AddressOfCert(cert *x509.Certificate) (string, error) {
	if cert == nil {
		return "", fmt.Errorf("%w: no certificate", ErrUnauthenticatedPeer)
	}
	for _, u := range cert.URIs {
		if u.Scheme == CertScheme && u.Host != "" {
			return u.Host, nil
		}
	}
	return "", fmt.Errorf("%w: certificate names no %s:// address", ErrUnauthenticatedPeer, CertScheme)
}

// PeerIdentityOf returns the identity of the peer of a gRPC stream from its
// context: the address its verified client certificate names.
func PeerIdentityOf(ctx context.Context) (PeerIdentity, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return PeerIdentity{}, fmt.Errorf("%w: no peer", ErrUnauthenticatedPeer)
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return PeerIdentity{}, fmt.Errorf("%w: no verified client certificate", ErrUnauthenticatedPeer)
	}
	leaf := info.State.VerifiedChains[0][0]
	addr, err := AddressOfCert(leaf)
	if err != nil {
		return PeerIdentity{}, err
	}
	return PeerIdentity{Authenticated: true, Address: addr, Certificate: leaf}, nil
}

// SendersMatchPeer is a BatchCheck that refuses a batch in which an
// envelope names a sender PID at another address than the authenticated
// peer's. A batch a protoactor node writes carries, as senders, the PIDs of
// its own actors, except for a message forwarded with its original sender
// (actor.Context.Forward): install this check only where nothing forwards
// messages across processes. Packages that rely on the envelope sender for
// their own messages only (package agreement) check those instead.
func SendersMatchPeer(p PeerIdentity, batch *remote.MessageBatch) error {
	if !p.Authenticated {
		return fmt.Errorf("%w: no identity to hold envelope senders to", ErrUnauthenticatedPeer)
	}
	for i, env := range batch.GetEnvelopes() {
		s := int(env.GetSender())
		if s == 0 {
			continue
		}
		if s > len(batch.GetSenders()) {
			return fmt.Errorf("%w: envelope %d: sender index %d", ErrUnauthenticatedPeer, i, s)
		}
		if got := batch.GetSenders()[s-1].GetAddress(); got != p.Address {
			return fmt.Errorf("%w: envelope %d: sender at %q on a stream from %q", ErrUnauthenticatedPeer, i, got, p.Address)
		}
	}
	return nil
}

// batchChecks is the set of BatchChecks installed on a node. It changes
// while the server runs, so readers take a snapshot.
type batchChecks struct {
	mu     sync.Mutex
	next   int
	checks map[int]BatchCheck
	order  []int
}

func (b *batchChecks) add(c BatchCheck) (remove func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.checks == nil {
		b.checks = map[int]BatchCheck{}
	}
	b.next++
	key := b.next
	b.checks[key] = c
	b.order = append(b.order, key)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.checks, key)
		b.order = slices.DeleteFunc(b.order, func(k int) bool { return k == key })
	}
}

func (b *batchChecks) snapshot() []BatchCheck {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]BatchCheck, 0, len(b.order))
	for _, k := range b.order {
		out = append(out, b.checks[k])
	}
	return out
}

// AddBatchCheck installs check on the node's remote server, in addition to
// the ones already installed (they run in the order added), and returns
// the function that removes it. It may be called while the node serves.
func (n *Node) AddBatchCheck(check BatchCheck) (remove func()) {
	return n.guard.checks.add(check)
}

// TLS reports whether the node's remote runs over mutual TLS, so that
// every inbound stream has an authenticated PeerIdentity.
func (n *Node) TLS() bool { return n.cfg.Remote && n.cfg.TLS != nil }

// serverTLS is the server side of cfg: client certificates are required
// and verified whatever cfg says, against ClientCAs or, if unset, RootCAs.
func serverTLS(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	c.ClientAuth = tls.RequireAndVerifyClientCert
	if c.ClientCAs == nil {
		c.ClientCAs = c.RootCAs
	}
	return c
}

// checkOwnCertificate fails when the node's certificate names another
// address than the node's: its peers would refuse everything it sends.
func checkOwnCertificate(cfg *tls.Config, address string) error {
	if len(cfg.Certificates) == 0 || len(cfg.Certificates[0].Certificate) == 0 {
		return nil // served by a callback: nothing to check here
	}
	leaf := cfg.Certificates[0].Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cfg.Certificates[0].Certificate[0]); err != nil {
			return fmt.Errorf("%w: node certificate: %w", ErrInvalidConfig, err)
		}
	}
	got, err := AddressOfCert(leaf)
	if err != nil {
		return fmt.Errorf("%w: node certificate: %w", ErrInvalidConfig, err)
	}
	if got != address {
		return fmt.Errorf("%w: node certificate names %q, the node listens at %q", ErrInvalidConfig, got, address)
	}
	return nil
}
