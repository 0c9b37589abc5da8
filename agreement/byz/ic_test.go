package byz_test

import "github.com/lockstep-actors/lockstep/actors/history"

// icViolations judges a history with the foundation's checkers, IC1 and
// IC2 [Lamport, Shostak and Pease 1982]: a process is loyal unless the
// history marks it Faulty (TraitorGeneral does) or crashed.
func icViolations(h history.History) []string {
	var out []string
	for _, v := range history.CheckAll(h, history.CheckIC1, history.CheckIC2) {
		out = append(out, v.Property+": "+v.Detail)
	}
	return out
}
