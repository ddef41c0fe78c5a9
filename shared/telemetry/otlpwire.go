package telemetry

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP protobuf encoding with protowire alone. The field numbers are
// those of opentelemetry-proto (go.opentelemetry.io/proto/otlp: trace/v1,
// logs/v1, common/v1, resource/v1); the tests decode what is written here
// with those official generated types. Encoding by hand keeps the
// protobuf runtime (reflection, descriptors: about 2 MB of binary and of
// idle memory per server) out of the servers.

func pbMsg(b []byte, num protowire.Number, inner []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, inner)
}

func pbString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func pbBytes(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return pbMsg(b, num, v)
}

func pbVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func pbFixed64(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

func pbFixed32(b []byte, num protowire.Number, v uint32) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, v)
}

// pbKeyValues appends repeated KeyValue{key=1, value=2} as field num.
func pbKeyValues(b []byte, num protowire.Number, kvs []attribute.KeyValue) []byte {
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
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		return protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, 4, protowire.Fixed64Type)
		return protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.BOOLSLICE:
		return pbArray(b, v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return pbArray(b, v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return pbArray(b, v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return pbArray(b, v.AsStringSlice(), attribute.StringValue)
	}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	return protowire.AppendString(b, v.Emit())
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
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// pbResource is Resource{attributes=1}.
func pbResource(kvs []attribute.KeyValue) []byte { return pbKeyValues(nil, 1, kvs) }

// pbScope is InstrumentationScope{name=1, version=2, attributes=3}.
func pbScope(name, version string, kvs []attribute.KeyValue) []byte {
	b := pbString(nil, 1, name)
	b = pbString(b, 2, version)
	return pbKeyValues(b, 3, kvs)
}
