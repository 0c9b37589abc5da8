package loopback

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Child is a running child process.
type Child struct {
	role   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []string // control lines, split into key and fields
	stderr *tailBuffer
	waited chan struct{}
	err    error // set before waited closes
	once   sync.Once
}

// Spawn starts this test binary as a child running role with params. ctx
// bounds the child's whole life: when it ends, the child is killed.
func Spawn(ctx context.Context, role string, params Params) (*Child, error) {
	enc, err := params.encode()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+ChildTest+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), EnvRole+"="+role, EnvParams+"="+enc)
	cmd.WaitDelay = 5 * time.Second
	c := &Child{role: role, cmd: cmd, lines: make(chan []string, 1024), stderr: &tailBuffer{max: 4096}, waited: make(chan struct{})}
	cmd.Stderr = c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrChild, role, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrChild, role, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start %s: %v", ErrChild, role, err)
	}
	go c.read(stdout)
	return c, nil
}

func (c *Child) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	var other []string
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, linePrefix); ok {
			c.lines <- strings.Fields(rest)
		} else if len(other) < 20 {
			other = append(other, line)
		}
	}
	c.err = c.cmd.Wait()
	if c.err != nil && len(other) > 0 {
		c.err = fmt.Errorf("%v; output: %s", c.err, strings.Join(other, " | "))
	}
	close(c.lines)
	close(c.waited)
}

// Await returns the fields of the child's next control line with key,
// skipping others. An "error" line, the child's exit or ctx's end is an
// error wrapping ErrChild or ctx's error.
func (c *Child) Await(ctx context.Context, key string) ([]string, error) {
	for {
		select {
		case fields, ok := <-c.lines:
			if !ok {
				return nil, fmt.Errorf("%w: %s exited before %q: %v; stderr: %s", ErrChild, c.role, key, c.err, c.stderr)
			}
			if len(fields) == 0 {
				continue
			}
			if fields[0] == "error" {
				return nil, fmt.Errorf("%w: %s: %s", ErrChild, c.role, strings.Join(fields[1:], " "))
			}
			if fields[0] == key {
				return fields[1:], nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: waiting for %q: %w", ErrChild, c.role, key, ctx.Err())
		}
	}
}

// Close asks the child to stop by closing its input and waits up to grace
// for it to exit before killing it.
func (c *Child) Close(grace time.Duration) error {
	c.once.Do(func() { _ = c.stdin.Close() })
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.waited:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.waited
		return fmt.Errorf("%w: %s did not exit within %v and was killed", ErrChild, c.role, grace)
	}
	if c.err != nil {
		return fmt.Errorf("%w: %s: %v; stderr: %s", ErrChild, c.role, c.err, c.stderr)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
