package layer

// fifoStage holds back a sender's message until every earlier message of
// that sender has passed up (Hadzilacos & Toueg's FIFO transformation, with
// the reliable layer's per-sender sequence numbers as its counters).
type fifoStage struct {
	next   sink
	window uint64
	expect []uint64  // expect[r]: the next sequence number of rank r to pass up
	held   [][]entry // held[r][s % window]: messages of r waiting for a gap
	nHeld  int
	// counts of inputs a stage below should never produce; kept for tests
	dups, beyond uint64
}

func newFIFO(n, window int, next sink) *fifoStage {
	f := &fifoStage{next: next, window: uint64(window), expect: make([]uint64, n), held: make([][]entry, n)}
	for r := range f.held {
		f.expect[r] = 1
		f.held[r] = make([]entry, window)
	}
	return f
}

func (f *fifoStage) accept(e entry) {
	r, s := e.rank, e.seq
	switch {
	case s < f.expect[r]:
		f.dups++
		return
	case s >= f.expect[r]+f.window:
		f.beyond++
		return
	case s > f.expect[r]:
		slot := &f.held[r][s%f.window]
		if slot.payload != nil {
			f.dups++
			return
		}
		*slot = e
		f.nHeld++
		return
	}
	f.next.accept(e)
	f.expect[r]++
	if f.nHeld == 0 {
		return
	}
	for {
		slot := &f.held[r][f.expect[r]%f.window]
		if slot.payload == nil {
			return
		}
		x := *slot
		*slot = entry{}
		f.nHeld--
		f.expect[r]++
		f.next.accept(x)
	}
}
