// Package byz holds the pure protocol cores of Byzantine agreement: the
// oral-messages algorithm OM(m) and the signed-messages algorithm SM(m) of
// Lamport, Shostak and Pease, "The Byzantine Generals Problem" (ACM TOPLAS
// 4(3), 1982; LSP82 below), and interactive consistency, in which every
// process commands its own value, as in Pease, Shostak and Lamport,
// "Reaching Agreement in the Presence of Faults" (JACM 27(2), 1980).
//
// A commander sends an order to n-1 lieutenants, up to m generals are
// traitors, and the loyal ones must satisfy
//
//	IC1: all loyal lieutenants obey the same order;
//	IC2: if the commander is loyal, every loyal lieutenant obeys its order.
//
// In interactive consistency the n instances run side by side, so every
// loyal general ends with the same vector, whose entry for each loyal
// general is that general's value.
//
// # Usage
//
// Each general is a *General, a step.Machine built by NewOM, NewSM,
// NewInteractiveOM or NewInteractiveSM from a Config, and driven like every
// Lockstep core: Step for each arriving message, Tick for time, Ready and
// Advance for the output. A commander queues its round-1 messages and a
// Propose event when it is built. A lieutenant emits a history.Event of
// kind Decide (Process: itself, Peer: the commander, Value: the order) when
// its last round closes. In interactive consistency a general also emits
// the Decide of its own vector entry; the commander of a single instance
// does not, since IC1 and IC2 speak of lieutenants. Decision, Decisions and
// Done give the same answers directly. Package byztest runs a group of
// generals synchronously; the actor set drives the same machines over
// protoactor.
//
// # OM(m) as an EIG tree
//
// The recursion of LSP82 (the commander sends v; each lieutenant i acts as
// commander of OM(m-1) for the value it received; i takes the majority of
// its own value and the values the sub-instances gave it) is unrolled into
// an exponential information gathering tree. A node is a path of distinct
// generals starting at the commander; the value of path c,j1,...,jk at
// lieutenant i is "jk told i that j(k-1) told jk ... that c said v". Round
// r carries the paths of length r: the commander sends path [c] in round 1,
// and when round r closes, i sends path p+i to every general not on p+i,
// for every path p of length r not containing i. After round m+1,
// i resolves the tree bottom up: a leaf is worth the value heard, an inner
// node p the majority of the value heard for p and the resolved values of
// its children p+j (j not on p, j != i). Majority is strict; with no strict
// majority (a tie, or three or more values) it is RETREAT, and so is every
// value that did not arrive. Values are arbitrary non-empty strings, so
// RETREAT is only the default, not the only alternative to ATTACK.
//
// # Rounds and ticks
//
// LSP82's assumption A3, that the absence of a message can be detected, is
// realised with rounds closed by the clock: round r closes at the latest
// when the general has seen r*RoundTicks ticks since it was built (an
// absolute deadline, so loyal generals stay aligned however early each
// closed its previous rounds), and a missing message then counts as
// RETREAT. In OM a round also closes as soon as all of its expected
// messages have arrived (P(n-2, r-1) of them), which only makes the
// following messages earlier; without faults OM needs no tick at all. In
// SM how many messages a round brings depends on the traitors, so its
// rounds close by the clock alone. Messages of rounds not yet open are
// kept; messages of closed rounds are rejected with ErrLate and count as
// missing. The driver must therefore start the generals within a few ticks
// of each other and choose RoundTicks larger than the longest delivery
// delay between loyal generals, in ticks, plus that start skew.
//
// # Known sender
//
// Assumption A2 says the receiver knows who sent a message. The core takes
// the sender from the from argument of Step and trusts it, so a driver must
// take it from the authenticated transport peer (the connection the
// message arrived on, mapped to a general), never from the sender carried
// in the message: protoactor's envelope sender PID is set by whoever sends
// and can name anyone. In OM the last general on a path must be from, or
// the message is rejected with ErrSenderMismatch; without that check one
// traitor could speak for every general. In SM the signature is the
// identity: every link of a chain is verified against the signer's public
// key, so from is only required to be a general, and a message relayed on
// someone else's behalf says nothing its signatures do not already prove.
//
// # Signatures (SM)
//
// Each link of a chain is an ed25519 signature (crypto/ed25519) by its
// signer over a length-prefixed encoding of a domain string, the session,
// the commander, the value, the signer and every earlier link, so a
// signature cannot be moved to another session, instance, value, position
// or chain. A receiver accepts a chain only if it is 1..m+1 links long,
// starts with the commander, names each signer once, does not name the
// receiver, every signer is a general and every signature verifies
// (ErrBadChain, ErrDuplicateSigner, ErrUnknownSigner, ErrForged otherwise).
// Verified links are cached per instance, since every relay repeats the
// links before it. Traitors that share keys (a coalition) can sign
// whatever their own keys allow; TraitorGeneral does so, and sends forged
// chains, which loyal generals reject, when a lie would need a loyal
// general's signature.
//
// # The choice function
//
// A lieutenant i keeps the set V_i of values received with a valid chain;
// on the first receipt of a value, if the chain has at most m links, it
// appends its own signature and relays the value to every general not in
// the chain. After round m+1 it obeys choice(V_i): the single element of
// V_i, and RETREAT if V_i is empty or holds two or more values. LSP82
// leaves the rule for several values open as long as it is deterministic;
// this one needs no order on values, and it lets a lieutenant keep and
// relay only its first two values: once a loyal general holds two, every
// loyal general receives two in time and all obey RETREAT, while a value
// first received with m+1 links carries the signature of some loyal
// general, who relayed it to everyone. A traitor signing many values thus
// costs loyal generals at most two relays each.
//
// # Costs
//
// OM(m): m+1 rounds and (n-1) + (n-1)(n-2) + ... + (n-1)(n-2)...(n-m-1)
// messages per instance (OMMessageCount), O(n^(m+1)), with an EIG tree of
// the same order at each lieutenant; it is correct when n > 3m, and not
// otherwise (LSP82 Theorem 1 and §3's three generals), which the tests
// show. SM(m): m+1 rounds; with a loyal commander (n-1)^2 messages
// (SMMessageCount), one signature per relay and at most m+1 verifications
// per message received; it is correct for any n >= m+2 (LSP82 Theorem 2).
// Interactive consistency costs n instances. Config.Validate requires only
// M <= n-2, so that the bounds can be demonstrated.
//
// # Traitors
//
// A TraitorGeneral runs a loyal General and lets a Traitor strategy rewrite
// each outbound message (value, or omission), given the receiver, the path
// or chain, the round and a seeded *rand.Rand. Strategies: Honest, Silent,
// AlwaysLie, TwoFaced, PathDependent, Random, Colluding and Scripted, whose
// script over OMSlots makes the exhaustive adversary of the tests. A
// TraitorGeneral emits a history.Faulty event, so the checkers exclude it.
package byz
