package actors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/proctest"
	"github.com/lockstep-actors/lockstep/actors/tlstest"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// The certificate authority a TLS test hands its child processes.
const (
	envCACert = "LOCKSTEP_TEST_CA_CERT"
	envCAKey  = "LOCKSTEP_TEST_CA_KEY"
)

// tlsPeerOptions are a child's node options under the parent's authority
// (from the environment): remote on a reserved port, mutual TLS with a
// certificate naming that address.
func tlsPeerOptions(t *testing.T) []Option {
	ca, err := tlstest.LoadCA([]byte(os.Getenv(envCACert)), []byte(os.Getenv(envCAKey)))
	if err != nil {
		t.Fatal(err)
	}
	port, err := tlstest.ReservePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.NodeConfig(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	return []Option{WithRemote("127.0.0.1", port), WithTLS(cfg)}
}

// tlsNode starts a remote node over mutual TLS under ca.
func tlsNode(t *testing.T, ca *tlstest.CA) *Node {
	t.Helper()
	port, err := tlstest.ReservePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.NodeConfig(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	return newNode(t, WithRemote("127.0.0.1", port), WithTLS(cfg))
}

func TestTLSConfigValidate(t *testing.T) {
	ca, err := tlstest.NewCA("validate")
	if err != nil {
		t.Fatal(err)
	}
	good, err := ca.NodeConfig("127.0.0.1:4200")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"remote off": func() Config { c := DefaultConfig(); c.TLS = good; return c }(),
		"port 0":     func() Config { c := DefaultConfig(); c.Remote, c.TLS = true, good; return c }(),
		"no certificate": func() Config {
			c := DefaultConfig()
			c.Remote, c.Port, c.TLS = true, 4200, &tls.Config{RootCAs: ca.Pool()}
			return c
		}(),
		"no roots": func() Config {
			c := DefaultConfig()
			c.Remote, c.Port, c.TLS = true, 4200, &tls.Config{Certificates: good.Certificates}
			return c
		}(),
	} {
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: Validate = %v", name, err)
		}
	}
	c := DefaultConfig()
	c.Remote, c.Port, c.TLS = true, 4200, good
	if err := c.Validate(); err != nil {
		t.Errorf("valid TLS config: %v", err)
	}
	if err := checkOwnCertificate(good, "127.0.0.1:4201"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("a certificate naming another port: %v", err)
	}
	if err := checkOwnCertificate(good, "127.0.0.1:4200"); err != nil {
		t.Errorf("own certificate: %v", err)
	}
}

func TestSendersMatchPeer(t *testing.T) {
	peer := PeerIdentity{Authenticated: true, Address: "127.0.0.1:1"}
	batch := func(senders ...string) *remote.MessageBatch {
		b := &remote.MessageBatch{}
		for _, s := range senders {
			env := &remote.MessageEnvelope{}
			if s != "" {
				b.Senders = append(b.Senders, actor.NewPID(s, "a"))
				env.Sender = int32(len(b.Senders))
			}
			b.Envelopes = append(b.Envelopes, env)
		}
		return b
	}
	if err := SendersMatchPeer(peer, batch("127.0.0.1:1", "", "127.0.0.1:1")); err != nil {
		t.Errorf("own senders: %v", err)
	}
	if err := SendersMatchPeer(peer, batch("127.0.0.1:1", "127.0.0.1:2")); !errors.Is(err, ErrUnauthenticatedPeer) {
		t.Errorf("another node's sender: %v", err)
	}
	if err := SendersMatchPeer(PeerIdentity{}, batch("127.0.0.1:1")); !errors.Is(err, ErrUnauthenticatedPeer) {
		t.Errorf("no identity: %v", err)
	}
	bad := batch("127.0.0.1:1")
	bad.Envelopes[0].Sender = 7
	if err := SendersMatchPeer(peer, bad); !errors.Is(err, ErrUnauthenticatedPeer) {
		t.Errorf("sender index out of range: %v", err)
	}
}

// TestTLSTwoProcesses runs a node here and one in a child OS process, both
// over mutual TLS under one authority: probes flow both ways; peers with no
// certificate, or one from another authority, cannot open a stream; and a
// peer with a valid certificate that writes another process's actor into
// the envelope sender is refused by the node's SendersMatchPeer check,
// counted, and cut off, while honest traffic goes on.
func TestTLSTwoProcesses(t *testing.T) {
	if !proctest.Isolate(t, isolateTimeout) {
		return
	}
	ca, err := tlstest.NewCA("two-processes")
	if err != nil {
		t.Fatal(err)
	}
	n := tlsNode(t, ca)
	if !n.TLS() {
		t.Fatal("node does not report TLS")
	}
	n.AddBatchCheck(SendersMatchPeer)
	ch := make(chan arrival, 2*parentProbes+childProbes+10)
	sink, err := n.Spawn("sink", inbox(ch))
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.PEM()
	if err != nil {
		t.Fatal(err)
	}
	child, err := proctest.Start(proctest.Spec{
		Run: "TestHelperProcess", Role: "tls-probe-peer",
		Env: []string{envParentAddr + "=" + n.Address(), envCACert + "=" + string(certPEM), envCAKey + "=" + string(keyPEM)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer child.Kill()
	childEcho := history.ProcessID(child.Addr() + "/echo")
	echo, err := PIDOf(childEcho)
	if err != nil {
		t.Fatal(err)
	}
	// exchange sends k probes numbered from first to the child's echo and
	// awaits their echoes, skipping the child's own probes.
	exchange := func(first, k int) (own int) {
		for i := first; i < first+k; i++ {
			n.Root().RequestWithCustomSender(echo, &wire.Probe{From: string(ProcessIDOf(sink)), N: uint64(i), Body: []byte("ping")}, sink)
		}
		for want := first; want < first+k; {
			p := awaitProbe(t, ch, "probe from the child process")
			if p.From != string(childEcho) {
				t.Fatalf("probe from %q, want %q", p.From, childEcho)
			}
			if string(p.Body) == "from child" {
				own++
				continue
			}
			if p.N != uint64(want) {
				t.Fatalf("echo %d, want %d", p.N, want)
			}
			want++
		}
		return own
	}
	own := exchange(1, parentProbes)

	// No client certificate, or one the node's authority did not sign:
	// the TLS handshake fails, no stream opens.
	stranger, err := tlstest.NewCA("stranger")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := stranger.NodeConfig("127.0.0.1:4300")
	if err != nil {
		t.Fatal(err)
	}
	foreign.RootCAs = ca.Pool() // it trusts the node; the node does not trust it
	noCert := &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}
	for name, cfg := range map[string]*tls.Config{"no certificate": noCert, "foreign authority": foreign} {
		if p, err := dialRawWith(t, n.Address(), credentials.NewTLS(cfg)); err == nil {
			p.sendProto(t, &wire.Probe{N: 999}, sink)
			t.Fatalf("%s: a stream opened: %v", name, p.awaitClosed(t))
		} else {
			t.Logf("%s: refused: %v", name, err)
		}
	}
	if _, err := dialRawWith(t, n.Address(), insecure.NewCredentials()); err == nil {
		t.Fatal("a plaintext peer opened a stream to a TLS node")
	}
	// A certificate of the right authority that names no node address:
	// the handshake succeeds, the stream is refused and counted.
	nameless, err := ca.IssueNameless("127.0.0.1:4302")
	if err != nil {
		t.Fatal(err)
	}
	namelessCfg := &tls.Config{Certificates: []tls.Certificate{nameless}, RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}
	if _, err := dialRawWith(t, n.Address(), credentials.NewTLS(namelessCfg)); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a peer whose certificate names no address: %v, want Unauthenticated", err)
	}
	if st := n.Stats(); st.Unauthenticated != 1 || st.RejectedMessages != 0 {
		t.Fatalf("stats after the nameless peer: %+v", st)
	}

	// A valid certificate naming its own address, and an envelope naming
	// the child's echo as sender: forged.
	spoofAddr := "127.0.0.1:4301"
	spoofCfg, err := ca.NodeConfig(spoofAddr)
	if err != nil {
		t.Fatal(err)
	}
	spoofer, err := dialRawWith(t, n.Address(), credentials.NewTLS(spoofCfg))
	if err != nil {
		t.Fatalf("a peer with a valid certificate could not connect: %v", err)
	}
	if err := spoofer.sendAs(t, &wire.Probe{From: string(childEcho), N: 7777, Body: []byte("forged")}, sink, echo); err != nil {
		t.Fatal(err)
	}
	if err := spoofer.awaitClosed(t); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("the spoofing stream ended with %v, want PermissionDenied", err)
	}
	st := n.Stats()
	if st.CheckRefusals != 1 || st.RejectedMessages != 1 {
		t.Fatalf("stats after the spoof: %+v, want one check refusal", st)
	}
	// Honest traffic goes on, from the child and from the same peer under
	// its own name.
	own += exchange(parentProbes+1, parentProbes)
	honest, err := dialRawWith(t, n.Address(), credentials.NewTLS(spoofCfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := honest.sendAs(t, &wire.Probe{From: spoofAddr + "/raw", N: 1, Body: []byte("honest")}, sink, actor.NewPID(spoofAddr, "raw")); err != nil {
		t.Fatal(err)
	}
	for {
		a := await(t, ch, "the honest probe of the certified peer")
		p := a.msg.(*wire.Probe)
		if string(p.Body) == "from child" {
			own++
			continue
		}
		if string(p.Body) != "honest" || a.sender.GetAddress() != spoofAddr {
			t.Fatalf("got %q from %v, want the honest probe", p.Body, a.sender)
		}
		break
	}
	for ; own < childProbes; own++ {
		if p := awaitProbe(t, ch, "the child's own probes"); string(p.Body) != "from child" {
			t.Fatalf("unexpected probe %q", p.Body)
		}
	}
	expectNothing(t, ch, "after every expected probe")
	if st := n.Stats(); st.CheckRefusals != 1 || st.Unauthenticated != 1 || st.RecoveredPanics != 0 {
		t.Fatalf("final stats %+v", st)
	}
	if err := child.Stop(waitTimeout); err != nil {
		t.Fatal(err)
	}
	t.Logf("over mTLS: %d echoes and %d child probes; refused: no certificate, foreign authority, plaintext, nameless certificate; spoof refused and counted: %+v",
		2*parentProbes, childProbes, n.Stats())
}

// verifiedContext is a stream context whose peer presented cert, verified.
func verifiedContext(cert *x509.Certificate) context.Context {
	state := tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}, VerifiedChains: [][]*x509.Certificate{{cert}}}
	return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: credentials.TLSInfo{State: state}})
}

func TestPeerIdentityOf(t *testing.T) {
	const addr = "127.0.0.1:4400"
	named := &x509.Certificate{URIs: []*url.URL{{Scheme: "https", Host: "example.org"}, {Scheme: CertScheme, Host: addr}}}
	if got, err := PeerIdentityOf(verifiedContext(named)); err != nil || !got.Authenticated || got.Address != addr || got.Certificate != named {
		t.Errorf("PeerIdentityOf = %+v, %v", got, err)
	}
	unverified := credentials.TLSInfo{State: tls.ConnectionState{PeerCertificates: []*x509.Certificate{named}}}
	for name, ctx := range map[string]context.Context{
		"no peer":    context.Background(),
		"plaintext":  peer.NewContext(context.Background(), &peer.Peer{}),
		"unverified": peer.NewContext(context.Background(), &peer.Peer{AuthInfo: unverified}),
		"no address": verifiedContext(&x509.Certificate{}),
		"other URI":  verifiedContext(&x509.Certificate{URIs: []*url.URL{{Scheme: "https", Host: addr}}}),
	} {
		if got, err := PeerIdentityOf(ctx); !errors.Is(err, ErrUnauthenticatedPeer) || got.Authenticated {
			t.Errorf("%s: PeerIdentityOf = %+v, %v", name, got, err)
		}
	}
}
