package flush

import (
	"flag"
	"testing"

	"github.com/lockstep-actors/lockstep/ordering/layer"

	"github.com/lockstep-actors/lockstep/actors/history"
)

func summarize(t *testing.T, h history.History) {
	k := map[history.Kind]int{}
	for _, e := range h {
		k[e.Kind]++
		if e.Kind != history.Deliver && e.Kind != history.Multicast {
			t.Log(e.String(), e.Value)
		}
	}
	t.Log(k)
}

var dbgStable = flag.Bool("dbgstable", false, "")

func TestDebugSeed(t *testing.T) {
	if *seedFlag == 0 {
		t.Skip()
	}
	st := &scheduleStats{}
	class, _ := layer.ParseClass(*classFlag)
	h, blocked, err := runSchedule(*seedFlag, class, func(c *Config) { c.StableDelivery = *dbgStable }, st)
	if err != nil {
		t.Fatal(err)
	}
	summarize(t, h)
	t.Log(check(h, class, blocked))
}
