package ordering

import (
	"testing"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// A carrier holds one run of consecutive sequence numbers; fanout cuts the
// list wherever a number is skipped or repeated.
func TestConsecutiveRuns(t *testing.T) {
	seqs := func(ss ...uint64) []layer.Fanout {
		fs := make([]layer.Fanout, len(ss))
		for i, s := range ss {
			fs[i].Seq = s
		}
		return fs
	}
	for _, c := range []struct {
		fs   []layer.Fanout
		want int
	}{
		{seqs(7), 1},
		{seqs(7, 8, 9), 3},
		{seqs(7, 8, 10, 11), 2},
		{seqs(7, 7, 8), 1},
		{seqs(9, 8), 1},
	} {
		if got := consecutive(c.fs); got != c.want {
			t.Errorf("consecutive(%v) = %d, want %d", c.fs, got, c.want)
		}
	}
}
