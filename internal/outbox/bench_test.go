package outbox_test

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/internal/outbox"
)

// BenchmarkOutbox measures one mailbox invocation's worth of batching:
// eight messages added for one destination, then Flush. Run with -benchmem.
func BenchmarkOutbox(b *testing.B) {
	for _, c := range []struct {
		name  string
		local bool
	}{{"local", true}, {"remote", false}} {
		b.Run(c.name, func(b *testing.B) {
			ob := outbox.New(outbox.Config{MaxItems: 64, MaxBytes: 1 << 20})
			to, me := pid("peer"), pid("me")
			msgs := make([]any, 8)
			for i := range msgs {
				msgs[i] = probe(i)
			}
			sent := 0
			send := func(*actor.PID, any) { sent++ }
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range msgs {
					ob.Add(to, me, c.local, m, send)
				}
				ob.Flush(send)
			}
			if sent == 0 {
				b.Fatal("nothing sent")
			}
		})
	}
}
