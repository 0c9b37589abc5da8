package proctest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrChild is wrapped by the errors about child processes.
var ErrChild = errors.New("proctest: child process")

// Spec says how to start one child.
type Spec struct {
	// Run is the name of the test function the child runs, for example
	// "TestHelperProcess". It is anchored (^Run$) on the command line.
	Run string
	// Role is handed to the child in EnvRole.
	Role string
	// Index is handed to the child in EnvIndex.
	Index int
	// Env holds extra "KEY=value" entries for the child's environment.
	Env []string
	// HistoryDir, if set, is where the child writes its history: the file
	// HistoryDir/<Role>-<Index>.jsonl, named in EnvHistory.
	HistoryDir string
	// AnnounceTimeout bounds the wait for the child's address line;
	// 0 means 30 s (a race-instrumented binary can start slowly).
	AnnounceTimeout time.Duration
}

// Child is a running helper process.
type Child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	addr    string
	history string
	done    chan struct{}
	waitErr error

	mu      sync.Mutex
	output  strings.Builder
	lines   []string      // stdout, line by line, for AwaitLine
	newLine chan struct{} // closed and replaced when a line is added
	stdinMu sync.Mutex    // Send's lines are written whole
}

// Start launches the test binary (os.Args[0]) as a child described by s and
// waits until it announces its address.
func Start(s Spec) (*Child, error) {
	if s.Run == "" {
		return nil, fmt.Errorf("%w: Spec.Run is empty", ErrChild)
	}
	c := &Child{done: make(chan struct{}), newLine: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^"+s.Run+"$", "-test.timeout=10m")
	c.cmd.Env = append(childEnv(), EnvRole+"="+s.Role, EnvIndex+"="+strconv.Itoa(s.Index))
	c.cmd.Env = append(c.cmd.Env, s.Env...)
	if s.HistoryDir != "" {
		c.history = filepath.Join(s.HistoryDir, fmt.Sprintf("%s-%d.jsonl", s.Role, s.Index))
		c.cmd.Env = append(c.cmd.Env, EnvHistory+"="+c.history)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	c.cmd.Stderr = &lockedWriter{c: c}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start %s: %w", ErrChild, os.Args[0], err)
	}
	addrs := make(chan string, 1)
	go c.scan(stdout, addrs)
	timeout := s.AnnounceTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	select {
	case c.addr = <-addrs:
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("%w: %s exited before announcing its address (%v):\n%s", ErrChild, s.Role, c.waitErr, c.Output())
	case <-time.After(timeout):
		c.Kill()
		return nil, fmt.Errorf("%w: %s did not announce its address within %v:\n%s", ErrChild, s.Role, timeout, c.Output())
	}
}

// scan copies the child's stdout into its output, picks out the address
// line, and records the exit once stdout ends.
func (c *Child) scan(stdout io.Reader, addrs chan<- string) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, AddrPrefix); ok {
			select {
			case addrs <- strings.TrimSpace(a):
			default:
			}
		}
		c.appendOutput(line + "\n")
		c.addLine(line)
	}
	c.waitErr = c.cmd.Wait()
	close(c.done)
}

func (c *Child) appendOutput(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.output.WriteString(s)
}

func (c *Child) addLine(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, line)
	close(c.newLine)
	c.newLine = make(chan struct{})
}

// findLine returns the first stdout line that starts with prefix or, if
// there is none yet, a channel closed when another line arrives.
func (c *Child) findLine(prefix string) (string, bool, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if strings.HasPrefix(l, prefix) {
			return l, true, nil
		}
	}
	return "", false, c.newLine
}

// AwaitLine waits up to timeout for the child to print on stdout a line
// starting with prefix, and returns that line (the first such line, however
// long ago it was printed). It fails early, with the child's output, if the
// child exits without printing one. A parent uses it to follow a child
// through the steps of a test ("FULL", "DONE", ...) without polling.
func (c *Child) AwaitLine(prefix string, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		line, ok, more := c.findLine(prefix)
		if ok {
			return line, nil
		}
		select {
		case <-more:
		case <-c.done:
			// stdout is read to its end before done closes: one last look.
			if line, ok, _ := c.findLine(prefix); ok {
				return line, nil
			}
			return "", fmt.Errorf("%w: %s exited (%v) without printing a line starting with %q:\n%s", ErrChild, c.addr, c.waitErr, prefix, c.Output())
		case <-deadline.C:
			return "", fmt.Errorf("%w: %s printed no line starting with %q within %v:\n%s", ErrChild, c.addr, prefix, timeout, c.Output())
		}
	}
}

// Send writes line and a newline to the child's standard input, for a child
// that reads instructions there (it then sees the end of its input, as
// StdinClosed does, when the parent calls Stop).
func (c *Child) Send(line string) error {
	c.stdinMu.Lock()
	defer c.stdinMu.Unlock()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		return fmt.Errorf("%w: %s: send %q: %w", ErrChild, c.addr, line, err)
	}
	return nil
}

// lockedWriter collects the child's stderr into its output.
type lockedWriter struct{ c *Child }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.appendOutput(string(p))
	return len(p), nil
}

// Addr is the address the child announced.
func (c *Child) Addr() string { return c.addr }

// HistoryPath is the file the child writes its history to, or "".
func (c *Child) HistoryPath() string { return c.history }

// Output is everything the child has written to stdout and stderr so far.
func (c *Child) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.output.String()
}

// Done is closed when the child has exited.
func (c *Child) Done() <-chan struct{} { return c.done }

// Stop closes the child's standard input, which asks it to finish, and waits
// up to timeout for it to exit; then it kills it. It returns the child's
// exit error (nil for a clean exit) or an error saying it had to be killed.
func (c *Child) Stop(timeout time.Duration) error {
	_ = c.stdin.Close()
	select {
	case <-c.done:
		if c.waitErr != nil {
			return fmt.Errorf("%w: exited with %w:\n%s", ErrChild, c.waitErr, c.Output())
		}
		return nil
	case <-time.After(timeout):
		c.Kill()
		return fmt.Errorf("%w: did not exit within %v; killed:\n%s", ErrChild, timeout, c.Output())
	}
}

// Kill kills the child and waits for it to be reaped.
func (c *Child) Kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}

// StartN starts n children, the i-th described by spec(i) (with Index set to
// i), in parallel. If any fails to start, the others are killed.
func StartN(n int, spec func(i int) Spec) ([]*Child, error) {
	children := make([]*Child, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := spec(i)
			s.Index = i
			children[i], errs[i] = Start(s)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, c := range children {
			if c != nil {
				c.Kill()
			}
		}
		return nil, err
	}
	return children, nil
}

// StartGroup starts the children of a test that grows a group from one
// process: first the one founder describes, then, once it has announced its
// address, n joiners in parallel, the i-th described by joiner(i, addr)
// (with Index set to i) where addr is the founder's address, typically
// handed to the joiner as its seed in Spec.Env. The founder comes first in
// the result. If any child fails to start, those started are killed.
func StartGroup(founder Spec, n int, joiner func(i int, founderAddr string) Spec) ([]*Child, error) {
	f, err := Start(founder)
	if err != nil {
		return nil, err
	}
	joiners, err := StartN(n, func(i int) Spec { return joiner(i, f.Addr()) })
	if err != nil {
		f.Kill()
		return nil, err
	}
	return append([]*Child{f}, joiners...), nil
}

// StopAll stops every child (see Stop) and joins their errors.
func StopAll(children []*Child, timeout time.Duration) error {
	errs := make([]error, len(children))
	var wg sync.WaitGroup
	for i, c := range children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Stop(timeout)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// childEnv is the parent's environment for a child. Unless the parent set
// GORACE itself, a race-instrumented child skips the race runtime's default
// one-second pause at exit, which would otherwise dominate short children.
func childEnv() []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("GORACE"); !ok {
		env = append(env, "GORACE=atexit_sleep_ms=0")
	}
	return env
}

// KillRunning kills every child that has not exited yet. A parent defers it
// right after starting its children, so that none outlives a test that
// fails or returns early; children already stopped or killed are left alone.
func KillRunning(children []*Child) {
	for _, c := range children {
		if c == nil {
			continue
		}
		select {
		case <-c.done:
		default:
			c.Kill()
		}
	}
}
