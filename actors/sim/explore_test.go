package sim_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/sim"
	"github.com/lockstep-actors/lockstep/actors/sim/simtest"
)

// floodSchedule runs a random Flood workload for seed: 5 processes, 30
// multicasts, up to two crashes (scheduled, or by the faults.Crash model
// after a random number of messages, so possibly half way through a
// multicast), duplication and reordering, and loss as given. It returns the
// history after quiescence.
func floodSchedule(seed uint64, loss float64) (history.History, error) {
	cfg := sim.DefaultConfig()
	cfg.Seed = seed
	cfg.Net = sim.NetConfig{Loss: loss, Duplicate: 0.05, MinDelay: 1, MaxDelay: 12, Reorder: true}
	s, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	ids := names(5)
	cores := make([]*simtest.Flood, len(ids))
	for i, id := range ids {
		cores[i] = simtest.NewFlood(id, ids)
		if err := s.Add(cores[i]); err != nil {
			return nil, err
		}
	}
	rng := s.Rand()
	for range 30 {
		c := cores[rng.IntN(len(cores))]
		s.Do(rng.Int64N(200), func(*sim.Sim) error { c.Multicast([]byte("x")); return nil })
	}
	for range rng.IntN(3) {
		victim := ids[rng.IntN(len(ids))]
		if rng.IntN(2) == 0 {
			s.Do(rng.Int64N(200), func(s *sim.Sim) error { return s.Crash(victim) })
			continue
		}
		spec := faults.Spec{Model: faults.Crash, Start: faults.Trigger{AfterMessages: rng.IntN(60)}}
		if err := s.Inject(victim, spec); err != nil {
			return nil, err
		}
	}
	if err := s.Run(); err != nil {
		return nil, err
	}
	return s.History(), nil
}

// floodCorrect checks what diffusion promises over reliable links.
func floodCorrect(seed uint64, loss float64) error {
	h, err := floodSchedule(seed, loss)
	if err != nil {
		return err
	}
	v := history.CheckAll(h, history.CheckIntegrity, history.CheckValidity,
		history.CheckAgreement, history.CheckUniformAgreement)
	if len(v) > 0 {
		return fmt.Errorf("%d violations, first: %v", len(v), v[0])
	}
	return nil
}

func TestFloodUniformAgreementUnderCrashes(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	simtest.Explore(t, n, func(seed uint64) error { return floodCorrect(seed, 0) })
}

// fakeTB captures what Explore reports instead of failing the test.
type fakeTB struct {
	testing.TB
	failures []string
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return "TestFlood/lossy" }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

func TestFailingSeedIsPrintedAndReplays(t *testing.T) {
	if simtest.Seed(0) != 0 {
		t.Skip("-sim.seed given: this test scans seeds itself")
	}
	// With 20% loss and no retransmission, diffusion loses agreement on
	// some seed: Explore must stop there and name it.
	var tb fakeTB
	simtest.Explore(&tb, 100, func(seed uint64) error { return floodCorrect(seed, 0.2) })
	if len(tb.failures) != 1 {
		t.Fatalf("Explore reported %d failures, want exactly 1: %q", len(tb.failures), tb.failures)
	}
	msg := tb.failures[0]
	m := regexp.MustCompile(`^seed (\d+) of 100 failed: `).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("failure message does not start with the seed: %q", msg)
	}
	seed, _ := strconv.ParseUint(m[1], 10, 64)
	want := fmt.Sprintf("replay: go test ./actors/sim/ -run '^TestFlood$/^lossy$' -sim.seed=%d", seed)
	if !strings.Contains(msg, want) {
		t.Fatalf("failure message %q lacks %q", msg, want)
	}
	// Replaying the seed fails the same way, with the same history.
	first := floodCorrect(seed, 0.2)
	again := floodCorrect(seed, 0.2)
	if first == nil || again == nil || first.Error() != again.Error() || !strings.Contains(msg, first.Error()) {
		t.Fatalf("replay of seed %d: %v / %v; reported: %q", seed, first, again, msg)
	}
	h1, err1 := floodSchedule(seed, 0.2)
	h2, err2 := floodSchedule(seed, 0.2)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, h1), encode(t, h2)) {
		t.Fatalf("seed %d replays a different history", seed)
	}
	// The seeds before it pass.
	for s := uint64(1); s < seed; s++ {
		if err := floodCorrect(s, 0.2); err != nil {
			t.Fatalf("seed %d fails but Explore reported %d first", s, seed)
		}
	}
}

func TestReplayCommand(t *testing.T) {
	if got := simtest.ReplayCommand("TestA", 5); got != "go test ./actors/sim/ -run '^TestA$' -sim.seed=5" {
		t.Fatalf("ReplayCommand = %q", got)
	}
}
