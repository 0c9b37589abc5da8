package layer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"google.golang.org/protobuf/proto"
)

var ids3 = []history.ProcessID{"a", "b", "c"}

func newMember(t testing.TB, self history.ProcessID, members []history.ProcessID, class Class, tune func(*Config)) *Member {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Self, cfg.Group, cfg.Members, cfg.View, cfg.Class = self, "g", members, 1, class
	if tune != nil {
		tune(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func group(t testing.TB, class Class, tune func(*Config)) []*Member {
	var ms []*Member
	for _, id := range ids3 {
		ms = append(ms, newMember(t, id, ids3, class, tune))
	}
	return ms
}

// take empties m's Ready and returns it.
func take(m *Member) step.Ready {
	if !m.HasReady() {
		return step.Ready{}
	}
	rd := m.Ready()
	out := step.Ready{Messages: append([]step.Outbound(nil), rd.Messages...), Events: append([]history.Event(nil), rd.Events...)}
	m.Advance(rd)
	return out
}

func mustMulticast(t testing.TB, m *Member, n uint64) *wire.Data {
	t.Helper()
	id, err := m.Multicast(&wire.Probe{N: n})
	if err != nil {
		t.Fatalf("multicast %d: %v", n, err)
	}
	rd := take(m)
	for _, o := range rd.Messages {
		if d, ok := o.Msg.(*wire.Data); ok && d.Seq == id.Seq {
			return d
		}
	}
	t.Fatalf("multicast %d: no data message in Ready %v", n, rd.Messages)
	return nil
}

func mustStep(t testing.TB, m *Member, from history.ProcessID, msg proto.Message) step.Ready {
	t.Helper()
	if err := m.Step(from, msg); err != nil {
		t.Fatalf("%s stepping %T from %s: %v", m.ID(), msg, from, err)
	}
	return take(m)
}

// delivered lists the ids of the deliveries in rd as sender/seq strings.
func delivered(rd step.Ready) []string {
	var out []string
	for _, e := range rd.Events {
		if e.Kind == history.Deliver {
			out = append(out, fmt.Sprintf("%s%d", e.Msg.Sender, e.Msg.Seq))
		}
	}
	return out
}

func messagesOf[T proto.Message](rd step.Ready, to history.ProcessID) []T {
	var out []T
	for _, o := range rd.Messages {
		if x, ok := o.Msg.(T); ok && (to == "" || o.To == to) {
			out = append(out, x)
		}
	}
	return out
}

func wantErr(t *testing.T, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("got error %v, want %v", err, sentinel)
	}
}
