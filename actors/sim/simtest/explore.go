package simtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
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

// ReplayCommand returns the go test command line, to run from the module's
// root, that runs only test (a name as testing.T.Name returns it, subtests
// included) for seed. The package comes before the flags: go test takes
// flags it does not know after the package list only.
func ReplayCommand(test string, seed uint64) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + p + "$"
	}
	return fmt.Sprintf("go test %s -run '%s' -sim.seed=%d", packageArg(), strings.Join(parts, "/"), seed)
}

// packageArg names the package under test relative to the module root, as
// "./dir/". go test runs a test binary in its package's directory, so that
// is the working directory; "." when the module root cannot be found.
func packageArg() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for root := dir; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			rel, err := filepath.Rel(root, dir)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel) + "/"
		}
		if filepath.Dir(root) == root {
			return "."
		}
	}
}

// Seed returns the seed given with -sim.seed, or def when there is none, for
// tests that run a single simulation.
func Seed(def uint64) uint64 {
	if *seedFlag != 0 {
		return *seedFlag
	}
	return def
}
