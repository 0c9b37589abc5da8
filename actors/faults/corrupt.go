package faults

import (
	"math/rand/v2"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Corrupt returns a clone of msg in which one populated scalar field, chosen
// with rng among all of them (nested messages included), holds a different
// value. msg itself is never modified: local actor sends share pointers
// between receivers. If msg has no populated scalar field the clone is equal
// to msg.
func Corrupt(msg proto.Message, rng *rand.Rand) proto.Message {
	out, _ := corrupt(msg, rng)
	return out
}

// corrupt is Corrupt that also reports whether a field was changed.
func corrupt(msg proto.Message, rng *rand.Rand) (proto.Message, bool) {
	if msg == nil {
		return nil, false
	}
	clone := proto.Clone(msg)
	var fields []scalarRef
	collectScalars(clone.ProtoReflect(), &fields)
	if len(fields) == 0 {
		return clone, false
	}
	fields[rng.IntN(len(fields))].change(rng)
	return clone, true
}

// scalarRef points at one populated scalar: a singular field, or one element
// of a repeated field (index >= 0).
type scalarRef struct {
	msg   protoreflect.Message
	field protoreflect.FieldDescriptor
	index int
}

// collectScalars walks m's populated fields in field-number order. It does
// not use Message.Range, whose order protobuf-go varies from one binary to
// the next on purpose: a seed must pick the same field in every build.
func collectScalars(m protoreflect.Message, out *[]scalarRef) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		switch {
		case fd.IsMap():
			// Map keys and values are left alone: changing them rarely yields a
			// value the receiver can tell from a legitimate one, and the
			// library's own messages have no maps.
		case fd.IsList():
			list := v.List()
			for j := 0; j < list.Len(); j++ {
				if isMessage(fd) {
					collectScalars(list.Get(j).Message(), out)
				} else {
					*out = append(*out, scalarRef{msg: m, field: fd, index: j})
				}
			}
		case isMessage(fd):
			collectScalars(v.Message(), out)
		default:
			*out = append(*out, scalarRef{msg: m, field: fd, index: -1})
		}
	}
}

func isMessage(fd protoreflect.FieldDescriptor) bool {
	return fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind
}

func (r scalarRef) change(rng *rand.Rand) {
	if r.index >= 0 {
		list := r.msg.Mutable(r.field).List()
		list.Set(r.index, otherValue(r.field, list.Get(r.index), rng))
		return
	}
	r.msg.Set(r.field, otherValue(r.field, r.msg.Get(r.field), rng))
}

// otherValue returns a value of fd's kind that differs from v.
func otherValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, rng *rand.Rand) protoreflect.Value {
	delta := 1 + rng.Uint64N(1<<16)
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(!v.Bool())
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(v.Enum() + protoreflect.EnumNumber(delta))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(uint32(v.Int()) + uint32(delta)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(v.Int() + int64(delta))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(v.Uint()) + uint32(delta))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(v.Uint() + delta)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(v.Float()) + float32(delta))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(v.Float() + float64(delta))
	case protoreflect.StringKind:
		s := []byte(v.String())
		if len(s) == 0 {
			return protoreflect.ValueOfString("?")
		}
		i := rng.IntN(len(s))
		s[i] = 'a' + (s[i]-'a'+1+byte(rng.IntN(25)))%26
		if string(s) == v.String() { // s[i] was not a letter that rotated away
			s = append(s, '?')
		}
		return protoreflect.ValueOfString(string(s))
	case protoreflect.BytesKind:
		b := append([]byte(nil), v.Bytes()...)
		if len(b) == 0 {
			return protoreflect.ValueOfBytes([]byte{byte(delta) | 1})
		}
		b[rng.IntN(len(b))] ^= byte(delta) | 1
		return protoreflect.ValueOfBytes(b)
	}
	return v
}
