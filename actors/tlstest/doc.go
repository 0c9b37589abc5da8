// Package tlstest mints throwaway certificates for running Lockstep nodes
// over mutual TLS in tests and examples: an in-memory certificate
// authority with an ed25519 key, and per-node certificates that name the
// node's address the way the actors runtime reads it (a URI subject
// alternative name lockstep://host:port, see actors.CertScheme) and carry
// the host's IP address, so that a client dialling host:port verifies the
// server as well. Nothing here is meant for production: keys live in
// memory (or in PEM handed to child processes), certificates are valid for
// a day, and there is no revocation.
//
// A node's certificate must name the address it listens on, so the port
// must be known before the node starts: ReservePort finds a free one.
package tlstest
