package tlstest_test

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/tlstest"
)

func TestIssueNamesTheAddress(t *testing.T) {
	if tlstest.CertScheme != actors.CertScheme {
		t.Fatalf("scheme %q, actors reads %q", tlstest.CertScheme, actors.CertScheme)
	}
	ca, err := tlstest.NewCA("test")
	if err != nil {
		t.Fatal(err)
	}
	const addr = "127.0.0.1:4100"
	cert, err := ca.Issue(addr)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := actors.AddressOfCert(cert.Leaf); err != nil || got != addr {
		t.Fatalf("AddressOfCert = %q, %v", got, err)
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := cert.Leaf.Verify(opts); err != nil {
		t.Fatalf("client verification: %v", err)
	}
	opts = x509.VerifyOptions{Roots: ca.Pool(), DNSName: "127.0.0.1"}
	if _, err := cert.Leaf.Verify(opts); err != nil {
		t.Fatalf("server verification for 127.0.0.1: %v", err)
	}
	other, err := tlstest.NewCA("other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: other.Pool()}); err == nil {
		t.Fatal("another authority verified the certificate")
	}
	certPEM, keyPEM, err := ca.PEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := tlstest.LoadCA(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Issue(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("a certificate of the reloaded authority: %v", err)
	}
	nameless, err := ca.IssueNameless(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := actors.AddressOfCert(nameless.Leaf); !errors.Is(err, actors.ErrUnauthenticatedPeer) {
		t.Fatalf("a nameless certificate names an address: %v", err)
	}
	if _, err := ca.Issue("localhost:1"); !errors.Is(err, tlstest.ErrCA) {
		t.Fatalf("Issue for a host name: %v", err)
	}
	if _, err := tlstest.LoadCA([]byte("x"), keyPEM); !errors.Is(err, tlstest.ErrCA) {
		t.Fatalf("LoadCA of garbage: %v", err)
	}
}
