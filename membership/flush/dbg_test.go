package flush

import (
	"testing"

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
