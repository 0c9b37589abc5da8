package faults

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

func probe(n uint64) *wire.Probe {
	return &wire.Probe{From: "p1", N: n, Body: []byte("hello")}
}

// sendAll runs count messages through in.Outgoing and returns what came out.
func sendAll(t *testing.T, in *Injector, count int) []Action {
	t.Helper()
	var out []Action
	for i := 1; i <= count; i++ {
		out = append(out, in.Outgoing(int64(i), "p2", probe(uint64(i)))...)
	}
	return out
}

func TestNoneIsTransparent(t *testing.T) {
	in := MustInjector(Spec{})
	out := sendAll(t, in, 100)
	if len(out) != 100 || in.Active() {
		t.Fatalf("none: got %d actions, active=%v; want 100, false", len(out), in.Active())
	}
	for i, a := range out {
		if a.Msg.(*wire.Probe).N != uint64(i+1) || a.Delay != 0 {
			t.Fatalf("none changed message %d: %v", i, a)
		}
	}
}

func TestCrashAfterK(t *testing.T) {
	in := MustInjector(Spec{Model: Crash, Start: Trigger{AfterMessages: 10}})
	out := sendAll(t, in, 30)
	if len(out) != 10 {
		t.Fatalf("crash after 10: %d messages got out, want 10", len(out))
	}
	if !in.Crashed() {
		t.Fatal("injector does not report the crash")
	}
	if in.Incoming(100, "p2", probe(1)) {
		t.Fatal("crashed process still receives")
	}
}

func TestCrashAtTick(t *testing.T) {
	in := MustInjector(Spec{Model: Crash, Start: Trigger{AtTick: 21}})
	if out := sendAll(t, in, 30); len(out) != 20 {
		t.Fatalf("crash at tick 21: %d messages got out, want 20", len(out))
	}
}

func TestSendOmissionRateIsSeeded(t *testing.T) {
	const n = 10000
	spec := Spec{Model: SendOmission, Rate: 0.1, Seed: 7}
	a := sendAll(t, MustInjector(spec), n)
	b := sendAll(t, MustInjector(spec), n)
	if len(a) != len(b) {
		t.Fatalf("same seed, different outcome: %d vs %d", len(a), len(b))
	}
	lost := n - len(a)
	if lost < 850 || lost > 1150 {
		t.Fatalf("rate 0.1 of %d: lost %d (seed %d)", n, lost, spec.Seed)
	}
	spec.Seed = 8
	if c := sendAll(t, MustInjector(spec), n); len(c) == len(a) {
		t.Logf("seeds 7 and 8 lost the same count %d (possible, but unlikely)", n-len(c))
	}
}

func TestReceiveOmission(t *testing.T) {
	in := MustInjector(Spec{Model: ReceiveOmission, Rate: 0.5, Seed: 3})
	got := 0
	for i := 0; i < 1000; i++ {
		if in.Incoming(int64(i), "p2", probe(uint64(i))) {
			got++
		}
	}
	if got < 400 || got > 600 || in.Stats().Dropped != 1000-got {
		t.Fatalf("receive omission at 0.5: received %d of 1000, stats %+v", got, in.Stats())
	}
	if n := len(sendAll(t, in, 10)); n != 10 {
		t.Fatalf("receive omission dropped outgoing messages: %d of 10 sent", n)
	}
}

func TestTimingDelays(t *testing.T) {
	in := MustInjector(Spec{Model: Timing, Delay: 5, Start: Trigger{AfterMessages: 2}})
	out := sendAll(t, in, 4)
	want := []int64{0, 0, 5, 5}
	for i, a := range out {
		if a.Delay != want[i] {
			t.Fatalf("message %d delay %d, want %d", i+1, a.Delay, want[i])
		}
	}
}

func TestValueCorruptsCloneOnly(t *testing.T) {
	in := MustInjector(Spec{Model: Value, Seed: 1})
	for i := 0; i < 200; i++ {
		orig := probe(uint64(i))
		keep := proto.Clone(orig)
		out := in.Outgoing(0, "p2", orig)
		if len(out) != 1 {
			t.Fatalf("value failure changed the number of messages: %d", len(out))
		}
		if !proto.Equal(orig, keep) {
			t.Fatalf("value failure modified the original message: %v", orig)
		}
		if proto.Equal(out[0].Msg, orig) {
			t.Fatalf("value failure sent the true value: %v", out[0].Msg)
		}
	}
	if in.Stats().Corrupted != 200 {
		t.Fatalf("corrupted %d, want 200", in.Stats().Corrupted)
	}
}

func TestCorruptReachesNestedAndRepeatedFields(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	msg := &wire.Data{Vt: []uint64{1, 2, 3}}
	changed := map[string]bool{}
	for i := 0; i < 200; i++ {
		bad := Corrupt(msg, rng).(*wire.Data)
		for j := range msg.Vt {
			if bad.Vt[j] != msg.Vt[j] {
				changed["vt"] = true
			}
		}
	}
	if !changed["vt"] {
		t.Fatal("repeated scalar field never corrupted")
	}
	empty := &wire.Data{}
	if _, ok := corrupt(empty, rng); ok {
		t.Fatal("a message with no populated field reported as corrupted")
	}
}

func TestStateTransitionReplaysAndReorders(t *testing.T) {
	in := MustInjector(Spec{Model: StateTransition, Rate: 0.3, Seed: 11})
	out := sendAll(t, in, 200)
	seen := map[uint64]int{}
	outOfOrder := false
	var last uint64
	for _, a := range out {
		n := a.Msg.(*wire.Probe).N
		seen[n]++
		if n < last {
			outOfOrder = true
		}
		last = n
	}
	dup := 0
	for _, c := range seen {
		if c > 1 {
			dup++
		}
	}
	if in.Stats().Replayed == 0 || dup == 0 || !outOfOrder {
		t.Fatalf("state transition: replayed=%d duplicates=%d outOfOrder=%v", in.Stats().Replayed, dup, outOfOrder)
	}
	// Deviation delays a message but never loses one for good except the
	// last held back: every message up to 199 was sent at least once.
	for n := uint64(1); n < 200; n++ {
		if seen[n] == 0 {
			t.Fatalf("state transition lost message %d", n)
		}
	}
}

func TestArbitraryAdversaries(t *testing.T) {
	cases := []struct {
		name string
		adv  Adversary
		want func(t *testing.T, byPeer map[history.ProcessID][]proto.Message)
	}{
		{"silent", Silent{}, func(t *testing.T, byPeer map[history.ProcessID][]proto.Message) {
			for p, ms := range byPeer {
				if len(ms) != 0 {
					t.Fatalf("silent adversary sent %d to %s", len(ms), p)
				}
			}
		}},
		{"two-faced", TwoFaced{Salt: 1}, func(t *testing.T, byPeer map[history.ProcessID][]proto.Message) {
			truth, lies := 0, 0
			for _, ms := range byPeer {
				if proto.Equal(ms[0], probe(1)) {
					truth++
				} else {
					lies++
				}
			}
			if truth == 0 || lies == 0 {
				t.Fatalf("two-faced told truth to %d peers and lied to %d", truth, lies)
			}
		}},
		{"replayer", Replayer{}, func(t *testing.T, byPeer map[history.ProcessID][]proto.Message) {
			for p, ms := range byPeer {
				if len(ms) != 2 || proto.Equal(ms[0], ms[1]) {
					t.Fatalf("replayer sent %v to %s", ms, p)
				}
			}
		}},
	}
	peers := []history.ProcessID{"a", "b", "c", "d", "e", "f", "g", "h"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := MustInjector(Spec{Model: Arbitrary, Adversary: c.adv, Seed: 5})
			byPeer := map[history.ProcessID][]proto.Message{}
			for _, p := range peers {
				for _, a := range in.Outgoing(0, p, probe(1)) {
					byPeer[p] = append(byPeer[p], a.Msg)
				}
				if _, ok := byPeer[p]; !ok {
					byPeer[p] = nil
				}
			}
			c.want(t, byPeer)
		})
	}
}

func TestValidate(t *testing.T) {
	bad := []Spec{
		{Model: Model(99)},
		{Model: SendOmission, Rate: 1.5},
		{Model: Timing},
		{Model: Crash, Start: Trigger{AfterMessages: -1}},
		{Model: Value, Adversary: Silent{}},
	}
	for _, s := range bad {
		if err := s.Validate(); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidSpec", s, err)
		}
		if _, err := NewInjector(s); err == nil {
			t.Errorf("NewInjector(%+v) accepted an invalid spec", s)
		}
	}
}

func TestParseModelRoundTrip(t *testing.T) {
	for _, m := range append([]Model{None}, Models...) {
		got, err := ParseModel(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseModel(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseModel("gremlins"); !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("ParseModel(gremlins) error = %v", err)
	}
}

// The field a seed corrupts must not depend on protobuf-go's per-binary
// field iteration order: replay must hold across builds. Descriptor order is
// the contract, so with one populated field per position the choice sequence
// for a seed is fixed by field numbers alone.
func TestCorruptChoosesFieldsInNumberOrder(t *testing.T) {
	msg := &wire.Data{Group: "g", View: 1, Sender: "s", Seq: 2, Class: "fifo"}
	var fields []scalarRef
	collectScalars(proto.Clone(msg).ProtoReflect(), &fields)
	var got []int32
	for _, f := range fields {
		got = append(got, int32(f.field.Number()))
	}
	want := []int32{1, 2, 3, 4, 7}
	if len(got) != len(want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fields visited in order %v, want %v", got, want)
		}
	}
}
