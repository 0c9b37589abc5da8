// Package byztest runs the Byzantine agreement cores of package byz in a
// deterministic, synchronous harness: n generals in one goroutine, messages
// delivered in waves (each wave is everything sent since the previous one),
// ticks given only when no message is in flight. A run is a pure function
// of its Setup, seed included, so any failing run replays exactly.
//
// Build creates the same generals (loyal ones and TraitorGeneral wrappers
// with their seeded strategies) for any other driver, such as the
// simulator or actors. Examples, tests and benchmarks share the package; it
// does not import testing.
package byztest
