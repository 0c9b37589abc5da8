package history_test

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// A run is recorded into a Log and judged by the checkers of its class.
// Here q delivers p's second message before its first, which FIFO forbids.
func Example() {
	log := history.NewLog()
	rec := history.Recorder(log) // a nil *Log here would switch recording off
	emit := func(p history.ProcessID, k history.Kind, seq uint64) {
		if history.Enabled(rec) {
			rec.Record(history.Event{Process: p, Kind: k, Msg: history.MsgID{Sender: "p", Seq: seq}})
		}
	}
	emit("p", history.Multicast, 1)
	emit("p", history.Deliver, 1)
	emit("p", history.Multicast, 2)
	emit("p", history.Deliver, 2)
	emit("q", history.Deliver, 2)
	emit("q", history.Deliver, 1)

	for _, v := range history.CheckAll(log.History(), history.ChecksFor("fifo")...) {
		fmt.Println(v)
	}
	// Output:
	// fifo: q delivered p/v0/#2 from p in view 0 after #0: gap, #1..#1 missing
	// 	#4 q deliver p/v0/#2 in v0
	// fifo: q delivered p/v0/#1 from p in view 0 after #2: out of order or duplicate
	// 	#4 q deliver p/v0/#2 in v0
	// 	#5 q deliver p/v0/#1 in v0
}
