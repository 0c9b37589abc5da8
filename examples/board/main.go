package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

func main() {
	o := DefaultOptions()
	members := flag.String("members", joinIDs(o.Members), "members, comma-separated, in rank order")
	slow := flag.String("slow", "alice->carol:15", "slowed links as from->to:ticks,... (none for no slow link)")
	flag.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the shown run and first seed of the sweep")
	flag.Int64Var(&o.MinDelay, "min-delay", o.MinDelay, "smallest network delay, in ticks")
	flag.Int64Var(&o.MaxDelay, "max-delay", o.MaxDelay, "largest network delay, in ticks")
	flag.IntVar(&o.Extra, "extra", o.Extra, "questions each member posts besides the opening one")
	flag.IntVar(&o.Sweep, "sweep", o.Sweep, "seeds to run per class for the summary (0: none)")
	flag.Parse()
	o.Members = splitIDs(*members)
	var err error
	if o.Slow, err = parseSlow(*slow); err == nil {
		_, err = run(os.Stdout, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "board:", err)
		os.Exit(1)
	}
}

// Report is what run found.
type Report struct {
	// Shown holds the run of o.Seed in each class: FIFO, then causal.
	Shown []Result
	// Sweeps holds the summary over o.Sweep seeds, per class.
	Sweeps []Sweep
}

// classes are the two classes the board compares.
var classes = []layer.Class{layer.FIFO, layer.Causal}

// run shows one seed's boards in each class, then the sweep's summary.
func run(w io.Writer, o Options) (Report, error) {
	var rep Report
	if err := o.Validate(); err != nil {
		return rep, err
	}
	var links []string
	for l, d := range o.Slow {
		links = append(links, fmt.Sprintf("%v +%d", l, d))
	}
	slices.Sort(links)
	if len(links) == 0 {
		links = []string{"none"}
	}
	fmt.Fprintf(w, "bulletin board: %s; each question is answered by the next member once it has read it.\n"+
		"Deterministic simulator, FIFO links with delays of %d..%d ticks, slowed links: %s.\n",
		strings.Join(idsOf(o.Members), ", "), o.MinDelay, o.MaxDelay, strings.Join(links, ", "))
	for _, c := range classes {
		r, err := runBoard(o, c, o.Seed)
		if err != nil {
			return rep, fmt.Errorf("%v seed %d: %w", c, o.Seed, err)
		}
		rep.Shown = append(rep.Shown, r)
		printRun(w, r)
	}
	if o.Sweep == 0 {
		return rep, nil
	}
	fmt.Fprintf(w, "\nover seeds %d..%d:\n", o.Seed, o.Seed+uint64(o.Sweep)-1)
	for _, c := range classes {
		sw, err := sweep(o, c)
		if err != nil {
			return rep, err
		}
		rep.Sweeps = append(rep.Sweeps, sw)
		first := ""
		if len(sw.EarlySeeds) > 0 {
			first = fmt.Sprintf(" (first: seed %d)", sw.EarlySeeds[0])
		}
		fmt.Fprintf(w, "  %-6v a reply shown before its question in %d of %d runs%s; CheckCausal flagged %d, CheckFIFO %d\n",
			c, len(sw.EarlySeeds), sw.Runs, first, len(sw.FlaggedSeeds), sw.FIFOFlagged)
	}
	return rep, nil
}

// printRun prints each member's board and the verdicts of one run.
func printRun(w io.Writer, r Result) {
	fmt.Fprintf(w, "\n== %v ordering, seed %d ==\n", r.Class, r.Seed)
	for _, m := range r.Members {
		fmt.Fprintf(w, "  %s's board:\n", m.id)
		for _, l := range m.board {
			text := l.Text
			if l.Re != "" {
				text = fmt.Sprintf("%s  (reply to %s)", l.Text, l.Re)
			}
			mark := ""
			if l.Early {
				mark = "   <-- REPLY BEFORE ITS QUESTION"
			}
			fmt.Fprintf(w, "    t=%-3d %-6s %s%s\n", l.Tick, l.ID.Sender, text, mark)
		}
	}
	if r.Early == 0 {
		fmt.Fprintf(w, "  no member displayed a reply before its question.\n")
	} else {
		var who []string
		for _, m := range r.Members {
			if k := m.early(); k > 0 {
				who = append(who, fmt.Sprintf("%s (%d)", m.id, k))
			}
		}
		fmt.Fprintf(w, "  replies displayed before their question: %s.\n", strings.Join(who, ", "))
	}
	verdict := func(name string, vs []history.Violation) {
		if len(vs) == 0 {
			fmt.Fprintf(w, "  %s: passes\n", name)
			return
		}
		fmt.Fprintf(w, "  %s: %d violations, e.g. %s\n", name, len(vs), vs[0].Detail)
	}
	verdict("history.CheckFIFO", r.FIFO)
	verdict("history.CheckCausal", r.Causal)
}

func idsOf(ids []history.ProcessID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func joinIDs(ids []history.ProcessID) string { return strings.Join(idsOf(ids), ",") }

func splitIDs(s string) []history.ProcessID {
	var out []history.ProcessID
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, history.ProcessID(p))
		}
	}
	return out
}

// parseSlow reads "alice->carol:15,bob->dave:5".
func parseSlow(s string) (map[Link]int64, error) {
	out := map[Link]int64{}
	if s == "" || s == "none" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		link, ticks, ok := strings.Cut(strings.TrimSpace(part), ":")
		from, to, ok2 := strings.Cut(link, "->")
		d, err := strconv.ParseInt(ticks, 10, 64)
		if !ok || !ok2 || err != nil {
			return nil, fmt.Errorf("-slow %q: want from->to:ticks", part)
		}
		out[Link{history.ProcessID(from), history.ProcessID(to)}] = d
	}
	return out, nil
}
