package layer

import "github.com/lockstep-actors/lockstep/internal/slab"

// causalStage implements the CBCAST delivery rule (Birman, Schiper &
// Stephenson 1991). vt[k] counts the messages of rank k delivered here (for
// k = self: multicast here). A message m from j with timestamp t is
// delivered when t[j] == vt[j]+1 and t[k] <= vt[k] for every k != j; the
// receiver then sets vt[j] = t[j] and never touches its own entry.
// Timestamps with t[j] <= vt[j] are duplicates and are dropped; t[j] beyond
// vt[j]+1 is a gap and waits.
type causalStage struct {
	next   sink
	self   int
	window uint64
	vt     []uint64
	held   [][]entry // held[j][t[j] % window]
	nHeld  int
	stamps slab.Slab[uint64] // timestamps: one allocation per slabMessages of them
	// counts of inputs a correct stage below never produces
	dups, beyond uint64
}

const slabMessages = 256

func newCausal(n, self, window int, next sink) *causalStage {
	c := &causalStage{next: next, self: self, window: uint64(window), vt: make([]uint64, n), held: make([][]entry, n),
		stamps: slab.Slab[uint64]{Size: n * slabMessages}}
	for j := range c.held {
		c.held[j] = make([]entry, window)
	}
	return c
}

// stamp counts an own multicast and returns its timestamp, a copy of vt.
// The copy is cut from a shared slab (never reused), so a timestamp costs no
// allocation of its own.
func (c *causalStage) stamp() []uint64 {
	c.vt[c.self]++
	t := c.stamps.Cut(len(c.vt))
	copy(t, c.vt)
	return t
}

func (c *causalStage) deliverable(j int, t []uint64) bool {
	if t[j] != c.vt[j]+1 {
		return false
	}
	for k, v := range t {
		if k != j && v > c.vt[k] {
			return false
		}
	}
	return true
}

func (c *causalStage) accept(e entry) {
	j := e.rank
	if j == c.self {
		// Our own multicast: stamp already counted it, and everything it
		// depends on was delivered here before it was sent.
		c.next.accept(e)
		return
	}
	t := e.vt
	switch {
	case t[j] <= c.vt[j]:
		c.dups++
		return
	case t[j] > c.vt[j]+c.window:
		c.beyond++
		return
	}
	if !c.deliverable(j, t) {
		slot := &c.held[j][t[j]%c.window]
		if slot.payload != nil {
			c.dups++
			return
		}
		*slot = e
		c.nHeld++
		return
	}
	c.vt[j] = t[j]
	c.next.accept(e)
	// Each sender's only candidate is its next message, so a pass over the
	// senders' heads finds everything the delivery unblocked.
	for progress := c.nHeld > 0; progress && c.nHeld > 0; {
		progress = false
		for k := range c.held {
			if k == c.self {
				continue
			}
			slot := &c.held[k][(c.vt[k]+1)%c.window]
			if slot.payload == nil || slot.vt[k] != c.vt[k]+1 || !c.deliverable(k, slot.vt) {
				continue
			}
			x := *slot
			*slot = entry{}
			c.nHeld--
			c.vt[k]++
			c.next.accept(x)
			progress = true
		}
	}
}
