//go:build unix

package main

import (
	"os/exec"
	"syscall"
	"time"
)

// ownGroup puts cmd in a process group of its own and, when its context
// ends, kills that whole group: go test's test binary and the member
// processes it re-executes, not only the go command, which would leave
// them running.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
}
