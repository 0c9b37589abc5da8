package simtest

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

func TestFloodRelaysOnceThenDelivers(t *testing.T) {
	group := []history.ProcessID{"a", "b", "c"}
	f := NewFlood("b", group)
	msg := &wire.Data{Sender: "a", Seq: 1}
	if err := f.Step("a", msg); err != nil {
		t.Fatal(err)
	}
	rd := f.Ready()
	if len(rd.Messages) != 1 || rd.Messages[0].To != "c" {
		t.Fatalf("relayed to %v, want c only (not the sender it came from, not itself)", rd.Messages)
	}
	if len(rd.Events) != 1 || rd.Events[0].Kind != history.Deliver || rd.Events[0].Msg != (history.MsgID{Sender: "a", Seq: 1}) {
		t.Fatalf("events %+v, want one delivery of a/1", rd.Events)
	}
	f.Advance(rd)
	if err := f.Step("c", msg); err != nil || f.HasReady() {
		t.Fatalf("duplicate: err %v, ready %v; want ignored", err, f.HasReady())
	}
	if err := f.Step("a", &wire.Probe{}); !errors.Is(err, ErrUnexpected) {
		t.Fatalf("probe: %v, want ErrUnexpected", err)
	}
	if err := f.Step("x", &wire.Data{Sender: "x", Seq: 1}); !errors.Is(err, ErrNotMember) || f.HasReady() {
		t.Fatalf("outsider: %v, want ErrNotMember and nothing ready", err)
	}
}

func TestEchoBudget(t *testing.T) {
	e := NewEcho("a", 2)
	for range 3 {
		if err := e.Step("b", &wire.Probe{}); err != nil {
			t.Fatal(err)
		}
	}
	if rd := e.Ready(); len(rd.Messages) != 2 {
		t.Fatalf("echoed %d, want the budget of 2", len(rd.Messages))
	}
	if err := e.Step("b", &wire.Data{}); !errors.Is(err, ErrUnexpected) {
		t.Fatalf("data: %v, want ErrUnexpected", err)
	}
}
