//go:build !unix

package main

import "os/exec"

// ownGroup does nothing where process groups are not available: the
// context still kills the command itself.
func ownGroup(*exec.Cmd) {}
