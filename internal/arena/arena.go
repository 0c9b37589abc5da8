// Package arena cuts byte slices, marshalled protobuf messages mostly,
// from shared buffers, so that many small messages cost one allocation per
// buffer rather than one each. Nothing cut is ever reused or written again:
// a buffer lives while any slice cut from it does, which is what lets a
// receiver or a retransmission buffer keep what it was given.
//
// An Arena is not safe for concurrent use.
package arena

import "google.golang.org/protobuf/proto"

// Arena hands out slices of its current buffer and starts a new buffer of
// Size bytes (or larger, for a large request) when the current one is full.
type Arena struct {
	Size int
	buf  []byte
}

// Append calls write with the free end of the current buffer and returns
// what write appended, cut so that later appends cannot reach it. If the
// result outgrew the buffer, write is called again on a new one (so write
// must only append, and be repeatable); the first try will have copied the
// whole buffer in growing it, so callers that can bound their size Reserve
// it first.
func (a *Arena) Append(write func([]byte) []byte) []byte {
	start := len(a.buf)
	out := write(a.buf)
	if cap(out) != cap(a.buf) { // outgrew the buffer
		a.buf = make([]byte, 0, max(a.Size, len(out)-start))
		start = 0
		out = write(a.buf)
	}
	a.buf = out
	return out[start:len(out):len(out)]
}

// Reserve makes sure the current buffer has n free bytes, so that the next
// Append of at most n bytes needs no second try.
func (a *Arena) Reserve(n int) {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(a.Size, n))
	}
}

// Marshal returns pm marshalled into the arena.
func (a *Arena) Marshal(pm proto.Message) ([]byte, error) {
	a.Reserve(proto.Size(pm))
	var err error
	body := a.Append(func(b []byte) []byte {
		out, e := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend(b, pm)
		if e != nil {
			err = e
			return b
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	return body, nil
}
