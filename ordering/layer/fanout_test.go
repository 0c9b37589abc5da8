package layer

import (
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

func localMode(c *Config) { c.LazyPayload, c.LocalFanout = true, true }

// TestLocalFanout: with LocalFanout an own multicast leaves as a Fanout,
// never as a wire.Data in Messages; a receiver given it through StepLocal
// delivers the sender's payload pointer; a NAKed one is retransmitted as a
// Data built then, whose payload the sender still hands out (PayloadOf).
func TestLocalFanout(t *testing.T) {
	ms := group(t, Causal, localMode)
	a, b := ms[0], ms[1]
	p1, p2 := &wire.Probe{N: 1}, &wire.Probe{N: 2}
	for _, p := range []*wire.Probe{p1, p2} {
		if _, err := a.Multicast(p); err != nil {
			t.Fatal(err)
		}
	}
	rd := a.Ready()
	fs := append([]Fanout(nil), a.Fanouts()...)
	if n := len(messagesOf[*wire.Data](rd, "")); n != 0 {
		t.Fatalf("%d Data in Messages, want none: own multicasts leave as Fanouts", n)
	}
	if len(fs) != 2 || fs[0].Seq != 1 || fs[1].Seq != 2 || fs[1].Payload != p2 || len(fs[1].Vt) != 3 || fs[1].Vt[0] != 2 {
		t.Fatalf("Fanouts %+v, want seqs 1 and 2 with their payloads and timestamps", fs)
	}
	a.Advance(rd)
	if len(a.Fanouts()) != 0 || a.HasReady() {
		t.Fatalf("after Advance: %d Fanouts, HasReady %v", len(a.Fanouts()), a.HasReady())
	}

	// b gets only the second: causal order holds it back until a NAK
	// repairs the first.
	if err := b.StepLocal("a", fs[1].Seq, fs[1].Vt, fs[1].Payload); err != nil {
		t.Fatal(err)
	}
	if got := delivered(take(b)); len(got) != 0 {
		t.Fatalf("delivered %v before seq 1", got)
	}
	rd = mustStep(t, a, "b", &Nak{Group: "g", View: 1, Target: "a", Seqs: []uint64{1}})
	ds := messagesOf[*wire.Data](rd, "b")
	if len(ds) != 1 || ds[0].Seq != 1 || ds[0].Payload != nil || len(ds[0].Vt) != 3 {
		t.Fatalf("retransmission %v, want Data seq 1 with its timestamp and no packed payload", ds)
	}
	if got := a.PayloadOf(ds[0]); got != p1 {
		t.Fatalf("PayloadOf the retransmitted Data = %v, want the payload itself", got)
	}
	rd = mustStep(t, a, "b", &Nak{Group: "g", View: 1, Target: "a", Seqs: []uint64{1}})
	if again := messagesOf[*wire.Data](rd, "b"); len(again) != 1 || again[0] != ds[0] {
		t.Fatalf("second retransmission %v, want the same Data %p", again, ds[0])
	}
	if err := b.StepLocal("a", ds[0].Seq, ds[0].Vt, a.PayloadOf(ds[0])); err != nil {
		t.Fatal(err)
	}
	evs := take(b).Events
	if len(evs) != 2 || evs[0].Payload != p1 || evs[1].Payload != p2 {
		t.Fatalf("b's events %+v, want deliveries of p1 then p2", evs)
	}
	// A duplicate is dropped and counted, not an error.
	if err := b.StepLocal("a", fs[0].Seq, fs[0].Vt, fs[0].Payload); err != nil || b.Stats().Duplicates != 1 {
		t.Fatalf("duplicate: %v, %d duplicates", err, b.Stats().Duplicates)
	}
}

// Every kind of bad StepLocal input is rejected with its sentinel, counted,
// and changes nothing.
func TestBadLocalInputIsRejectedAndHarmless(t *testing.T) {
	p := &wire.Probe{N: 1}
	cases := []struct {
		name     string
		from     history.ProcessID
		seq      uint64
		vt       []uint64
		sentinel error
		payload  proto.Message
	}{
		{"stranger", "z", 1, []uint64{1, 0, 0}, ErrNotMember, p},
		{"no payload", "a", 1, []uint64{1, 0, 0}, ErrBadPayload, nil},
		{"seq 0", "a", 0, []uint64{0, 0, 0}, ErrBadSeq, p},
		{"as if ours", "b", 1, []uint64{0, 1, 0}, ErrBadSeq, p},
		{"beyond window", "a", 1 << 40, []uint64{1 << 40, 0, 0}, ErrBeyondWindow, p},
		{"vt length", "a", 1, []uint64{1}, ErrBadTimestamp, p},
		{"vt sender", "a", 1, []uint64{2, 0, 0}, ErrBadTimestamp, p},
		{"vt of ours", "a", 1, []uint64{1, 5, 0}, ErrBadTimestamp, p},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newMember(t, "b", ids3, Causal, localMode)
			wantErr(t, b.StepLocal(tc.from, tc.seq, tc.vt, tc.payload), tc.sentinel)
			if b.HasReady() || b.Stats().Rejected != 1 {
				t.Fatalf("rejection left output or was not counted: %+v", b.Stats())
			}
			if err := b.StepLocal("a", 1, []uint64{1, 0, 0}, p); err != nil {
				t.Fatal(err)
			}
			if got := delivered(take(b)); len(got) != 1 || got[0] != "a1" {
				t.Fatalf("good message after rejection delivered %v", got)
			}
		})
	}
}
