// Package agreement runs Byzantine agreement on protoactor actors: the
// generals actor set of Lamport, Shostak and Pease, "The Byzantine
// Generals Problem" (ACM TOPLAS 4(3), 1982), built on the pure cores of
// package byz (OM(m), SM(m) and interactive consistency).
package agreement
