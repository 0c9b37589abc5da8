package bench_test

import (
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/ordering"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
)

// nullCore is a core that orders nothing and copies nothing: it sends the
// payload pointer itself to every other member and delivers every arrival
// at once. Run under the decorator it measures what the mailbox decorator
// costs apart from the layers.
type nullCore struct {
	self   history.ProcessID
	others []history.ProcessID
	seq    uint64
	rd     step.Ready
}

func newNullCore(lc layer.Config) (ordering.Core, error) {
	c := &nullCore{self: lc.Self}
	for _, m := range lc.Members {
		if m != lc.Self {
			c.others = append(c.others, m)
		}
	}
	return c, nil
}

func (c *nullCore) ID() history.ProcessID { return c.self }

func (c *nullCore) Multicast(p proto.Message) (history.MsgID, error) {
	c.seq++
	for _, m := range c.others {
		c.rd.Messages = append(c.rd.Messages, step.Outbound{To: m, Msg: p})
	}
	id := history.MsgID{Sender: c.self, Seq: c.seq}
	c.rd.Events = append(c.rd.Events, history.Event{Kind: history.Deliver, Msg: id, Payload: p})
	return id, nil
}

func (c *nullCore) Step(from history.ProcessID, p proto.Message) error {
	c.rd.Events = append(c.rd.Events, history.Event{Kind: history.Deliver, Msg: history.MsgID{Sender: from}, Payload: p})
	return nil
}

func (c *nullCore) Tick()             {}
func (c *nullCore) HasReady() bool    { return !c.rd.Empty() }
func (c *nullCore) Ready() step.Ready { return c.rd }
func (c *nullCore) Advance(step.Ready) {
	clear(c.rd.Events)
	c.rd.Messages, c.rd.Events = c.rd.Messages[:0], c.rd.Events[:0]
}
