package history

import (
	"fmt"
	"testing"
)

// bigHistory is a correct run of n processes: msgs multicasts, round robin,
// each delivered by every process in one global order, with every process
// moving to a new view (all members, primary) every viewEvery messages
// (never, if 0). It satisfies every property the package checks.
func bigHistory(n, msgs, viewEvery int) History {
	procs := make([]ProcessID, n)
	for i := range procs {
		procs[i] = ProcessID(fmt.Sprintf("p%d", i))
	}
	h := make(History, 0, msgs*(n+1)+n*(msgs/max(viewEvery, 1)+1))
	add := func(e Event) {
		e.Index, e.Time = int64(len(h)), int64(len(h))
		h = append(h, e)
	}
	view := uint64(0)
	seq := make([]uint64, n)
	newView := func() {
		view++
		for _, p := range procs {
			add(Event{Process: p, Kind: ViewInstall, View: view, Prev: view - 1, Members: procs, Primary: true})
		}
		clear(seq)
	}
	if viewEvery > 0 {
		newView()
	}
	for k := range msgs {
		if viewEvery > 0 && k > 0 && k%viewEvery == 0 {
			newView()
		}
		s := k % n
		seq[s]++
		id := MsgID{Sender: procs[s], View: view, Seq: seq[s]}
		add(Event{Process: procs[s], Kind: Multicast, Msg: id, View: view})
		for _, p := range procs {
			add(Event{Process: p, Kind: Deliver, Msg: id, View: view, GlobalSeq: uint64(k + 1)})
		}
	}
	return h
}

var allCheckers = []struct {
	name string
	c    Checker
}{
	{"Integrity", CheckIntegrity}, {"Validity", CheckValidity}, {"Agreement", CheckAgreement},
	{"UniformAgreement", CheckUniformAgreement}, {"FIFO", CheckFIFO}, {"Causal", CheckCausal},
	{"TotalOrder", CheckTotalOrder}, {"TotalOrderPrefix", CheckTotalOrderPrefix},
	{"ViewAgreement", CheckViewAgreement}, {"SelfInclusion", CheckSelfInclusion},
	{"MonotonicViews", CheckMonotonicViews}, {"SendingViewDelivery", CheckSendingViewDelivery},
	{"SelfDelivery", CheckSelfDelivery}, {"VirtualSynchrony", CheckVirtualSynchrony},
	{"PrimaryComponent", CheckPrimaryComponent}, {"IC1", CheckIC1}, {"IC2", CheckIC2},
}

func TestBigCorrectHistoryPasses(t *testing.T) {
	for _, viewEvery := range []int{0, 97} {
		h := bigHistory(5, 4000, viewEvery)
		for _, c := range allCheckers {
			if vs := c.c(h); len(vs) != 0 {
				t.Errorf("views every %d: %s rejected a correct run: %s", viewEvery, c.name, vs[0])
			}
		}
	}
}

// BenchmarkCheckers runs every checker on a correct history of about a
// million events (8 processes, 111,111 messages each delivered by all).
func BenchmarkCheckers(b *testing.B) {
	for _, viewEvery := range []int{0, 1000} {
		h := bigHistory(8, 111_111, viewEvery)
		for _, c := range allCheckers {
			b.Run(fmt.Sprintf("%s/events=%d/views=%v", c.name, len(h), viewEvery > 0), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if vs := c.c(h); len(vs) != 0 {
						b.Fatalf("%s rejected a correct run: %s", c.name, vs[0])
					}
				}
				b.ReportMetric(float64(len(h))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkRecord measures the cost of recording one event, on and off.
func BenchmarkRecord(b *testing.B) {
	e := Event{Process: "p", Kind: Deliver, Msg: MsgID{Sender: "q", Seq: 1}}
	b.Run("log", func(b *testing.B) {
		l := NewLog()
		b.ReportAllocs()
		for b.Loop() {
			l.Record(e)
		}
	})
	b.Run("disabled", func(b *testing.B) {
		var l *Log
		var r Recorder = l
		b.ReportAllocs()
		for b.Loop() {
			if Enabled(r) {
				r.Record(e)
			}
		}
	})
}

// BenchmarkCheckAll runs every checker of the package on a correct
// membership history of about a million events.
func BenchmarkCheckAll(b *testing.B) {
	h := bigHistory(8, 111_111, 1000)
	all := append(append(ChecksFor("causal-atomic"), CheckUniformAgreement), VirtualSynchronyChecks...)
	all = append(all, ByzantineChecks...)
	b.ReportAllocs()
	for b.Loop() {
		if vs := CheckAll(h, all...); len(vs) != 0 {
			b.Fatalf("violation in a correct run: %s", vs[0])
		}
	}
	b.ReportMetric(float64(len(h))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
