// Command board is a bulletin board on which a reply must never appear
// before the message it replies to, run first with FIFO and then with
// causal ordering, to show the difference the ordering class makes.
//
//	go run ./examples/board                          # seed 1, alice->carol slowed by 15 ticks
//	go run ./examples/board -seed 7 -slow none -extra 3
//	go run ./examples/board -slow alice->carol:15,bob->dave:6 -sweep 1000
//
// # What it does
//
// Members (alice, bob, carol and dave by default) multicast posts to the
// group in one ordering class. alice opens with a question at tick 1, and
// every member asks -extra more at random ticks. Each question is
// answered by the member after its author, and only once that member has
// displayed the question: a reply is a message its author sent after
// delivering the question, so the question causally precedes it. Every
// member displays each post the moment its stack delivers it.
//
// Delays are injected on chosen links (-slow from->to:ticks): the sender's
// messages on that link are held back that many ticks, in order, on top of
// the network's random delay (-min-delay..-max-delay). Links stay FIFO. So
// alice's question reaches bob quickly and carol late, while bob's reply
// reaches carol quickly: the reply can overtake its question.
//
// It runs on the deterministic simulator (package sim) driving the pure
// ordering cores of package layer, with no protoactor actors: every run is
// a function of its seed and replays exactly. Each member is a small
// step.Machine around a layer.Member that displays deliveries, posts the
// replies and delays the slow links' messages.
//
// # What it prints
//
// For -seed, in each class, every member's board (tick, author, post;
// replies name the message they answer), with any reply displayed before
// its question marked, and the verdicts of history.CheckFIFO and
// history.CheckCausal on the run's history. Then, over -sweep seeds (200 by
// default), how many runs of each class displayed a reply early and how
// many the checkers flagged.
//
// # What to look for
//
// FIFO ordering keeps each sender's posts in order, so CheckFIFO passes,
// but it does not order bob's reply after alice's question: carol shows the
// reply first, and CheckCausal reports the inversion. Causal ordering
// (vector timestamps, the CBCAST rule of Birman, Schiper and Stephenson,
// TOCS 9(3), 1991) holds the reply back at carol until the question has
// been displayed: no early reply and no CheckCausal violation in any seed,
// at the price of carol waiting for the slow link. Without a slow link
// (-slow none) FIFO still shows replies early in some seeds, by the luck of
// the delays.
package main
