// TensorProto → Tensor. A first pass over the message records the shape, the
// type and where the values are (raw_data, one typed field, or external data)
// and counts them; only when the count matches the shape is the tensor
// allocated and a second pass copies the values. So a declared 2^40×4 shape
// with 20 bytes of data is refused before anything is allocated.
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "model/onnx/decode.h"
#include "quantlab/error.h"

namespace quantlab::model::onnx {
namespace {

namespace tp = tensor_proto;

// The typed value fields of TensorProto, indexed by field number (4..11).
constexpr std::uint32_t kTypedFields[] = {tp::float_data, tp::int32_data, tp::string_data,
                                          tp::int64_data, tp::double_data, tp::uint64_data};
constexpr std::size_t kFieldSlots = 12;

const char* field_name(std::uint32_t number) {
  const FieldInfo* info = kTensorProto.find(number);
  return info ? info->name : "?";
}

// What the first pass learns about a TensorProto.
struct TensorFields {
  std::string name;
  std::vector<std::int64_t> dims;
  std::int32_t data_type = 0;
  bool has_segment = false;
  std::int32_t data_location = tp::location_default;
  bool has_raw = false;
  Span raw;
  bool present[kFieldSlots] = {};     // typed field seen at least once
  std::uint64_t count[kFieldSlots] = {};  // elements in it, over all occurrences
  std::vector<std::pair<std::string, std::string>> external;
};

TensorFields scan(Span message) {
  TensorFields t;
  WireReader r(message, kTensorProto);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case tp::dims:
        r.each_varint(f, [&](std::uint64_t v) { t.dims.push_back(static_cast<std::int64_t>(v)); });
        break;
      case tp::data_type: t.data_type = WireReader::int32(f); break;
      case tp::segment: t.has_segment = true; break;
      case tp::name: t.name = WireReader::string(f); break;
      case tp::raw_data:
        t.has_raw = true;
        t.raw = f.payload;
        break;
      case tp::data_location: t.data_location = WireReader::int32(f); break;
      case tp::external_data: {
        std::pair<std::string, std::string> entry;
        WireReader e(f.payload, kStringStringEntryProto);
        Field g;
        while (e.next(g)) {
          if (g.number == string_entry_proto::key) entry.first = WireReader::string(g);
          if (g.number == string_entry_proto::value) entry.second = WireReader::string(g);
        }
        t.external.push_back(std::move(entry));
        break;
      }
      case tp::float_data: case tp::int32_data: case tp::int64_data: case tp::double_data: case tp::uint64_data:
        t.present[f.number] = true;
        t.count[f.number] += r.count(f);
        break;
      case tp::string_data:
        t.present[f.number] = true;
        t.count[f.number] += 1;
        break;
      default: break;
    }
  }
  return t;
}

// The typed field ONNX stores each type's values in (onnx.proto, TensorProto).
std::uint32_t typed_field_for(DataType type) {
  switch (type) {
    case DataType::float32: return tp::float_data;
    case DataType::int64: return tp::int64_data;
    case DataType::float64: return tp::double_data;
    case DataType::uint32: case DataType::uint64: return tp::uint64_data;
    default: return tp::int32_data;  // int32, int16, int8, uint16, uint8, bool, float16, bfloat16
  }
}

std::uint64_t parse_decimal(const std::string& text, const std::string& label, const char* key) {
  const std::string shown = label + ": external data " + key + " '" + text + "'";
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    throw InvalidArgument(shown + " is not a number");
  // 18 digits: any real file offset, and no overflow of int64 below.
  if (text.size() > 18) throw InvalidArgument(shown + " is not a number below 10^18");
  std::uint64_t v = 0;
  for (const char c : text) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

// Copies the little-endian low `n` bytes of v to `out`.
void store_low_bytes(std::uint8_t* out, std::uint64_t v, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<std::uint8_t>(v >> (8 * k));
}

// Second pass: copies the values of `field` into the tensor. Narrow types in
// int32_data keep their low bits (float16/bfloat16: the low 16 bits are the
// bit pattern); bool is 1 for any nonzero value.
void copy_typed(Span message, std::uint32_t field, Tensor& out) {
  const std::size_t esize = element_size(out.type());
  const std::size_t n = static_cast<std::size_t>(out.size());
  std::uint8_t* bytes = out.bytes();
  const bool boolean = out.type() == DataType::boolean;
  std::size_t i = 0;
  auto put = [&](std::uint64_t v) {
    if (i >= n) return;  // counts were checked; this guards the buffer regardless
    store_low_bytes(bytes + i * esize, boolean ? (v != 0) : v, esize);
    ++i;
  };
  WireReader r(message, kTensorProto);
  Field f;
  while (r.next(f)) {
    if (f.number != field) continue;
    switch (field) {
      case tp::float_data: r.each_fixed32(f, put); break;
      case tp::double_data: r.each_fixed64(f, put); break;
      default: r.each_varint(f, put); break;
    }
  }
}

// int4/uint4 files pack two values per byte, the first in the low nibble
// (onnx.proto); in memory each value has its byte, int4 sign-extended.
Tensor unpack_4bit(DataType type, const std::vector<std::int64_t>& dims, const std::uint8_t* packed) {
  Tensor out(type, dims);
  std::uint8_t* v = out.bytes();
  const bool is_signed = type == DataType::int4;
  for (std::size_t i = 0; i < static_cast<std::size_t>(out.size()); ++i) {
    const unsigned nibble = (i % 2 ? packed[i / 2] >> 4 : packed[i / 2]) & 0xFu;
    v[i] = static_cast<std::uint8_t>(is_signed ? static_cast<int>(nibble ^ 8u) - 8 : static_cast<int>(nibble));
  }
  return out;
}

// Memory bytes to file bytes: unpack where packed.
Tensor from_file_bytes(DataType type, const std::vector<std::int64_t>& dims, const std::uint8_t* data, std::size_t size) {
  if (is_4bit(type)) return unpack_4bit(type, dims, data);
  Tensor out(type, dims);
  if (size) std::memcpy(out.bytes(), data, size);
  return out;
}

}  // namespace

Tensor decode_tensor(Span message, const TensorLabel& label_of, const ExternalDataResolver* resolver, std::string* name) {
  const TensorFields t = scan(message);
  if (name) *name = t.name;
  const std::string label = label_of(t.name);

  // ---- type --------------------------------------------------------------
  if (t.data_type == 0) throw InvalidArgument(label + ": no data_type");
  const std::string onnx_name = onnx_type_name(t.data_type);
  if (onnx_name.empty()) throw InvalidArgument(label + ": unknown data_type " + std::to_string(t.data_type));
  if (t.data_type == static_cast<std::int32_t>(DataType::string))
    throw Unsupported(label + ": string tensors are not supported");
  if (!is_known_type(t.data_type)) throw Unsupported(label + ": " + onnx_name + " tensors are not supported");
  const auto type = static_cast<DataType>(t.data_type);
  if (t.has_segment) throw Unsupported(label + ": tensors split into segments are not supported");

  // ---- shape: checked before any size is computed from it ----------------
  std::int64_t elements = 0;
  try {
    elements = element_count(t.dims);
  } catch (const Error&) {
    rethrow_with_prefix(label);
  }
  const std::uint64_t n = static_cast<std::uint64_t>(elements);
  const std::uint64_t need_bytes = packed_byte_size(type, n);  // <= 2^43: cannot overflow
  const std::string what = shape_string(t.dims) + " " + type_name(type);

  // ---- where the values are ------------------------------------------------
  std::vector<std::string> sources;
  if (t.has_raw) sources.push_back("raw_data");
  for (const std::uint32_t field : kTypedFields)
    if (t.present[field]) sources.push_back(field_name(field));
  if (t.data_location == tp::location_external) sources.push_back("external data");
  else if (t.data_location != tp::location_default)
    throw InvalidArgument(label + ": unknown data_location " + std::to_string(t.data_location));
  if (sources.size() > 1) throw InvalidArgument(label + ": has both " + sources[0] + " and " + sources[1]);

  if (t.data_location == tp::location_external) {
    std::string location;
    std::uint64_t offset = 0;
    std::int64_t length = -1;
    bool has_location = false;
    for (const auto& [key, value] : t.external) {
      if (key == "location") {
        location = value;
        has_location = true;
      } else if (key == "offset") {
        offset = parse_decimal(value, label, "offset");
      } else if (key == "length") {
        length = static_cast<std::int64_t>(parse_decimal(value, label, "length"));  // < 10^18: fits
      }
    }
    if (!has_location) throw InvalidArgument(label + ": external data without a 'location'");
    // A declared length must match the shape: checked before anything is read.
    if (length >= 0 && static_cast<std::uint64_t>(length) != need_bytes)
      throw InvalidArgument(label + ": " + what + " needs " + std::to_string(need_bytes) + " bytes, external data '" +
                            location + "' declares length " + std::to_string(length));
    if (!resolver || !*resolver)
      throw InvalidArgument(label + ": its data is in the external file '" + location +
                            "', but the model was read from memory without a resolver (use read_onnx_file)");
    std::vector<std::uint8_t> bytes;
    try {
      bytes = (*resolver)(location, offset, length);
    } catch (const Error&) {
      rethrow_with_prefix(label);
    }
    if (bytes.size() != need_bytes)
      throw InvalidArgument(label + ": " + what + " needs " + std::to_string(need_bytes) + " bytes, external data '" +
                            location + "' has " + std::to_string(bytes.size()));
    return from_file_bytes(type, t.dims, bytes.data(), bytes.size());
  }

  if (t.has_raw) {
    if (t.raw.size != need_bytes)
      throw InvalidArgument(label + ": " + what + " needs " + std::to_string(need_bytes) + " bytes of raw_data, " +
                            std::to_string(t.raw.size) + " given");
    return from_file_bytes(type, t.dims, t.raw.data, t.raw.size);
  }

  if (t.present[tp::string_data]) throw InvalidArgument(label + ": a " + type_name(type) + " tensor has string_data");
  const std::uint32_t field = typed_field_for(type);
  for (const std::uint32_t other : kTypedFields) {
    if (other != field && t.present[other])
      throw InvalidArgument(label + ": " + type_name(type) + " values belong in " + field_name(field) + ", not " +
                            field_name(other));
  }
  if (!t.present[field]) {
    if (n == 0) return Tensor(type, t.dims);
    throw InvalidArgument(label + ": " + what + " has no data (no raw_data, " + field_name(field) +
                          " or external data)");
  }
  if (is_4bit(type)) {
    // int32_data holds one packed byte (two values) per entry.
    if (t.count[field] != need_bytes)
      throw InvalidArgument(label + ": " + what + " needs " + std::to_string(need_bytes) + " packed bytes in " +
                            field_name(field) + ", " + std::to_string(t.count[field]) + " given");
    Tensor packed(DataType::uint8, {static_cast<std::int64_t>(need_bytes)});
    copy_typed(message, field, packed);
    return unpack_4bit(type, t.dims, packed.bytes());
  }
  if (t.count[field] != n)
    throw InvalidArgument(label + ": " + what + " needs " + std::to_string(n) + " values in " + field_name(field) + ", " +
                          std::to_string(t.count[field]) + " given");
  Tensor out(type, t.dims);
  copy_typed(message, field, out);
  return out;
}

}  // namespace quantlab::model::onnx
