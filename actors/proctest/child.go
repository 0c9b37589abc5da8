package proctest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Environment variables a parent sets for its children.
const (
	// EnvRole names the role a helper process plays; its presence is what
	// marks a process as a proctest child.
	EnvRole = "LOCKSTEP_PROCTEST_ROLE"
	// EnvIndex is the child's index among the children started together.
	EnvIndex = "LOCKSTEP_PROCTEST_INDEX"
	// EnvHistory is the path of the JSON-lines file the child writes its
	// history to, if the parent asked for one.
	EnvHistory = "LOCKSTEP_PROCTEST_HISTORY"
	// EnvIsolated names the test a re-executed process runs in isolation.
	EnvIsolated = "LOCKSTEP_PROCTEST_ISOLATED"
)

// AddrPrefix starts the stdout line on which a child announces its address.
const AddrPrefix = "LOCKSTEP-ADDR "

// Role returns the role this process was started for, and whether it is a
// proctest child at all.
func Role() (string, bool) {
	return os.LookupEnv(EnvRole)
}

// Index returns the child's index (0 for a child started alone).
func Index() int {
	i, err := strconv.Atoi(os.Getenv(EnvIndex))
	if err != nil {
		return 0
	}
	return i
}

// HistoryPath returns where the child should write its history as JSON
// lines, or "" if the parent did not ask for one.
func HistoryPath() string { return os.Getenv(EnvHistory) }

// Announce writes the line that tells the parent the child's address.
func Announce(w io.Writer, addr string) error {
	_, err := fmt.Fprintf(w, "%s%s\n", AddrPrefix, addr)
	return err
}

// StdinClosed returns a channel closed when the process's standard input
// reaches end of file: the parent closed it, or the parent died. Children
// serve until then, so none outlives its parent.
func StdinClosed() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, os.Stdin)
	}()
	return done
}

// StdinLines returns a channel that carries the lines of the process's
// standard input, as the parent's Child.Send wrote them, and is closed at
// end of file: the parent stopped the child, or died. It is StdinClosed for
// a child that also takes instructions; call one of the two, once, since
// both read standard input.
func StdinLines() <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}
