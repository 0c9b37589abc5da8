package linear

import (
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
)

// output is an operation's response; unknown marks an open-ended one,
// which matches any response.
type output struct {
	res     store.Result
	unknown bool
}

// state is one key's value.
type state struct {
	value string
	found bool
}

// Model is the sequential specification of one key of the store.
var Model = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := make(map[string][]porcupine.Operation)
		var keys []string
		for _, op := range h {
			k := op.Input.(store.Op).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return state{} },
	Step: func(st, in, out any) (bool, any) {
		s, op, o := st.(state), in.(store.Op), out.(output)
		single := store.New()
		if s.found {
			_, _ = single.Apply(store.Op{Kind: store.Put, Key: op.Key, Value: s.value})
		}
		res, err := single.Apply(op)
		if err != nil {
			return false, s
		}
		v, found := single.Get(op.Key)
		next := state{value: v, found: found}
		return o.unknown || res == o.res, next
	},
	Equal: func(a, b any) bool { return a.(state) == b.(state) },
	DescribeOperation: func(in, out any) string {
		op, o := in.(store.Op), out.(output)
		r := fmt.Sprintf("%+v", o.res)
		if o.unknown {
			r = "?"
		}
		return fmt.Sprintf("%s(%s,%q,%q) -> %s", op.Kind, op.Key, op.Value, op.Expect, r)
	},
}

// Operations turns client records into Porcupine operations: unknown
// outcomes open-ended, refused calls dropped.
func Operations(recs []replica.Record) []porcupine.Operation {
	ops := make([]porcupine.Operation, 0, len(recs))
	for _, r := range recs {
		o := porcupine.Operation{ClientId: r.Client, Input: r.Op, Call: r.Call, Return: r.Return, Output: output{res: r.Result}}
		switch r.Outcome {
		case replica.Refused:
			continue
		case replica.Unknown:
			if r.Op.Kind == store.Get {
				continue // a read of unknown outcome changed nothing and told no one anything
			}
			o.Return, o.Output = math.MaxInt64, output{unknown: true}
		}
		ops = append(ops, o)
	}
	return ops
}

// Check reports nil if recs are linearizable, an error describing why not
// otherwise (including a search that did not finish within timeout).
func Check(recs []replica.Record, timeout time.Duration) error {
	ops := Operations(recs)
	res, _ := porcupine.CheckOperationsVerbose(Model, ops, timeout)
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("linear: the check of %d operations did not finish within %v", len(ops), timeout)
	default:
		return fmt.Errorf("linear: %d operations are not linearizable", len(ops))
	}
}
