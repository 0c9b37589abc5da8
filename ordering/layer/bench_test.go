package layer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

type discardSink struct{ n int }

func (s *discardSink) accept(entry) { s.n++ }

// benchPayload is every benchmark entry's payload: a ring slot is empty
// when its payload is nil.
var benchPayload = &wire.Probe{}

// BenchmarkFIFOStage: per message, in order and with every pair swapped
// (half the messages are held back once).
func BenchmarkFIFOStage(b *testing.B) {
	for _, swapped := range []bool{false, true} {
		b.Run(fmt.Sprintf("swapped=%v", swapped), func(b *testing.B) {
			const window = 64
			sink := &discardSink{}
			f := newFIFO(3, window, sink)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				seq := uint64(i + 1)
				if swapped {
					seq ^= 1 // 2,1,4,3,... (seq 1 -> 0 is skipped below)
					if seq == 0 {
						seq = uint64(i + 1)
					}
				}
				f.accept(entry{rank: 0, seq: seq, payload: benchPayload})
			}
			if sink.n < b.N-1 || f.nHeld > 1 {
				b.Fatalf("passed up %d of %d, %d held", sink.n, b.N, f.nHeld)
			}
		})
	}
}

// BenchmarkCausalStage: messages of n senders round-robin, each sent after
// its sender delivered everything before it; with every pair swapped the
// first of each pair is held back until its predecessor arrives.
func BenchmarkCausalStage(b *testing.B) {
	for _, n := range []int{3, 7} {
		for _, swapped := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/swapped=%v", n, swapped), func(b *testing.B) {
				const window = 64
				sink := &discardSink{}
				c := newCausal(n, 0, window, sink)
				// Precompute a cycle of n*window messages from ranks 1..n-1.
				var msgs []entry
				vt := make([]uint64, n)
				for len(msgs) < 2*window {
					for j := 1; j < n; j++ {
						vt[j]++
						msgs = append(msgs, entry{rank: j, seq: vt[j], vt: append([]uint64(nil), vt...), payload: benchPayload})
					}
				}
				if swapped {
					for i := 0; i+1 < len(msgs); i += 2 {
						msgs[i], msgs[i+1] = msgs[i+1], msgs[i]
					}
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if i%len(msgs) == 0 && i > 0 {
						clear(c.vt) // start the cycle again
					}
					c.accept(msgs[i%len(msgs)])
				}
				if sink.n == 0 {
					b.Fatal("nothing delivered")
				}
			})
		}
	}
}

// BenchmarkTotalStage: a member receives assignments in batches of 64 and
// the data (with the data ahead of its order for half the messages).
func BenchmarkTotalStage(b *testing.B) {
	const window, n, batch = 64, 3, 64
	sink := &discardSink{}
	t := newTotal(n, window, false, sink)
	o := &Order{First: 1, Ranks: make([]uint32, batch), Seqs: make([]uint64, batch)}
	var seq uint64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % batch
		if k == 0 {
			for j := range batch {
				o.Ranks[j] = 1
				o.Seqs[j] = seq + uint64(j) + 1
			}
			o.First = uint64(i) + 1
			if err := t.checkOrder(o, n); err != nil {
				b.Fatal(err)
			}
			t.applyOrder(o)
		}
		seq++
		t.accept(entry{rank: 1, seq: seq, payload: benchPayload})
	}
	if sink.n == 0 {
		b.Fatal("nothing delivered")
	}
}

// BenchmarkMember: whole stacks over a perfect in-memory network. Each
// iteration is one multicast (senders take turns) carried to every member,
// with a tick every 32 multicasts for heartbeats and stability; the figure
// of interest is ns/delivery (each multicast is delivered n times).
// "packed" packs every payload into an Any and unpacks it at each receiver
// (as between processes); "lazy" hands receivers the sender's payload
// (LazyPayload, PayloadOf and StepLocal); "local" makes no Data at all
// (LocalFanout, as the ordering driver does when every member shares its
// process).
func BenchmarkMember(b *testing.B) {
	for _, class := range Classes {
		for _, n := range []int{3, 5, 7} {
			for _, mode := range []string{"packed", "lazy", "local"} {
				benchMember(b, class, n, mode)
			}
		}
	}
}

// benchMember: mode "packed" is the default, "lazy" LazyPayload (Data
// without a packed payload, which receivers get by pointer), "local"
// LocalFanout as well (no Data at all unless retransmitted).
func benchMember(b *testing.B, class Class, n int, mode string) {
	lazy, local := mode != "packed", mode == "local"
	b.Run(fmt.Sprintf("%s/n=%d/%s", class, n, mode), func(b *testing.B) {
		var ids []history.ProcessID
		for i := range n {
			ids = append(ids, history.ProcessID(fmt.Sprintf("p%d", i)))
		}
		ms := make([]*Member, n)
		byID := map[history.ProcessID]*Member{}
		for i, id := range ids {
			ms[i] = newMember(b, id, ids, class, func(c *Config) { c.LazyPayload, c.LocalFanout = lazy, local })
			byID[id] = ms[i]
		}
		type pkt struct {
			from history.ProcessID
			o    step.Outbound
			fan  Fanout // in local mode, when o.Msg is nil
		}
		queue := make([]pkt, 0, 1024)
		deliveries := 0
		drain := func(m *Member) {
			if !m.HasReady() {
				return
			}
			rd := m.Ready()
			for _, f := range m.Fanouts() {
				for _, id := range ids {
					if id != m.ID() {
						queue = append(queue, pkt{from: m.ID(), o: step.Outbound{To: id}, fan: f})
					}
				}
			}
			for _, o := range rd.Messages {
				queue = append(queue, pkt{from: m.ID(), o: o})
			}
			for _, e := range rd.Events {
				if e.Kind == history.Deliver {
					deliveries++
				}
			}
			m.Advance(rd)
		}
		route := func() {
			for len(queue) > 0 {
				q := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				to := byID[q.o.To]
				var err error
				if d, ok := q.o.Msg.(*wire.Data); ok && lazy {
					err = to.StepLocal(q.from, d.Seq, d.Vt, byID[q.from].PayloadOf(d))
				} else if q.o.Msg == nil {
					err = to.StepLocal(q.from, q.fan.Seq, q.fan.Vt, q.fan.Payload)
				} else {
					err = to.Step(q.from, q.o.Msg)
				}
				if err != nil {
					b.Fatal(err)
				}
				drain(to)
			}
		}
		payload := &wire.Probe{N: 1}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m := ms[i%n]
			if _, err := m.Multicast(payload); err != nil {
				if !errors.Is(err, ErrWindowFull) {
					b.Fatal(err)
				}
				for _, x := range ms {
					x.Tick()
					drain(x)
				}
				route()
				continue
			}
			drain(m)
			route()
			if i%32 == 31 {
				for _, x := range ms {
					x.Tick()
					drain(x)
				}
				route()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(deliveries, 1)), "ns/delivery")
		b.ReportMetric(float64(deliveries)/float64(b.N), "deliveries/op")
	})
}
