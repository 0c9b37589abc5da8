package outbox

import "github.com/lockstep-actors/lockstep/actors/wire"

// BodiesOf exposes bodiesOf to the external tests.
func BodiesOf(b *wire.Batch) ([][]byte, error) { return bodiesOf(b, nil) }

// CompactSize is the size of d's compact body and compactBound's bound for
// it.
func CompactSize(d *wire.Data, typeURL string) (size, bound int) {
	return len(appendCompact(nil, d, typeURL)), compactBound(d)
}
