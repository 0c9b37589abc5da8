// Package history records what the processes of a Lockstep run did, and
// judges it against the properties the library promises.
//
// A full description of the history model and of each checker follows in
// this file's later revision; each checker's comment states exactly what it
// checks.
package history
