package telemetry

import (
	"encoding/binary"
	"math"

	"go.opentelemetry.io/otel/attribute"
)

// OTLP protobuf encoding with encoding/binary alone (a protobuf varint is
// binary.AppendUvarint's encoding). The field numbers are
// those of opentelemetry-proto (go.opentelemetry.io/proto/otlp: trace/v1,
// logs/v1, common/v1, resource/v1); the tests decode what is written here
// with those official generated types. Encoding by hand keeps the
// protobuf runtime (reflection, descriptors: about 2 MB of binary and of
// idle memory per server) out of the servers; even protowire pulls in a
// package that reads the executable file at every start.

// pbNum is a protobuf field number; pbTag is a field's key.
type pbNum uint64

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func pbTag(b []byte, num pbNum, wire uint64) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|wire)
}

func pbMsg(b []byte, num pbNum, inner []byte) []byte {
	b = pbTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(inner)))
	return append(b, inner...)
}

func pbString(b []byte, num pbNum, s string) []byte {
	if s == "" {
		return b
	}
	return pbStringAlways(b, num, s)
}

// pbStringAlways writes s even when it is empty (a oneof member).
func pbStringAlways(b []byte, num pbNum, s string) []byte {
	b = pbTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func pbBytes(b []byte, num pbNum, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return pbMsg(b, num, v)
}

func pbVarint(b []byte, num pbNum, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = pbTag(b, num, wireVarint)
	return binary.AppendUvarint(b, v)
}

func pbFixed64(b []byte, num pbNum, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = pbTag(b, num, wireFixed64)
	return binary.LittleEndian.AppendUint64(b, v)
}

func pbFixed32(b []byte, num pbNum, v uint32) []byte {
	if v == 0 {
		return b
	}
	b = pbTag(b, num, wireFixed32)
	return binary.LittleEndian.AppendUint32(b, v)
}

// pbKeyValues appends repeated KeyValue{key=1, value=2} as field num.
func pbKeyValues(b []byte, num pbNum, kvs []attribute.KeyValue) []byte {
	for _, kv := range kvs {
		inner := pbString(nil, 1, string(kv.Key))
		inner = pbMsg(inner, 2, pbAnyValue(nil, kv.Value))
		b = pbMsg(b, num, inner)
	}
	return b
}

// pbAnyValue encodes an AnyValue (a oneof: a zero value is still written).
func pbAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		var x uint64
		if v.AsBool() {
			x = 1
		}
		return binary.AppendUvarint(pbTag(b, 2, wireVarint), x)
	case attribute.INT64:
		return binary.AppendUvarint(pbTag(b, 3, wireVarint), uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return binary.LittleEndian.AppendUint64(pbTag(b, 4, wireFixed64), math.Float64bits(v.AsFloat64()))
	case attribute.BOOLSLICE:
		return pbArray(b, v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return pbArray(b, v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return pbArray(b, v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return pbArray(b, v.AsStringSlice(), attribute.StringValue)
	}
	return pbStringAlways(b, 1, v.Emit())
}

// pbArray encodes AnyValue{array_value=5: ArrayValue{values=1}}.
func pbArray[T any](b []byte, xs []T, f func(T) attribute.Value) []byte {
	var arr []byte
	for _, x := range xs {
		arr = pbMsg(arr, 1, pbAnyValue(nil, f(x)))
	}
	return pbMsg(b, 5, arr)
}

// pbStringValue is AnyValue{string_value=1}.
func pbStringValue(s string) []byte {
	return pbStringAlways(nil, 1, s)
}

// pbResource is Resource{attributes=1}.
func pbResource(kvs []attribute.KeyValue) []byte { return pbKeyValues(nil, 1, kvs) }

// pbScope is InstrumentationScope{name=1, version=2, attributes=3}.
func pbScope(name, version string, kvs []attribute.KeyValue) []byte {
	b := pbString(nil, 1, name)
	b = pbString(b, 2, version)
	return pbKeyValues(b, 3, kvs)
}
