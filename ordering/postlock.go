package ordering

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// HoldAtPost mode: the cores run inside PostUserMessage on the poster's
// goroutine, under d.mu; each delivery is queued in d.out and announced to
// the inner mailbox by a marker, which the invoker turns back into the
// payload on the actor's goroutine. Measured against the default mode in
// bench/; see doc.go.

type deliveryMarker struct{}

type pendingSend struct {
	pid *actor.PID
	msg any // an envelope, or in-process data (local.go)
}

var sendqPool = sync.Pool{New: func() any { return new([]pendingSend) }}

var theMarker = &deliveryMarker{}

// postLocked runs an arrival through the cores, or passes it on.
func (d *driver) postLocked(box actor.Mailbox, msg any) {
	d.mu.Lock()
	before := len(d.out) - d.outHead
	if !d.handle(msg) {
		d.mu.Unlock()
		box.PostUserMessage(msg)
		return
	}
	d.pump()
	d.unlockAndFlush(box, len(d.out)-d.outHead-before)
}

// unlockAndFlush releases d.mu, then makes the sends the cores asked for and
// announces added deliveries to the actor.
func (d *driver) unlockAndFlush(box actor.Mailbox, added int) {
	var q *[]pendingSend
	if len(d.sendq) > 0 {
		q = sendqPool.Get().(*[]pendingSend)
		*q, d.sendq = d.sendq, (*q)[:0]
	}
	root := d.root
	d.mu.Unlock()
	if q != nil {
		for i, s := range *q {
			if root != nil {
				root.Send(s.pid, s.msg)
			} else {
				d.stats.noRoute.Add(1) // not bound yet: the layers repair the loss
			}
			(*q)[i] = pendingSend{}
		}
		*q = (*q)[:0]
		sendqPool.Put(q)
	}
	for range added {
		box.PostUserMessage(theMarker)
	}
}

// invokePosted delivers one marked payload, or passes the message through.
func (d *driver) invokePosted(msg any) {
	if _, ok := msg.(*deliveryMarker); !ok {
		d.inner.InvokeUserMessage(msg)
		return
	}
	d.mu.Lock()
	dl, ok := d.next()
	d.mu.Unlock()
	if !ok {
		return
	}
	d.hold(&dl)
	d.stats.delivered.Add(1)
	d.inner.InvokeUserMessage(dl.payload)
	d.delivering = false
	d.held.payload = nil // do not keep the payload alive
}
