package tlstest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"
)

// CertScheme is the URI scheme naming a node's address in its certificate.
// It must equal actors.CertScheme (a test holds them together); this
// package does not import actors so that actors' own tests can use it.
const CertScheme = "lockstep"

// ErrCA is wrapped by the errors of this package.
var ErrCA = errors.New("tlstest: certificate authority")

// validity is how long minted certificates are valid; they start an hour
// in the past so that small clock differences between processes do not
// matter.
const validity = 24 * time.Hour

// CA is an in-memory certificate authority.
type CA struct {
	cert *x509.Certificate
	der  []byte
	key  ed25519.PrivateKey
	pool *x509.CertPool
}

// NewCA creates a certificate authority with a fresh ed25519 key.
func NewCA(name string) (*CA, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCA, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCA, err)
	}
	return newCA(der, key)
}

func newCA(der []byte, key ed25519.PrivateKey) (*CA, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCA, err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{cert: cert, der: der, key: key, pool: pool}, nil
}

// PEM returns the authority's certificate and private key, PEM encoded,
// for handing to a child process (LoadCA reads them back).
func (ca *CA) PEM() (certPEM, keyPEM []byte, err error) {
	pk, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrCA, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), nil
}

// LoadCA reads back what PEM wrote.
func LoadCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrCA)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCA, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: key is %T, want ed25519", ErrCA, k)
	}
	return newCA(cb.Bytes, key)
}

// Pool is a certificate pool holding only the authority's certificate.
func (ca *CA) Pool() *x509.CertPool { return ca.pool }

// Issue mints a certificate for the node at address (host:port): its
// subject alternative names are the URI lockstep://address and the host's
// IP address; it serves for both TLS servers and clients.
func (ca *CA) Issue(address string) (tls.Certificate, error) {
	return ca.issue(address, true)
}

// IssueNameless mints a certificate like Issue's that names no node
// address, only the host's IP: valid for the authority, yet no identity a
// node accepts. Tests use it to show such a peer refused.
func (ca *CA) IssueNameless(address string) (tls.Certificate, error) {
	return ca.issue(address, false)
}

func (ca *CA) issue(address string, named bool) (tls.Certificate, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: address %q: %w", ErrCA, address, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return tls.Certificate{}, fmt.Errorf("%w: host %q is not an IP address", ErrCA, host)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", ErrCA, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: address},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{ip},
	}
	if named {
		tmpl.URIs = []*url.URL{{Scheme: CertScheme, Host: address}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", ErrCA, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", ErrCA, err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// NodeConfig is the TLS configuration of the node at address for
// actors.WithTLS: its certificate from Issue, and the authority as the
// only root for servers and clients alike.
func (ca *CA) NodeConfig(address string) (*tls.Config, error) {
	cert, err := ca.Issue(address)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      ca.pool,
		ClientCAs:    ca.pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS13,
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// ReservePort returns a TCP port on host that was free a moment ago: it
// listens on port 0 and closes the listener. Another process may take the
// port in between, so use it only on loopback in tests and examples.
func ReservePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("%w: reserve a port: %w", ErrCA, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
