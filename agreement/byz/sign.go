package byz

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// signDomain separates these signatures from any other use of the keys.
const signDomain = "lockstep/byz/sm/v1"

// signedBytes is what the k-th link of a chain signs: the session, the
// instance, the value, the signer and every earlier link, each
// length-prefixed so that no two different inputs encode alike. Protobuf
// encoding is not used because it is not canonical.
func signedBytes(session, commander, value, signer string, prior []*Signature) []byte {
	size := len(signDomain) + len(session) + len(commander) + len(value) + len(signer) + 6*binary.MaxVarintLen64
	for _, l := range prior {
		size += len(l.GetSigner()) + len(l.GetSig()) + 2*binary.MaxVarintLen64
	}
	b := make([]byte, 0, size)
	b = append(b, signDomain...)
	b = appendField(b, session)
	b = appendField(b, commander)
	b = appendField(b, value)
	b = binary.AppendUvarint(b, uint64(len(prior)))
	for _, l := range prior {
		b = appendField(b, l.GetSigner())
		b = appendField(b, string(l.GetSig()))
	}
	return appendField(b, signer)
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// signLink appends signer's link to chain and returns the longer chain; the
// links of chain are copied, not shared.
func signLink(key ed25519.PrivateKey, session, commander, value, signer string, chain []*Signature) []*Signature {
	out := make([]*Signature, len(chain), len(chain)+1)
	for i, l := range chain {
		out[i] = &Signature{Signer: l.GetSigner(), Sig: l.GetSig()}
	}
	sig := ed25519.Sign(key, signedBytes(session, commander, value, signer, chain))
	return append(out, &Signature{Signer: signer, Sig: sig})
}

// SignChain builds the SM message "value:signers[0]:...:signers[k]" with
// every link signed by its signer's key from keys; signers[0] is the
// commander. Tests and adversaries use it to build messages a coalition of
// generals holding those keys could send.
func SignChain(session, value string, signers []history.ProcessID, keys map[history.ProcessID]ed25519.PrivateKey) (*SignedMessage, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("%w: no signers", ErrBadChain)
	}
	commander := string(signers[0])
	var chain []*Signature
	for _, s := range signers {
		key, ok := keys[s]
		if !ok || len(key) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: no private key for %q", ErrUnknownSigner, s)
		}
		chain = signLink(key, session, commander, value, string(s), chain)
	}
	return &SignedMessage{Session: session, Commander: commander, Value: value, Chain: chain}, nil
}
