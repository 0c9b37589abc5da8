// Package spawngate closes a window in the pinned protoactor-go between an
// actor's PID being registered and its mailbox getting its handlers.
//
// Spawning registers the PID first and calls the mailbox's
// RegisterHandlers after. A message posted in between (a peer's heartbeat
// or data reaching a member that is still being spawned) makes protoactor's
// default mailbox schedule a nil dispatcher, which wedges the mailbox for
// good. A decorating mailbox therefore asks a Gate whether to hold each post
// until its handlers are registered, and opens the gate right after, posting
// what it held in order. Posts racing with the opening wait on the gate's
// lock, so they stay behind the held ones.
package spawngate

import (
	"sync"
	"sync/atomic"
)

// Gate holds posts until Open. The zero Gate is closed and ready for use.
type Gate struct {
	open atomic.Bool
	mu   sync.Mutex
	held []post
}

type post struct {
	msg    any
	system bool
}

// Hold keeps msg if the gate is still closed and reports whether it did;
// when it returns false the caller posts msg itself. One atomic load once
// open.
func (g *Gate) Hold(msg any, system bool) bool {
	if g.open.Load() {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open.Load() {
		return false
	}
	g.held = append(g.held, post{msg, system})
	return true
}

// Open posts what was held, in order, through postUser and postSystem, and
// lets later posts through. Call it once the inner mailbox has its handlers.
func (g *Gate) Open(postUser, postSystem func(any)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.held {
		if p.system {
			postSystem(p.msg)
		} else {
			postUser(p.msg)
		}
	}
	g.held = nil
	g.open.Store(true)
}
