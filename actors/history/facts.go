package history

// facts indexes a history once for a checker: processes and messages are
// interned to small integers so that the checkers run on slices, not maps.
type facts struct {
	h       History
	procID  map[ProcessID]int32
	procs   []ProcessID
	crashed []bool
	faulty  []bool
	// byProc lists each process's event positions in its own order.
	byProc [][]int32
	evProc []int32 // process of each event
	msgID  map[MsgID]int32
	msgs   []MsgID
	evMsg  []int32 // message of each Multicast/Deliver event, -1 otherwise
	// mcast is the position of each message's first Multicast event, -1 if
	// the history never multicasts it.
	mcast []int32
	// membership is true when the history holds a ViewInstall event.
	membership bool
}

func newFacts(h History) *facts {
	f := &facts{
		h:      h,
		procID: make(map[ProcessID]int32),
		msgID:  make(map[MsgID]int32),
		evProc: make([]int32, len(h)),
		evMsg:  make([]int32, len(h)),
	}
	for i := range h {
		e := &h[i]
		p := f.proc(e.Process)
		f.evProc[i] = p
		f.byProc[p] = append(f.byProc[p], int32(i))
		f.evMsg[i] = -1
		switch e.Kind {
		case Multicast, Deliver:
			f.proc(e.Msg.Sender)
			m, ok := f.msgID[e.Msg]
			if !ok {
				m = int32(len(f.msgs))
				f.msgID[e.Msg] = m
				f.msgs = append(f.msgs, e.Msg)
				f.mcast = append(f.mcast, -1)
			}
			f.evMsg[i] = m
			if e.Kind == Multicast && f.mcast[m] < 0 {
				f.mcast[m] = int32(i)
			}
		case Crash:
			f.crashed[p] = true
		case Faulty:
			f.faulty[p] = true
		case ViewInstall:
			f.membership = true
		}
	}
	return f
}

func (f *facts) proc(id ProcessID) int32 {
	p, ok := f.procID[id]
	if !ok {
		p = int32(len(f.procs))
		f.procID[id] = p
		f.procs = append(f.procs, id)
		f.crashed = append(f.crashed, false)
		f.faulty = append(f.faulty, false)
		f.byProc = append(f.byProc, nil)
	}
	return p
}

// correct reports whether process p neither crashed nor was marked Faulty.
func (f *facts) correct(p int32) bool { return !f.crashed[p] && !f.faulty[p] }

// events returns the events at the given positions.
func (f *facts) events(pos ...int32) []Event {
	out := make([]Event, 0, len(pos))
	for _, i := range pos {
		if i >= 0 {
			out = append(out, f.h[i])
		}
	}
	return out
}

// schedule orders the events so that each process's events keep their
// order and every delivery of a multicast message comes after that
// multicast. Only this partial order is meaningful: the interleaving of
// processes in a merged history depends on unsynchronised clocks.
//
// A delivery whose message is never multicast does not wait (integrity
// reports it). A Faulty process blocked on a delivery that no order can
// satisfy is released so that its later events still count; a correct or
// crashed process is not: stuck holds, for each such process that could not
// finish, the position of the delivery it is blocked on.
func (f *facts) schedule() (order, stuck []int32) {
	order = make([]int32, 0, len(f.h))
	pos := make([]int, len(f.procs))
	done := make([]bool, len(f.msgs))
	released := make(map[int32]bool)
	waiting := make(map[int32][]int32)
	queue := make([]int32, len(f.procs))
	for p := range queue {
		queue[p] = int32(len(queue) - 1 - p) // pop from the end: process 0 first
	}
	for len(queue) > 0 {
		for len(queue) > 0 {
			p := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			evs := f.byProc[p]
			for pos[p] < len(evs) {
				i := evs[pos[p]]
				m := f.evMsg[i]
				e := &f.h[i]
				if e.Kind == Deliver && f.mcast[m] >= 0 && !done[m] && !released[i] {
					waiting[m] = append(waiting[m], p)
					break
				}
				order = append(order, i)
				pos[p]++
				if e.Kind == Multicast && f.mcast[m] == i {
					done[m] = true
					queue = append(queue, waiting[m]...)
					delete(waiting, m)
				}
			}
		}
		for p, evs := range f.byProc {
			if f.faulty[p] && pos[p] < len(evs) {
				released[evs[pos[p]]] = true
				queue = append(queue, int32(p))
			}
		}
	}
	for p, evs := range f.byProc {
		if pos[p] < len(evs) {
			stuck = append(stuck, evs[pos[p]])
		}
	}
	return order, stuck
}

// stint is one process's stay in one view: from installing it (or from the
// start, for view 0) to installing its next view, crashing, or the end.
type stint struct {
	proc int32
	view uint64
	// next is the view installed on leaving; hasNext is false if the
	// process stayed in view until the end or crashed in it.
	next    uint64
	hasNext bool
	// leftAt is the position of the install that left the view, or -1.
	leftAt int32
}

// stints returns, per view, the processes that were in that view. A process
// is in view 0 if it never installs a view or if it multicasts or delivers
// before its first install; otherwise it joins with its first install.
func (f *facts) stints() map[uint64][]stint {
	out := make(map[uint64][]stint)
	for p, evs := range f.byProc {
		cur := stint{proc: int32(p), leftAt: -1}
		in, first, traffic := true, true, false
		for _, i := range evs {
			e := &f.h[i]
			switch e.Kind {
			case Multicast, Deliver:
				traffic = true
			case ViewInstall:
				if first {
					in, first = traffic, false
				}
				if in {
					cur.next, cur.hasNext, cur.leftAt = e.View, true, i
					out[cur.view] = append(out[cur.view], cur)
				}
				cur, in = stint{proc: int32(p), view: e.View, leftAt: -1}, true
			}
		}
		if in {
			out[cur.view] = append(out[cur.view], cur)
		}
	}
	return out
}

// marks remembers a position per message for one process at a time, for
// checkers that walk the history process by process: starting the next
// process forgets everything in O(1), with no map.
type marks struct {
	owner []uint32
	at    []int32
	cur   uint32
}

func newMarks(messages int) *marks {
	return &marks{owner: make([]uint32, messages), at: make([]int32, messages)}
}

// next forgets all marks.
func (k *marks) next() { k.cur++ }

func (k *marks) get(m int32) (int32, bool) {
	if k.owner[m] == k.cur {
		return k.at[m], true
	}
	return -1, false
}

func (k *marks) set(m, at int32) { k.owner[m], k.at[m] = k.cur, at }
