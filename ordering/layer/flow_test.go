package layer

import (
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// A member that cannot keep up holds the senders back: with c stepping one
// message per round while a and b multicast as fast as flow control lets
// them, nobody holds more than Window x members messages, c's inbound queue
// stays bounded, and everything is delivered in the end.
func TestSlowMemberBackPressuresSenders(t *testing.T) {
	const window, rounds = 8, 4000
	for _, class := range Classes {
		t.Run(class.String(), func(t *testing.T) {
			ms := group(t, class, func(c *Config) { c.Window = window })
			byID := map[history.ProcessID]*Member{}
			for _, m := range ms {
				byID[m.ID()] = m
			}
			type pkt struct {
				from history.ProcessID
				o    step.Outbound
			}
			var fast, slow []pkt // messages to a and b; to c
			collect := func(m *Member) {
				for _, o := range take(m).Messages {
					if o.To == "c" {
						slow = append(slow, pkt{m.ID(), o})
					} else {
						fast = append(fast, pkt{m.ID(), o})
					}
				}
			}
			stepTo := func(q pkt) {
				to := byID[q.o.To]
				if err := to.Step(q.from, q.o.Msg); err != nil {
					t.Fatalf("%s stepping %T: %v", to.ID(), q.o.Msg, err)
				}
				collect(to)
			}
			sent, refused, maxSlow := 0, 0, 0
			for r := range rounds {
				for _, m := range ms[:2] {
					if _, err := m.Multicast(&wire.Probe{N: uint64(r)}); errors.Is(err, ErrWindowFull) {
						refused++
					} else if err != nil {
						t.Fatal(err)
					} else {
						sent++
					}
					collect(m)
				}
				for len(fast) > 0 {
					q := fast[0]
					fast = fast[1:]
					stepTo(q)
				}
				if len(slow) > 0 { // c: one message per round
					q := slow[0]
					slow = slow[1:]
					stepTo(q)
				}
				if r%4 == 3 {
					for _, m := range ms {
						m.Tick()
						collect(m)
					}
				}
				maxSlow = max(maxSlow, len(slow))
				for _, m := range ms {
					if h := m.Held(); h > window*len(ms) {
						t.Fatalf("round %d: %s holds %d > window x members", r, m.ID(), h)
					}
				}
			}
			if refused == 0 || maxSlow > 16*window {
				t.Fatalf("refused %d multicasts, c's queue peaked at %d: want back-pressure and a bounded queue", refused, maxSlow)
			}
			// Let c catch up; everything sent is delivered everywhere.
			for i := 0; i < 10_000 && (len(slow) > 0 || len(fast) > 0 || ms[2].Stats().Delivered < uint64(sent)); i++ {
				for _, q := range append(fast, slow...) {
					stepTo(q)
				}
				fast, slow = nil, nil
				for _, m := range ms {
					m.Tick()
					collect(m)
				}
			}
			for _, m := range ms {
				if got := m.Stats().Delivered; got != uint64(sent) {
					t.Fatalf("%s delivered %d of %d", m.ID(), got, sent)
				}
			}
			t.Logf("%s: %d multicasts, %d refused by flow control, c's queue peaked at %d", class, sent, refused, maxSlow)
		})
	}
}
