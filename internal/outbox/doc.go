// Package outbox batches what one member sends during one mailbox
// invocation.
//
// A member's drivers (package ordering's decorator and package membership's
// view manager) step their pure cores many times per invocation: a burst of
// arrivals, then a burst of deliveries, each of which may multicast again.
// Sending every outbound message as its own protoactor message costs a
// mailbox post (a lock and, often, a goroutine wake-up) on the receiver per
// message, and across processes also protoactor remote's per-message
// envelope and type lookup. The outbox instead gathers the messages per
// (destination, sender) and, when the invocation ends, sends each group as
// one message: a *Local holding the very values that would have been
// posted one by one (in-process), or a *wire.Batch of marshalled messages
// (to another process). The receiving driver unpacks either and steps each
// message in the order it was sent. This is the "bundling" of group
// communication toolkits: throughput comes from paying the transport's fixed
// cost once per batch.
//
// Batching changes no protocol: the cores never see a batch, and the order
// of messages from one sender to one receiver is kept. A lost batch is, to
// the cores, the loss of each message in it, which their retransmission
// repairs as any other loss. A batch is flushed at the end of the
// invocation that filled it (or earlier when it reaches Config.MaxItems),
// so it adds at most one invocation of delay.
//
// Between processes the receiver's allocations are what a batch spares
// most: the batch carries its messages back to back in one buffer (blob
// and sizes), and a Data whose group, sender, class and payload type are
// the batch's travels compact (compact.go), decoded in one allocation with
// its payload's bytes left in that buffer. Marshalled bytes are cut from
// shared buffers (package arena), and a message fanned out to several
// destinations is marshalled once per flush. The sender writes each batch's
// protobuf encoding itself and hands protoactor an *Encoded, which
// protoactor's marshalling returns as it is (encoded.go): no second copy
// per destination, and destinations sent the same messages share it.
//
// The package is not safe for concurrent use: one Outbox belongs to one
// actor and is used on its goroutine.
package outbox
