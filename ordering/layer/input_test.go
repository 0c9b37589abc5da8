package layer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func TestClassNamesRoundTrip(t *testing.T) {
	want := []string{"reliable", "fifo", "causal", "atomic", "fifo-atomic", "causal-atomic"}
	for i, c := range Classes {
		if c.String() != want[i] {
			t.Fatalf("class %d is %q, want %q", i, c, want[i])
		}
		back, err := ParseClass(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseClass(%q) = %v, %v", c, back, err)
		}
		if ls := c.Layers(); ls[0] != LayerReliable || (c.Total() != (ls[len(ls)-1] == LayerTotal)) {
			t.Fatalf("class %s stack %v", c, ls)
		}
	}
	_, err := ParseClass("chaotic")
	wantErr(t, err, ErrConfig)
}

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig()
	good.Self, good.Group, good.Members, good.Class = "a", "g", ids3, FIFO
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, break_ := range map[string]func(*Config){
		"no group":     func(c *Config) { c.Group = "" },
		"no members":   func(c *Config) { c.Members = nil },
		"self missing": func(c *Config) { c.Self = "z" },
		"twice":        func(c *Config) { c.Members = []history.ProcessID{"a", "a"} },
		"no class":     func(c *Config) { c.Class = 0 },
		"window":       func(c *Config) { c.Window = 0 },
		"batch":        func(c *Config) { c.OrderBatchMin = c.OrderBatchMax + 1 },
		"fanout":       func(c *Config) { c.LocalFanout = true },
		"status every": func(c *Config) { c.StatusEvery = -1 },
	} {
		c := good
		break_(&c)
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New returned %v, want ErrConfig", name, err)
		}
	}
}

// Every kind of bad input is rejected with its sentinel and changes nothing:
// the good message that follows is still delivered exactly as it would be.
func TestBadInputIsRejectedAndHarmless(t *testing.T) {
	payload, _ := anypb.New(&wire.Probe{N: 1})
	good := func() *wire.Data {
		return &wire.Data{Group: "g", View: 1, Sender: "a", Seq: 1, Class: "causal", Vt: []uint64{1, 0, 0}, Payload: payload}
	}
	with := func(f func(d *wire.Data)) *wire.Data { d := good(); f(d); return d }
	cases := []struct {
		name     string
		from     history.ProcessID
		msg      proto.Message
		sentinel error
	}{
		{"stranger", "z", good(), ErrNotMember},
		{"group", "a", with(func(d *wire.Data) { d.Group = "h" }), ErrWrongGroup},
		{"view", "a", with(func(d *wire.Data) { d.View = 2 }), ErrWrongView},
		{"class", "a", with(func(d *wire.Data) { d.Class = "fifo" }), ErrWrongClass},
		{"sender", "a", with(func(d *wire.Data) { d.Sender = "z" }), ErrNotMember},
		{"seq 0", "a", with(func(d *wire.Data) { d.Seq = 0 }), ErrBadSeq},
		{"as if ours", "a", with(func(d *wire.Data) { d.Sender = "b" }), ErrBadSeq},
		{"vt length", "a", with(func(d *wire.Data) { d.Vt = []uint64{1} }), ErrBadTimestamp},
		{"vt sender", "a", with(func(d *wire.Data) { d.Vt = []uint64{2, 0, 0} }), ErrBadTimestamp},
		{"vt of ours", "a", with(func(d *wire.Data) { d.Vt = []uint64{1, 5, 0} }), ErrBadTimestamp},
		{"no payload", "a", with(func(d *wire.Data) { d.Payload = nil }), ErrBadPayload},
		{"bad payload", "a", with(func(d *wire.Data) { d.Payload = &anypb.Any{TypeUrl: "type.googleapis.com/no.Such"} }), ErrBadPayload},
		{"unknown", "a", &wire.Probe{}, ErrUnknownMessage},
		{"short status", "a", &Status{Group: "g", View: 1, Delivered: []uint64{1}}, ErrBadReport},
		{"status of ours", "a", &Status{Group: "g", View: 1, Delivered: []uint64{0, 9, 0}, Stable: []uint64{0, 0, 0}}, ErrBadReport},
		{"nak for another", "a", &Nak{Group: "g", View: 1, Target: "c", Seqs: []uint64{1}}, ErrNotMember},
		{"order without sequencer", "a", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{0}, Seqs: []uint64{1}}, ErrNotSequencer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newMember(t, "b", ids3, Causal, nil)
			wantErr(t, b.Step(tc.from, tc.msg), tc.sentinel)
			if b.HasReady() || b.Stats().Rejected != 1 {
				t.Fatalf("rejection left output or was not counted: %+v", b.Stats())
			}
			rd := mustStep(t, b, "a", good())
			if got := delivered(rd); len(got) != 1 || got[0] != "a1" {
				t.Fatalf("good message after rejection delivered %v", got)
			}
		})
	}
}

func TestBadOrdersAreRejected(t *testing.T) {
	for name, tc := range map[string]struct {
		from     history.ProcessID
		o        *Order
		sentinel error
	}{
		"from non-sequencer": {"b", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{0}, Seqs: []uint64{1}}, ErrNotSequencer},
		"ragged":             {"a", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{0, 1}, Seqs: []uint64{1}}, ErrBadOrder},
		"first 0":            {"a", &Order{Group: "g", View: 1, First: 0, Ranks: []uint32{0}, Seqs: []uint64{1}}, ErrBadOrder},
		"rank":               {"a", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{7}, Seqs: []uint64{1}}, ErrBadOrder},
		"far future":         {"a", &Order{Group: "g", View: 1, First: 1 << 40, Ranks: []uint32{0}, Seqs: []uint64{1}}, ErrBeyondWindow},
	} {
		t.Run(name, func(t *testing.T) {
			c := newMember(t, "c", ids3, Atomic, nil)
			wantErr(t, c.Step(tc.from, tc.o), tc.sentinel)
		})
	}
	// A contradicting assignment is refused; the first one stands.
	c := newMember(t, "c", ids3, Atomic, nil)
	mustStep(t, c, "a", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{0}, Seqs: []uint64{1}})
	wantErr(t, c.Step("a", &Order{Group: "g", View: 1, First: 1, Ranks: []uint32{1}, Seqs: []uint64{1}}), ErrBadOrder)
	// Order NAKs go to the sequencer only.
	wantErr(t, c.Step("a", &OrderNak{Group: "g", View: 1, From: 1, To: 1}), ErrNotSequencer)
}

func TestMulticastRejectsNil(t *testing.T) {
	a := newMember(t, "a", ids3, FIFO, nil)
	if _, err := a.Multicast(nil); !errors.Is(err, ErrNilPayload) {
		t.Fatalf("got %v", err)
	}
}

func TestSingleMemberGroupDeliversAndSettles(t *testing.T) {
	for _, class := range Classes {
		m := newMember(t, "solo", []history.ProcessID{"solo"}, class, func(c *Config) { c.Window = 2 })
		for i := range 5 { // more than the window: stability is immediate
			if _, err := m.Multicast(&wire.Probe{N: uint64(i)}); err != nil {
				t.Fatalf("%s: multicast %d: %v", class, i, err)
			}
		}
		if got := delivered(take(m)); len(got) != 5 {
			t.Fatalf("%s: delivered %v", class, got)
		}
		m.Tick()
		if rd := take(m); len(rd.Messages) != 0 || m.Held() != 0 {
			t.Fatalf("%s: after a tick sent %v, holds %d", class, rd.Messages, m.Held())
		}
	}
}

// Ranks are found by scanning small groups and through the map in larger
// ones: both accept every member, first and last, and refuse a stranger.
func TestRankOfSmallAndLargeGroups(t *testing.T) {
	for _, n := range []int{3, scanRanks, scanRanks + 1, 12} {
		var ids []history.ProcessID
		for i := range n {
			ids = append(ids, history.ProcessID(fmt.Sprintf("p%02d", i)))
		}
		m := newMember(t, ids[0], ids, FIFO, nil)
		for i, p := range ids {
			if j, ok := m.rankOf(p); !ok || j != i {
				t.Errorf("n=%d: rankOf(%s) = %d, %v; want %d", n, p, j, ok, i)
			}
		}
		if _, ok := m.rankOf("stranger"); ok {
			t.Errorf("n=%d: a stranger has a rank", n)
		}
	}
}
