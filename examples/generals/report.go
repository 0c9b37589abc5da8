package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
)

// short drops the node address of an actor's process id: "nonhost/g1" is g1.
func short(id history.ProcessID) string {
	s := string(id)
	return s[strings.LastIndexByte(s, '/')+1:]
}

func pathString(p []history.ProcessID) string {
	parts := make([]string, len(p))
	for i, id := range p {
		parts[i] = short(id)
	}
	return strings.Join(parts, "/")
}

// formula is the number of messages round r sends when every general is
// loyal: OM's (n-1)(n-2)...(n-r) per instance; SM's n-1 in round 1 and
// (n-1)(n-2) in round 2, as every lieutenant relays its one value once.
func formula(o Options, r int) int {
	per := 0
	switch {
	case o.Algorithm == byz.OralMessages:
		per = byz.OMRoundMessages(o.N, r)
	case r == 1:
		per = o.N - 1
	case r == 2:
		per = (o.N - 1) * (o.N - 2)
	}
	if o.Interactive {
		per *= o.N
	}
	return per
}

// printHeader says what is about to run.
func printHeader(w io.Writer, o Options) {
	var traitors []string
	for _, i := range slices.Sorted(maps.Keys(o.Traitors)) {
		traitors = append(traitors, fmt.Sprintf("g%d (%s)", i, o.Traitors[i]))
	}
	if len(traitors) == 0 {
		traitors = []string{"none"}
	}
	what := fmt.Sprintf("commander g%d orders %s", o.Commander, o.Value)
	if o.Interactive {
		vs := make([]string, o.N)
		for i := range vs {
			vs[i] = o.value(i)
		}
		what = "interactive consistency, own values [" + strings.Join(vs, " ") + "]"
	}
	fmt.Fprintf(w, "%v(%d) among %d generals g0..g%d, %s; traitors: %s; seed %d\n",
		o.Algorithm, o.M, o.N, o.N-1, what, strings.Join(traitors, ", "), o.Seed)
}

// printTrace prints, round by round, who sent what to whom, grouped by
// sender and path: "g1 [g0/g1] ATTACK -> g2 g3" reads "g1 tells g2 and g3
// that g0 said ATTACK"; mixed values are listed per receiver.
func printTrace(w io.Writer, o Options, res outcome, limit int) {
	rounds := o.M + 1
	for r := 1; r <= rounds; r++ {
		var msgs []sentMsg
		for _, s := range res.Sent {
			if len(s.Path) == r {
				msgs = append(msgs, s)
			}
		}
		fmt.Fprintf(w, "  round %d: %d messages (all loyal: %d)\n", r, len(msgs), formula(o, r))
		type group struct {
			key    string
			from   history.ProcessID
			path   []history.ProcessID
			to     []string
			values []string
		}
		var groups []*group
		byKey := map[string]*group{}
		for _, s := range msgs {
			k := string(s.From) + " " + pathString(s.Path)
			g := byKey[k]
			if g == nil {
				g = &group{key: k, from: s.From, path: s.Path}
				byKey[k] = g
				groups = append(groups, g)
			}
			g.to, g.values = append(g.to, short(s.To)), append(g.values, s.Value)
		}
		for i, g := range groups {
			if i == limit {
				fmt.Fprintf(w, "    ... %d more senders and paths\n", len(groups)-limit)
				break
			}
			mark := ""
			if res.Traitor[slices.Index(res.IDs, g.from)] {
				mark = "  (traitor)"
			}
			var body string
			if vs := slices.Compact(slices.Clone(g.values)); len(vs) == 1 {
				body = vs[0] + " -> " + strings.Join(g.to, " ")
			} else {
				parts := make([]string, len(g.to))
				for j := range g.to {
					parts[j] = g.to[j] + ":" + g.values[j]
				}
				body = strings.Join(parts, " ")
			}
			fmt.Fprintf(w, "    %-4s [%s] %s%s\n", short(g.from), pathString(g.path), body, mark)
		}
	}
}

// printDecisions prints each general's role, loyalty and decision (its
// vector in interactive consistency).
func printDecisions(w io.Writer, o Options, res outcome) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  general\trole\tloyalty\tdecision")
	for i, id := range res.IDs {
		role := "lieutenant"
		switch {
		case o.Interactive:
			role = "general"
		case i == o.Commander:
			role = "commander"
		}
		loyal, decision := "loyal", "-"
		if res.Traitor[i] {
			loyal = "TRAITOR"
		}
		if d, ok := res.Decisions[id]; ok {
			if o.Interactive {
				vec := make([]string, len(res.IDs))
				for j, c := range res.IDs {
					vec[j] = d[c]
				}
				decision = "[" + strings.Join(vec, " ") + "]"
			} else if i == o.Commander {
				decision = "(orders " + d[res.IDs[o.Commander]] + ")"
			} else {
				decision = d[res.IDs[o.Commander]]
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", short(id), role, loyal, decision)
	}
	return tw.Flush()
}

// printChecks runs the checkers on the history and prints their verdicts.
func printChecks(w io.Writer, o Options, res outcome) (ic1, ic2 []history.Violation) {
	ic1, ic2 = history.CheckIC1(res.History), history.CheckIC2(res.History)
	verdict := func(name, what string, vs []history.Violation) {
		if len(vs) == 0 {
			fmt.Fprintf(w, "%s (%s): held\n", name, what)
			return
		}
		fmt.Fprintf(w, "%s (%s): VIOLATED\n", name, what)
		for _, v := range vs {
			fmt.Fprintf(w, "    %s\n", v.Detail)
		}
	}
	if o.Interactive {
		verdict("IC1", "all loyal generals decide the same vector", ic1)
	} else {
		verdict("IC1", "all loyal lieutenants obey the same order", ic1)
	}
	what := "if the commander is loyal, loyal lieutenants obey its order"
	switch {
	case o.Interactive:
		what = "in every loyal vector, a loyal general's entry is its own value"
	case res.Traitor[o.Commander]:
		what += "; vacuous here, the commander is a traitor"
	}
	verdict("IC2", what, ic2)
	return ic1, ic2
}

// printRejected lists what loyal generals refused (forged SM chains, ...).
func printRejected(w io.Writer, res outcome) {
	var parts []string
	for e, n := range res.Rejected {
		parts = append(parts, fmt.Sprintf("%d x %v", n, e))
	}
	if len(parts) == 0 {
		return
	}
	slices.Sort(parts)
	fmt.Fprintf(w, "refused by loyal generals: %s\n", strings.Join(parts, "; "))
}
