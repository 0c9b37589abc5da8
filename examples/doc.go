// Package examples holds runnable programs that show Lockstep at work; each
// lives in its own directory as a main package and has a test:
//
//   - faults: a few actors on one Node under each failure model in turn,
//     printing what each model did to their messages.
//
// Nothing imports these programs: they are read and run, not linked.
package examples
