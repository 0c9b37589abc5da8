package layer

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// TestLazyPayloadByPointer: with LazyPayload the sender packs nothing,
// PayloadOf hands out the very payload multicast, and a receiver given it
// through StepLocal delivers that pointer; a lazy Data without its payload
// is refused by Step, not delivered empty.
func TestLazyPayloadByPointer(t *testing.T) {
	lazy := func(c *Config) { c.LazyPayload = true }
	ms := group(t, FIFO, lazy)
	p := &wire.Probe{N: 7}
	if _, err := ms[0].Multicast(p); err != nil {
		t.Fatal(err)
	}
	rd := take(ms[0])
	var d *wire.Data
	for _, o := range rd.Messages {
		d = o.Msg.(*wire.Data)
	}
	if d == nil || d.Payload != nil {
		t.Fatalf("lazy multicast sent %v, want a Data with no packed payload", d)
	}
	if got := ms[0].PayloadOf(d); got != p {
		t.Fatalf("PayloadOf = %v, want the multicast payload itself", got)
	}
	if got := ms[1].PayloadOf(d); got != nil {
		t.Fatalf("PayloadOf of another member's data = %v, want nil", got)
	}
	if err := ms[1].Step("a", d); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("Step of a lazy Data without payload: %v, want ErrBadPayload", err)
	}
	if err := ms[1].StepLocal("a", d.Seq, d.Vt, ms[0].PayloadOf(d)); err != nil {
		t.Fatal(err)
	}
	evs := take(ms[1]).Events
	if len(evs) != 1 || evs[0].Kind != history.Deliver || evs[0].Payload != p {
		t.Fatalf("receiver events %+v, want one delivery of the sender's payload pointer", evs)
	}
	if err := ms[1].StepLocal("a", d.Seq, d.Vt, p); err != nil || ms[1].Stats().Duplicates != 1 {
		t.Fatalf("duplicate StepLocal: err %v, %d duplicates, want nil and 1", err, ms[1].Stats().Duplicates)
	}

	packed := group(t, FIFO, nil)
	pd := mustMulticast(t, packed[0], 9)
	if pd.Payload == nil {
		t.Fatal("default multicast left the payload unpacked")
	}
	if got := packed[0].PayloadOf(pd); got == nil || got.(*wire.Probe).N != 9 {
		t.Fatalf("PayloadOf a packed multicast = %v, want the payload itself", got)
	}
}
