package outbox

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/internal/arena"
	"github.com/lockstep-actors/lockstep/internal/slab"
	"google.golang.org/protobuf/proto"
)

// Local is an in-process batch. Items are exactly the values the sender
// would have posted one at a time, in the order it would have posted them;
// the receiver handles each as if it had arrived alone.
type Local struct {
	Items []any
}

// SendFunc sends one message to one actor: typically the sending actor's
// Context.Send, so that sender middleware (fault injection) applies.
type SendFunc func(to *actor.PID, msg any)

// dest is what waits for one (destination, sender) pair.
type dest struct {
	to, sender *actor.PID
	local      bool
	items      []any
}

// Outbox gathers one actor's outbound messages until Flush.
type Outbox struct {
	cfg    Config
	dests  []dest
	active []int // indexes into dests that hold items, in first-use order

	items  slab.Slab[any]   // Local.Items are cut from it
	locals slab.Slab[Local] // the same for the Locals themselves

	bodies  map[proto.Message][]byte   // per flush: a fanned-out message is marshalled once
	compact map[*wire.Data]compactBody // the same for compact Data bodies
	arena   arena.Arena                // bodies are cut from it (marshal)
	// lastItems are the items of the last remote destination flushed, and
	// lastSent the batches they made (skipped of them unmarshallable):
	// the next destination with the same items is sent the same batches.
	lastItems []any
	lastSent  []*Encoded
	skipped   int
	scratch   [][]byte // the bodies of the batch being encoded

	batches slab.Slab[wire.Batch] // batches to other processes are cut from
	types   slab.Slab[string]     // these, with their lists
	u32s    slab.Slab[uint32]
	stats   Stats
}

// Stats counts what an Outbox sent.
type Stats struct {
	// Sent is the number of transport messages sent, batches and singles.
	Sent uint64
	// Batched is the number of messages that travelled inside a batch.
	Batched uint64
	// Marshalled is the number of messages marshalled (a message fanned
	// out to several processes in one flush is marshalled once).
	Marshalled uint64
	// Unmarshallable is the number of messages to another process that
	// were dropped because they could not be marshalled (or were not
	// protobuf messages).
	Unmarshallable uint64
}

// New returns an empty outbox; cfg must be valid.
func New(cfg Config) *Outbox {
	return &Outbox{cfg: cfg, bodies: make(map[proto.Message][]byte), compact: make(map[*wire.Data]compactBody), arena: arena.Arena{Size: arenaSize},
		items: slab.Slab[any]{Size: 4 * cfg.MaxItems}, locals: slab.Slab[Local]{Size: 64},
		batches: slab.Slab[wire.Batch]{Size: batchSlabSize}, types: slab.Slab[string]{Size: 2 * batchSlabSize},
		u32s: slab.Slab[uint32]{Size: 2 * cfg.MaxItems * u32SlabBatches}}
}

// Stats returns the outbox's counters.
func (o *Outbox) Stats() Stats { return o.stats }

// Pending reports whether anything waits for Flush.
func (o *Outbox) Pending() bool { return len(o.active) > 0 }

// Add queues msg for to. local says that to lives in this process: msg is
// then posted as it is, alone or in a *Local, and must carry whatever the
// receiver needs to know its sender (an envelope, say). Otherwise msg must
// be a proto.Message, and sender is the envelope sender its batch travels
// with. A destination that reaches Config.MaxItems is flushed at once,
// through send.
func (o *Outbox) Add(to, sender *actor.PID, local bool, msg any, send SendFunc) {
	if local {
		sender = nil // in-process items carry their own sender: one batch per destination
	}
	i := o.find(to, sender, local)
	dst := &o.dests[i]
	if len(dst.items) == 0 {
		o.active = append(o.active, i)
	}
	dst.items = append(dst.items, msg)
	if len(dst.items) >= o.cfg.MaxItems {
		o.flushDest(dst, send)
	}
}

// find returns the index of the (to, sender) destination, adding it on
// first use. Groups are small, so a scan beats a map.
func (o *Outbox) find(to, sender *actor.PID, local bool) int {
	for i := range o.dests {
		d := &o.dests[i]
		if d.local == local && samePID(d.to, to) && samePID(d.sender, sender) {
			return i
		}
	}
	o.dests = append(o.dests, dest{to: to, sender: sender, local: local})
	return len(o.dests) - 1
}

// samePID reports whether a and b name the same actor. Callers usually
// pass the same pointer each time, but two equal PIDs must share a batch,
// or messages to one actor would be reordered between two batches.
func samePID(a, b *actor.PID) bool {
	return a == b || (a != nil && b != nil && a.Equal(b))
}

// Flush sends everything queued, each destination's share as one message
// (or several, when a batch to another process exceeds Config.MaxBytes),
// destinations in the order they were first used since the last Flush.
func (o *Outbox) Flush(send SendFunc) {
	if len(o.active) == 0 {
		return
	}
	for _, i := range o.active {
		o.flushDest(&o.dests[i], send)
	}
	o.active = o.active[:0]
	clear(o.bodies)
	clear(o.compact)
	o.forgetLast()
}

// forgetLast drops the batches kept for the next destination.
func (o *Outbox) forgetLast() {
	clear(o.lastItems)
	clear(o.lastSent)
	o.lastItems, o.lastSent, o.skipped = o.lastItems[:0], o.lastSent[:0], 0
}

func (o *Outbox) flushDest(d *dest, send SendFunc) {
	switch {
	case len(d.items) == 0:
		return
	case d.local && len(d.items) == 1:
		send(d.to, d.items[0])
		o.stats.Sent++
	case d.local:
		send(d.to, o.newLocal(d.items))
		o.stats.Sent++
		o.stats.Batched += uint64(len(d.items))
	default:
		o.sendRemote(d, send)
	}
	clear(d.items) // drop references to what was sent
	d.items = d.items[:0]
}

// newLocal copies items into a Local cut from the slabs: the receiver keeps
// the Local, so it is never reused, and the slabs make that one allocation
// per many batches.
func (o *Outbox) newLocal(items []any) *Local {
	l := o.locals.New()
	l.Items = o.items.Cut(len(items))
	copy(l.Items, items)
	return l
}

// sendRemote marshals d's items into batches of at most MaxBytes; a single
// message travels alone, as it would without the outbox. The batches of a
// destination whose items are those of the last one are the same.
func (o *Outbox) sendRemote(d *dest, send SendFunc) {
	if len(d.items) == 1 {
		if pm, ok := d.items[0].(proto.Message); ok {
			send(d.to, &actor.MessageEnvelope{Message: pm, Sender: d.sender})
			o.stats.Sent++
		} else {
			o.stats.Unmarshallable++
		}
		return
	}
	if !sameItems(d.items, o.lastItems) {
		o.forgetLast()
		o.lastItems = append(o.lastItems, d.items...)
		o.batch(d.items)
	}
	for _, e := range o.lastSent {
		send(d.to, &actor.MessageEnvelope{Message: e, Sender: d.sender})
		o.stats.Sent++
		o.stats.Batched += uint64(len(e.Batch.Sizes))
	}
	o.stats.Unmarshallable += uint64(o.skipped)
}

// batch encodes items into o.lastSent.
func (o *Outbox) batch(items []any) {
	b, size := o.newBatch(len(items)), 0
	bodies := o.scratch[:0]
	for _, it := range items {
		pm, ok := it.(proto.Message)
		if !ok {
			o.skipped++
			continue
		}
		body, name, err := o.bodyOf(b, pm)
		if err != nil {
			o.skipped++
			continue
		}
		if len(bodies) > 0 && size+len(body) > o.cfg.MaxBytes {
			o.lastSent = append(o.lastSent, o.encode(b, bodies))
			b, size, bodies = o.newBatch(len(items)), 0, bodies[:0]
			if body, name, err = o.bodyOf(b, pm); err != nil { // the new batch's Data header
				o.skipped++
				continue
			}
		}
		b.TypeOf = append(b.TypeOf, typeIndex(b, name))
		bodies = append(bodies, body)
		size += len(body)
	}
	if len(bodies) > 0 {
		o.lastSent = append(o.lastSent, o.encode(b, bodies))
	}
	clear(bodies) // the arena's buffers may go once their batches are sent
	o.scratch = bodies[:0]
}

// batchSlabSize is how many batches, and lists of their messages' type
// indexes and sizes, one allocation holds.
const batchSlabSize = 64

// u32SlabBatches is how many full batches' type and size lists one
// allocation of the uint32 slab holds.
const u32SlabBatches = 8

// newBatch returns an empty batch with room for n messages, cut from the
// slabs: the transport holds a batch until it has marshalled it, so none
// is ever reused.
func (o *Outbox) newBatch(n int) *wire.Batch {
	b := o.batches.New()
	b.Types, b.TypeOf, b.Sizes = o.types.Cut(2)[:0], o.u32s.Cut(n)[:0], o.u32s.Cut(n)[:0]
	return b
}

// bodyOf returns pm marshalled for batch b and the type name it is listed
// under. A Data whose group, sender and class are the batch's (the first
// Data of a batch sets them) is marshalled without them (compact.go).
// Bodies are cached for the flush, so a message fanned out to several
// destinations is marshalled once.
func (o *Outbox) bodyOf(b *wire.Batch, pm proto.Message) ([]byte, string, error) {
	if d, ok := pm.(*wire.Data); ok && compactable(b, d) {
		// The body leaves out the payload type only if it is the batch's.
		c, ok := o.compact[d]
		if !ok || c.payloadType != b.DataPayloadType {
			c = compactBody{o.marshalCompact(b, d), b.DataPayloadType}
			o.compact[d] = c
		}
		return c.body, CompactDataName, nil
	}
	body, ok := o.bodies[pm]
	if !ok {
		var err error
		if body, err = o.marshal(pm); err != nil {
			return nil, "", err
		}
		o.bodies[pm] = body
	}
	return body, string(pm.ProtoReflect().Descriptor().FullName()), nil
}

// arenaSize is the size of the buffers marshalled bodies are cut from.
const arenaSize = 64 << 10

// marshal marshals pm into the arena: bodies are cut from shared buffers,
// never reused (the transport marshals the batch later, on its own
// goroutine), so a body costs a fraction of an allocation.
func (o *Outbox) marshal(pm proto.Message) ([]byte, error) {
	o.stats.Marshalled++
	return o.arena.Marshal(pm)
}

// typeIndex returns the index of the type name in b.Types, adding it if new.
func typeIndex(b *wire.Batch, name string) uint32 {
	for i, t := range b.Types {
		if t == name {
			return uint32(i)
		}
	}
	b.Types = append(b.Types, name)
	return uint32(len(b.Types) - 1)
}

// LocalOf returns the in-process batch msg is, bare or inside the envelope
// that sender middleware wraps every send in. Receivers ask it rather than
// matching the type themselves, so neither form is ever missed.
func LocalOf(msg any) (*Local, bool) {
	switch m := msg.(type) {
	case *Local:
		return m, true
	case *actor.MessageEnvelope:
		l, ok := m.Message.(*Local)
		return l, ok
	}
	return nil, false
}

// Each hands every item of l to handle, in order, drops l's references to
// them, and returns how many handle refused (only a driver's own traffic
// is ever batched, so a refusal is bad input).
func (l *Local) Each(handle func(any) bool) (refused int) {
	for i, it := range l.Items {
		if !handle(it) {
			refused++
		}
		l.Items[i] = nil
	}
	return refused
}
