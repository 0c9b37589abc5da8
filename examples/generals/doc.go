// Command generals runs the Byzantine generals algorithms of Lamport,
// Shostak and Pease ("The Byzantine Generals Problem", ACM TOPLAS 4(3),
// 1982): oral messages OM(m), signed messages SM(m), and interactive
// consistency over either, for chosen n, m and traitors, and shows why OM
// needs more than 3m generals.
//
//	go run ./examples/generals                       # OM(1), 4 generals, two-faced commander
//	go run ./examples/generals -n 4 -m 1 -alg om -traitors 3:two-faced -value ATTACK -seed 1
//	go run ./examples/generals -n 7 -m 2 -alg sm -ic -traitors 1:random,4:colluding
//	go run ./examples/generals -show-bound           # n = 3m: the three-generals scenarios
//
// Traitor strategies (-traitors index:name,...) are those of package byz:
// honest, silent, lie, two-faced (even-numbered generals hear ATTACK),
// two-faced-odd, path-dependent, random and colluding; -seed seeds their
// random choices.
//
// # What it prints
//
// For every round, who sent what to whom, grouped by sender and path:
// "g1 [g0/g1] ATTACK -> g2 g3" reads "g1 tells g2 and g3 that g0 said
// ATTACK" (in SM the path is the chain of signers), with the count of the
// round's messages beside what the formula gives when every general is
// loyal: (n-1)(n-2)...(n-r) for round r of OM, n-1 and then (n-1)(n-2) for
// SM, times n in interactive consistency. Then the decision table (each
// general's role, loyalty and decision, or vector), the messages loyal
// generals refused (forged SM chains), and the verdicts of
// history.CheckIC1 and history.CheckIC2 on the recorded Propose, Decide and
// Faulty events.
//
// # Drivers
//
// By default (-driver actors) every general is a protoactor actor of one
// local node, run by package agreement's council with a recorder; the
// history the checkers judge is the actors'. The actors' messages cannot
// be watched from outside, so the round trace is a replay of the very same
// cores (same ids, session, keys and traitor seeds) on the pure driver, and
// the program says so if the replay decided otherwise (only possible if a
// message missed its round on the actors). -driver pure steps the cores in
// one goroutine in waves, as package byztest does; the council refuses OM
// at or below n = 3m, so such runs use the pure driver too.
//
// # What to look for
//
// Within the bounds (OM: n > 3m; SM: n >= m+2) IC1 and IC2 hold whatever
// the traitors do, and a two-faced commander still leaves the loyal
// lieutenants agreeing. With -show-bound the program plays the paper's
// three generals with one traitor: (a) a loyal commander orders ATTACK and
// lieutenant g2 lies to g1, so g1 retreats and CheckIC2 reports the
// violation; (b) a two-faced commander, where g1 receives exactly what it
// received in (a), so no decision rule can satisfy both runs; and (c) run
// (a) under SM(1), where the lie needs the commander's signature, is
// refused as forged, and both conditions hold. Messages grow as n^(m+1) in
// OM: n = 7, m = 2 already sends 156 per instance.
package main
