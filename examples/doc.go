// Package examples holds runnable programs that show Lockstep at work; each
// lives in its own directory as a main package and has a test:
//
//   - kvstore (the README's demo): a replicated key-value store, five
//     replicas in one process by default or one per OS process with
//     -listen/-join, writes and reads in an atomic class, surviving the
//     crash of a replica and of the sequencer and growing by state
//     transfer; checked for linearizability in its tests.
//   - faults: a few actors on one Node under each failure model in turn,
//     printing what each model did to their messages.
//   - generals: the Byzantine generals, OM(m), SM(m) and interactive
//     consistency with chosen traitors, round by round, with the IC1/IC2
//     verdicts and the n = 3m failure (-show-bound).
//   - board: a bulletin board under FIFO and then causal ordering, with
//     delays that let a reply overtake its question.
//
// Nothing imports these programs: they are read and run, not linked.
package examples
