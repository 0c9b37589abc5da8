package outbox

import "github.com/lockstep-actors/lockstep/actors/wire"

// BodiesOf exposes bodiesOf to the external tests.
func BodiesOf(b *wire.Batch) ([][]byte, error) { return bodiesOf(b, nil) }
