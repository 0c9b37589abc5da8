package sim

import "google.golang.org/protobuf/proto"

// eventKind says what a queued event does when its time comes.
type eventKind uint8

const (
	// arrive: msg reaches process to from process from.
	arrive eventKind = iota
	// emit: a message held back by a timing failure leaves process from
	// for process to, entering the network now.
	emit
	// tick: every live process ticks; the event re-arms itself.
	tick
	// action: fn runs.
	action
)

// event is one entry of the event queue. It is a value type and the queue is
// a slice of them, so scheduling allocates nothing once the slice has grown.
type event struct {
	at   int64
	seq  uint64 // scheduling order: breaks ties between events at one time
	kind eventKind
	from int32
	to   int32
	msg  proto.Message
	fn   func(*Sim) error
}

// before orders events by time, then by the order they were scheduled, so
// that ties never depend on anything but the run's own history.
func (e *event) before(o *event) bool {
	if e.at != o.at {
		return e.at < o.at
	}
	return e.seq < o.seq
}

// queue is a binary min-heap of events. It is written out by hand rather
// than with container/heap so that pushes and pops do not box events in
// interfaces (one allocation per event otherwise).
type queue struct {
	items []event
	next  uint64
}

func (q *queue) len() int { return len(q.items) }

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event { return &q.items[0] }

// push schedules ev, stamping it with the next sequence number.
func (q *queue) push(ev event) {
	ev.seq = q.next
	q.next++
	q.items = append(q.items, ev)
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !q.items[i].before(&q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event{} // drop references so messages can be collected
	q.items = q.items[:last]
	i, n := 0, last
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		least := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			least = r
		}
		if !q.items[least].before(&q.items[i]) {
			break
		}
		q.items[i], q.items[least] = q.items[least], q.items[i]
		i = least
	}
	return top
}
