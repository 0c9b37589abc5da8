package spacetime

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
)

func TestDrawsArrowsViewsAndCrashes(t *testing.T) {
	m := history.MsgID{Sender: "n/a", View: 1, Seq: 1}
	h := history.History{
		{Time: 10, Process: "n/a", Kind: history.Multicast, Msg: m},
		{Time: 12, Process: "n/a", Kind: history.Deliver, Msg: m},
		{Time: 20, Process: "n/b", Kind: history.Deliver, Msg: m},
		{Time: 25, Process: "n/c", Kind: history.Deliver, Msg: m},
		{Time: 30, Process: "n/c", Kind: history.Crash},
		{Time: 60, Process: "n/a", Kind: history.ViewInstall, View: 2, Members: []history.ProcessID{"n/a", "n/b"}},
		{Time: 500, Process: "n/b", Kind: history.Deliver, Msg: history.MsgID{Sender: "n/a", View: 1, Seq: 9}},
	}
	var b strings.Builder
	st, err := Write(&b, h, Config{From: 0, To: 100, Title: "t<1>"})
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Processes: 3, Multicasts: 1, Deliveries: 2, Views: 1, Crashes: 1}
	if st != want {
		t.Fatalf("drew %+v, want %+v", st, want)
	}
	if err := xml.Unmarshal([]byte(b.String()), new(any)); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if _, err := Write(&b, h, Config{From: 5, To: 5}); err == nil {
		t.Fatal("an empty window was accepted")
	}
}
