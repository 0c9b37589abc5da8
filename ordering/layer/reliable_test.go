package layer

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

func TestMulticastDeliversToSelfAndSendsToOthers(t *testing.T) {
	a := newMember(t, "a", ids3, Reliable, nil)
	if _, err := a.Multicast(&wire.Probe{N: 1}); err != nil {
		t.Fatal(err)
	}
	rd := take(a)
	if len(rd.Events) != 2 || rd.Events[0].Kind != history.Multicast || rd.Events[1].Kind != history.Deliver {
		t.Fatalf("events %v, want a multicast then a self-delivery", rd.Events)
	}
	if p, ok := rd.Events[1].Payload.(*wire.Probe); !ok || p.N != 1 {
		t.Fatalf("payload %v", rd.Events[1].Payload)
	}
	var to []history.ProcessID
	for _, o := range rd.Messages {
		to = append(to, o.To)
	}
	if !slices.Equal(to, []history.ProcessID{"b", "c"}) {
		t.Fatalf("sent to %v, want b and c only", to)
	}
}

func TestDuplicatesAreDroppedAndCounted(t *testing.T) {
	ms := group(t, Reliable, nil)
	d := mustMulticast(t, ms[0], 1)
	if got := delivered(mustStep(t, ms[1], "a", d)); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("first copy delivered %v", got)
	}
	if got := delivered(mustStep(t, ms[1], "a", d)); len(got) != 0 {
		t.Fatalf("duplicate delivered %v", got)
	}
	if ms[1].Stats().Duplicates != 1 {
		t.Fatalf("stats %+v, want one duplicate", ms[1].Stats())
	}
}

func TestGapIsNakedAfterOnePeriodAndRepaired(t *testing.T) {
	ms := group(t, FIFO, func(c *Config) { c.NakTicks = 1 })
	a, b := ms[0], ms[1]
	d1 := mustMulticast(t, a, 1)
	d2 := mustMulticast(t, a, 2)
	if got := delivered(mustStep(t, b, "a", d2)); len(got) != 0 {
		t.Fatalf("FIFO delivered %v before seq 1", got)
	}
	b.Tick() // first scan: the gap is new, it may just be reordering
	if naks := messagesOf[*Nak](take(b), "a"); len(naks) != 0 {
		t.Fatalf("NAKed a fresh gap: %v", naks)
	}
	b.Tick()
	naks := messagesOf[*Nak](take(b), "a")
	if len(naks) != 1 || !slices.Equal(naks[0].Seqs, []uint64{1}) {
		t.Fatalf("naks %v, want one for seq 1", naks)
	}
	rd := mustStep(t, a, "b", naks[0])
	re := messagesOf[*wire.Data](rd, "b")
	if len(re) != 1 || re[0] != d1 {
		t.Fatalf("retransmissions %v, want d1", rd.Messages)
	}
	if got := delivered(mustStep(t, b, "a", re[0])); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("after repair delivered %v", got)
	}
}

func TestHeartbeatRevealsLossOfTheLastMessage(t *testing.T) {
	ms := group(t, Reliable, func(c *Config) { c.NakTicks = 1 })
	a, b := ms[0], ms[1]
	lost := mustMulticast(t, a, 1) // never reaches b
	a.Tick()
	sts := messagesOf[*Status](take(a), "b")
	if len(sts) != 1 || sts[0].High != 1 {
		t.Fatalf("heartbeat %v, want high 1", sts)
	}
	mustStep(t, b, "a", sts[0])
	b.Tick()
	take(b)
	b.Tick()
	naks := messagesOf[*Nak](take(b), "a")
	if len(naks) != 1 || !slices.Equal(naks[0].Seqs, []uint64{1}) {
		t.Fatalf("naks %v, want seq 1", naks)
	}
	if got := delivered(mustStep(t, b, "a", messagesOf[*wire.Data](mustStep(t, a, "b", naks[0]), "b")[0])); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("delivered %v", got)
	}
	_ = lost
}

// exchange ticks every member and carries every message, losing none,
// for the given number of rounds. Messages to members outside ms are lost.
func exchange(t *testing.T, ms []*Member, rounds int) {
	t.Helper()
	byID := map[history.ProcessID]*Member{}
	for _, m := range ms {
		byID[m.ID()] = m
	}
	type pkt struct {
		from history.ProcessID
		o    step.Outbound
	}
	var queue []pkt
	collect := func(m *Member) {
		for _, o := range take(m).Messages {
			queue = append(queue, pkt{m.ID(), o})
		}
	}
	for range rounds {
		for _, m := range ms {
			m.Tick()
			collect(m)
		}
		for len(queue) > 0 {
			q := queue[0]
			queue = queue[1:]
			to := byID[q.o.To]
			if to == nil {
				continue // not part of this exchange: lost
			}
			if err := to.Step(q.from, q.o.Msg); err != nil {
				t.Fatalf("%s stepping %T from %s: %v", to.ID(), q.o.Msg, q.from, err)
			}
			collect(to)
		}
	}
}

func TestWindowBoundsUnstableMessagesAndStabilityReopensIt(t *testing.T) {
	ms := group(t, FIFO, func(c *Config) { c.Window = 4 })
	a := ms[0]
	var sent []*wire.Data
	for i := range 4 {
		sent = append(sent, mustMulticast(t, a, uint64(i)))
	}
	if _, err := a.Multicast(&wire.Probe{N: 5}); !errors.Is(err, ErrWindowFull) {
		t.Fatalf("fifth multicast with window 4: %v, want ErrWindowFull", err)
	}
	if a.Held() != 4 || a.Stats().WindowFull != 1 {
		t.Fatalf("held %d, stats %+v", a.Held(), a.Stats())
	}
	// b gets everything, c nothing yet: still not stable.
	for _, d := range sent {
		mustStep(t, ms[1], "a", d)
	}
	exchange(t, ms[:2], 3)
	if _, err := a.Multicast(&wire.Probe{N: 5}); !errors.Is(err, ErrWindowFull) {
		t.Fatalf("c has not delivered, multicast: %v, want ErrWindowFull", err)
	}
	// c catches up through NAK repair; stability frees the buffer.
	exchange(t, ms, 6)
	if a.Held() != 0 {
		t.Fatalf("after stability a holds %d messages", a.Held())
	}
	for i := range 4 {
		if o := a.rel.sent[i]; o.payload != nil || o.data != nil || o.vt != nil {
			t.Fatalf("send buffer slot %d not freed", i)
		}
	}
	if _, err := a.Multicast(&wire.Probe{N: 5}); err != nil {
		t.Fatalf("window should be open again: %v", err)
	}
}

func TestQuietGroupSendsNothing(t *testing.T) {
	ms := group(t, CausalAtomic, nil)
	mustMulticast(t, ms[1], 1)
	exchange(t, ms, 8)
	for _, m := range ms {
		m.Tick()
		if m.HasReady() {
			t.Fatalf("%s still has output after quiescence: %v", m.ID(), take(m).Messages)
		}
	}
}

func TestBeyondWindowIsRejected(t *testing.T) {
	ms := group(t, Reliable, func(c *Config) { c.Window = 2 })
	d := &wire.Data{Group: "g", View: 1, Sender: "a", Seq: 3, Class: "reliable"}
	wantErr(t, ms[1].Step("a", d), ErrBeyondWindow)
}

// A lone sender whose receivers report only on heartbeats can send Window
// messages per heartbeat period. With StatusEvery the receivers report
// once they have delivered that many, so the sender's window reopens with
// no tick at all; with it off, it stays full until the next heartbeat.
func TestStatusBetweenHeartbeatsReopensTheWindow(t *testing.T) {
	for _, every := range []int{0, 8} {
		t.Run(fmt.Sprintf("StatusEvery=%d", every), func(t *testing.T) {
			ms := group(t, FIFO, func(c *Config) { c.Window, c.StatusEvery = 16, every })
			a := ms[0]
			for i := range 16 {
				d := mustMulticast(t, a, uint64(i))
				for _, r := range ms[1:] {
					for _, o := range mustStep(t, r, "a", d).Messages {
						if o.To == "a" {
							if err := a.Step(r.ID(), o.Msg); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
			}
			_, err := a.Multicast(&wire.Probe{N: 16})
			if every == 0 && !errors.Is(err, ErrWindowFull) {
				t.Fatalf("no tick, no early Status: multicast %v, want ErrWindowFull", err)
			}
			if every > 0 && err != nil {
				t.Fatalf("receivers reported every %d deliveries, yet the window is full: %v", every, err)
			}
			var early uint64
			for _, r := range ms[1:] {
				early += r.Stats().EarlyStatus
			}
			want := uint64(0)
			if every > 0 {
				want = 2 * 16 / uint64(every) // two receivers, 16 deliveries each
			}
			if early != want {
				t.Fatalf("early Status sent %d, want %d", early, want)
			}
		})
	}
}
