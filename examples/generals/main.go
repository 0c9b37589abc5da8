package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

func main() {
	o := DefaultOptions()
	alg := flag.String("alg", "om", "algorithm: om (oral messages) or sm (signed messages)")
	traitors := flag.String("traitors", "0:two-faced", "traitors as index:strategy,... ("+strings.Join(strategyNames, ", ")+"), or none")
	values := flag.String("values", "", "interactive consistency: the generals' own values, comma-separated")
	driver := flag.String("driver", string(o.Driver), "actors (one protoactor actor per general) or pure (the cores stepped in one goroutine)")
	flag.IntVar(&o.N, "n", o.N, "number of generals")
	flag.IntVar(&o.M, "m", o.M, "number of traitors tolerated (the algorithm runs m+1 rounds)")
	flag.IntVar(&o.Commander, "commander", o.Commander, "index of the commander")
	flag.StringVar(&o.Value, "value", o.Value, "the commander's order")
	flag.BoolVar(&o.Interactive, "ic", false, "run interactive consistency: every general commands its own value")
	flag.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the traitors' random choices")
	flag.IntVar(&o.TraceLimit, "trace-limit", o.TraceLimit, "senders and paths printed per round")
	flag.BoolVar(&o.ShowBound, "show-bound", false, "show why OM needs n > 3m: the three-generals scenarios with n=3, m=1")
	flag.Parse()

	var err error
	if o.Algorithm, err = parseAlgorithm(*alg); err == nil {
		o.Traitors, err = parseTraitors(*traitors)
	}
	if *values != "" {
		o.Values = strings.Split(*values, ",")
	}
	o.Driver = Driver(*driver)
	if err == nil {
		_, err = run(os.Stdout, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "generals:", err)
		os.Exit(1)
	}
}

// Report is what a run of the demo found.
type Report struct {
	// Runs holds one entry per run: one normally, three with ShowBound.
	Runs []RunReport
}

// RunReport is one run's result and the checkers' verdicts.
type RunReport struct {
	Name     string
	Options  Options
	Driver   Driver
	outcome  outcome
	IC1, IC2 []history.Violation
}

// run runs the demo o describes and prints it to w.
func run(w io.Writer, o Options) (Report, error) {
	if o.ShowBound {
		return showBound(w, o)
	}
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	printHeader(w, o)
	r, err := runOne(w, o)
	return Report{Runs: []RunReport{r}}, err
}

// runOne runs o on its driver and prints the trace, the decision table
// and the checkers' verdicts.
func runOne(w io.Writer, o Options) (RunReport, error) {
	rep := RunReport{Options: o, Driver: o.Driver}
	if o.Driver == Actors && o.Algorithm == byz.OralMessages && o.N <= 3*o.M {
		fmt.Fprintf(w, "(the actor set refuses OM(%d) with only %d generals; running the pure driver)\n", o.M, o.N)
		o.Driver, rep.Driver = Pure, Pure
	}
	if o.Driver == Pure {
		res, err := runPure(o, byztest.IDs(o.N))
		if err != nil {
			return rep, err
		}
		fmt.Fprintln(w, "driver: pure (the byz cores stepped in one goroutine, messages delivered in waves)")
		fmt.Fprintln(w, "rounds (sender [path] value -> receivers):")
		printTrace(w, o, res, o.TraceLimit)
		return finish(w, o, rep, res)
	}

	res, err := runActors(o)
	if err != nil {
		return rep, err
	}
	// The actors' messages are not observable from outside, so the trace
	// replays the same cores (same ids, session, seeds) on the pure driver.
	replay, err := runPure(o, res.IDs)
	if err != nil {
		return rep, err
	}
	fmt.Fprintf(w, "driver: actors (one protoactor actor per general, rounds of %v), %d messages sent\n", roundDuration, res.Messages)
	fmt.Fprintln(w, "rounds, as the same cores send them replayed on the pure driver (sender [path] value -> receivers):")
	printTrace(w, o, replay, o.TraceLimit)
	if !maps.EqualFunc(res.Decisions, replay.Decisions, maps.Equal) || res.Messages != replay.Messages {
		fmt.Fprintln(w, "note: the replay differs from the actors' run (a message missed its round on the actors)")
	}
	return finish(w, o, rep, res)
}

func finish(w io.Writer, o Options, rep RunReport, res outcome) (RunReport, error) {
	rep.outcome = res
	fmt.Fprintln(w, "decisions:")
	if err := printDecisions(w, o, res); err != nil {
		return rep, err
	}
	printRejected(w, res)
	rep.IC1, rep.IC2 = printChecks(w, o, res)
	return rep, nil
}

// errNoBoundViolation: the bound demonstration found no violation, which
// would contradict LSP82's theorem; it means a broken core or checker.
var errNoBoundViolation = errors.New("generals: OM(1) among three generals broke neither IC1 nor IC2 in the classic scenarios")

// showBound plays LSP82's three generals: (a) a loyal commander orders
// ATTACK and the traitorous lieutenant g2 tells g1 it heard RETREAT; (b)
// the commander is the traitor, telling g1 ATTACK and g2 RETREAT, and g2
// loyally passes that on. g1 receives exactly the same messages in both,
// so it decides the same in both; whatever it decides, one of the runs
// breaks IC1 or IC2. Then (c) replays (a) under SM(1), where g2 cannot
// forge the commander's signature.
func showBound(w io.Writer, base Options) (Report, error) {
	mk := func(alg byz.Algorithm, traitor int, s string) Options {
		o := base
		o.N, o.M, o.Algorithm, o.Interactive, o.Commander, o.Value = 3, 1, alg, false, 0, byz.Attack
		o.Driver, o.Traitors = Pure, map[int]string{traitor: s}
		return o
	}
	scenarios := []struct {
		name string
		o    Options
	}{
		{"(a) loyal commander, traitor g2 says the commander said RETREAT", mk(byz.OralMessages, 2, "lie")},
		{"(b) traitorous commander tells g1 ATTACK and g2 RETREAT", mk(byz.OralMessages, 0, "two-faced-odd")},
		{"(c) scenario (a) under SM(1): g2 would need the commander's signature", mk(byz.SignedMessages, 2, "lie")},
	}
	var rep Report
	fmt.Fprintln(w, "Why OM(m) needs n > 3m (LSP82 section 3): three generals, one traitor.")
	for _, sc := range scenarios {
		fmt.Fprintf(w, "\n%s\n", sc.name)
		printHeader(w, sc.o)
		r, err := runBoundScenario(w, sc.o)
		if err != nil {
			return rep, err
		}
		r.Name = sc.name
		rep.Runs = append(rep.Runs, r)
	}
	a, b := rep.Runs[0].outcome, rep.Runs[1].outcome
	same := strings.Join(a.received("g1"), " ") == strings.Join(b.received("g1"), " ")
	fmt.Fprintf(w, "\ng1 received in (a): %v\ng1 received in (b): %v\n", a.received("g1"), b.received("g1"))
	if same {
		fmt.Fprintln(w, "The same messages: g1 cannot tell (a) from (b), so it decides the same in both.")
	}
	fmt.Fprintln(w, "If g1 retreats, (a) breaks IC2. If it attacked instead, (b) would break IC1: g2 in (b) sees\n"+
		"what a loyal lieutenant sees when a loyal commander orders RETREAT and the other lieutenant\n"+
		"lies, so IC2 makes it retreat. No rule escapes both: with n = 3m the checkers must find a\n"+
		"violation. Signatures change that: in (c) the lie carries a forged signature, g1 drops it and obeys.")
	if len(rep.Runs[0].IC1)+len(rep.Runs[0].IC2)+len(rep.Runs[1].IC1)+len(rep.Runs[1].IC2) == 0 {
		return rep, errNoBoundViolation
	}
	return rep, nil
}

// runBoundScenario runs one three-generals scenario on the pure driver
// (the actor set refuses OM below its bound).
func runBoundScenario(w io.Writer, o Options) (RunReport, error) {
	rep := RunReport{Options: o, Driver: Pure}
	res, err := runPure(o, byztest.IDs(o.N))
	if err != nil {
		return rep, err
	}
	printTrace(w, o, res, o.TraceLimit)
	return finish(w, o, rep, res)
}
