package simtest

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

var (
	seedFlag  = flag.Uint64("sim.seed", 0, "run simulation properties for this seed only (replay a failure)")
	seedsFlag = flag.Int("sim.seeds", 0, "number of seeds simtest.Explore tries (0: each test's own count)")
)

// Explore checks property for seeds 1, 2, ..., count (or only the seed given
// with -sim.seed, or -sim.seeds many) and fails t at the first seed whose
// property returns an error, printing the seed and the command that replays
// it. A property must be a deterministic function of its seed: build the
// simulator with Config.Seed = seed and draw any workload randomness from
// Sim.Rand.
func Explore(t testing.TB, count int, property func(seed uint64) error) {
	t.Helper()
	if *seedFlag != 0 {
		if err := property(*seedFlag); err != nil {
			t.Fatalf("seed %d: %v", *seedFlag, err)
		}
		return
	}
	if *seedsFlag > 0 {
		count = *seedsFlag
	}
	for seed := uint64(1); seed <= uint64(count); seed++ {
		if err := property(seed); err != nil {
			t.Fatalf("seed %d of %d failed: %v\nreplay: %s", seed, count, err, ReplayCommand(t.Name(), seed))
			return
		}
	}
}

// ReplayCommand returns the go test command line that runs only test (a
// name as testing.T.Name returns it, subtests included) for seed.
func ReplayCommand(test string, seed uint64) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + p + "$"
	}
	return fmt.Sprintf("go test -run '%s' -sim.seed=%d", strings.Join(parts, "/"), seed)
}

// Seed returns the seed given with -sim.seed, or def when there is none, for
// tests that run a single simulation.
func Seed(def uint64) uint64 {
	if *seedFlag != 0 {
		return *seedFlag
	}
	return def
}
