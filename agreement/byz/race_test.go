//go:build race

package byz_test

// raceBuild: the race detector slows ed25519 down about tenfold, so the
// signature-heavy randomized SM sweeps run a quarter of their runs.
const raceBuild = true
