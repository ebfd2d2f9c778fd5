// The bounded wire-format reader: tags, varints, fixed-width values and
// length-delimited payloads, each checked against the end of its message.
#include "model/onnx/wire.h"

#include "quantlab/error.h"

namespace quantlab::model::onnx {
namespace {

// Protobuf field numbers are 29 bits.
constexpr std::uint64_t kMaxFieldNumber = (std::uint64_t{1} << 29) - 1;

const char* wire_name(WireType w) {
  switch (w) {
    case WireType::varint: return "a varint";
    case WireType::fixed64: return "a fixed64";
    case WireType::bytes: return "length-delimited";
    case WireType::start_group: case WireType::end_group: return "a group";
    case WireType::fixed32: return "a fixed32";
  }
  return "?";
}

}  // namespace

bool accepts(FieldKind kind, WireType w) {
  switch (kind) {
    case FieldKind::varint: return w == WireType::varint;
    case FieldKind::fixed32: return w == WireType::fixed32;
    case FieldKind::fixed64: return w == WireType::fixed64;
    case FieldKind::bytes: return w == WireType::bytes;
    case FieldKind::repeated_varint: return w == WireType::varint || w == WireType::bytes;
    case FieldKind::repeated_fixed32: return w == WireType::fixed32 || w == WireType::bytes;
    case FieldKind::repeated_fixed64: return w == WireType::fixed64 || w == WireType::bytes;
  }
  return false;
}

namespace {

const char* expected_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::varint: return "a varint";
    case FieldKind::fixed32: return "a fixed32";
    case FieldKind::fixed64: return "a fixed64";
    case FieldKind::bytes: return "length-delimited";
    case FieldKind::repeated_varint: return "varints";
    case FieldKind::repeated_fixed32: return "fixed32 values";
    case FieldKind::repeated_fixed64: return "fixed64 values";
  }
  return "?";
}

}  // namespace

VarintStatus decode_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& out) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return VarintStatus::cut_off;
    const std::uint8_t b = *p++;
    // The tenth byte holds bit 63 only; anything more does not fit in 64 bits.
    if (shift == 63 && b > 1) return VarintStatus::too_long;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      out = v;
      return VarintStatus::ok;
    }
  }
  return VarintStatus::too_long;
}

std::string WireReader::describe(const Field& f) const {
  const std::string field = f.info ? "field '" + std::string(f.info->name) + "'" : "field " + std::to_string(f.number);
  return field + " of " + schema_.name;
}

void WireReader::corrupt(const Field& f, const std::string& why) const {
  throw InvalidArgument("corrupt file at byte " + std::to_string(f.offset) + ": " + describe(f) + ": " + why);
}

// Checks that `bytes` more bytes exist in the message at pos_. Running past the
// end of the whole input means the file was cut short; running past only the
// enclosing message means a length inside the file is wrong.
void WireReader::need(const Field& f, std::uint64_t bytes, const char* what) const {
  const std::size_t remain = span_.size - pos_;
  if (bytes <= remain) return;
  const std::size_t at = span_.offset + pos_;
  const std::size_t input_remain = span_.input_size - at;
  if (span_.offset + span_.size == span_.input_size || bytes > input_remain) {
    throw InvalidArgument("truncated file: " + describe(f) + " needs " + std::to_string(bytes) + " " + what + ", " +
                          std::to_string(input_remain) + " remain");
  }
  corrupt(f, "needs " + std::to_string(bytes) + " " + what + ", but its " + schema_.name + " ends after " +
                 std::to_string(remain));
}

std::uint64_t WireReader::read_varint(const Field& f, const char* what) {
  const std::uint8_t* p = span_.data + pos_;
  const std::uint8_t* end = span_.data + span_.size;
  std::uint64_t v = 0;
  switch (decode_varint(p, end, v)) {
    case VarintStatus::ok:
      break;
    case VarintStatus::cut_off: {
      // Before the tag is read, the field has no number yet: name the message.
      const std::string where = f.number ? describe(f) : std::string("a field tag in ") + schema_.name;
      if (span_.offset + span_.size == span_.input_size)
        throw InvalidArgument("truncated file: the file ends inside " + where + " (" + what + ")");
      throw InvalidArgument("corrupt file at byte " + std::to_string(f.offset) + ": " + where + " runs past the end of its " +
                            schema_.name + " (" + what + ")");
    }
    case VarintStatus::too_long:
      throw InvalidArgument("corrupt file at byte " + std::to_string(f.offset) + ": " +
                            (f.number ? describe(f) : std::string("a field tag in ") + schema_.name) + ": " + what +
                            " is longer than 64 bits");
  }
  pos_ = static_cast<std::size_t>(p - span_.data);
  return v;
}

bool WireReader::next(Field& f) {
  if (pos_ >= span_.size) return false;
  f = Field{};
  f.offset = span_.offset + pos_;
  const std::uint64_t tag = read_varint(f, "tag");
  if ((tag >> 3) > kMaxFieldNumber || (tag >> 3) == 0)
    throw InvalidArgument("corrupt file at byte " + std::to_string(f.offset) + ": a field tag in " + schema_.name +
                          " has field number " + std::to_string(tag >> 3) + ", outside 1.." +
                          std::to_string(kMaxFieldNumber));
  f.number = static_cast<std::uint32_t>(tag >> 3);
  f.wire = static_cast<WireType>(tag & 7);
  f.info = schema_.find(f.number);
  switch (f.wire) {
    case WireType::varint:
      f.value = read_varint(f, "varint value");
      break;
    case WireType::fixed64:
      need(f, 8, "bytes");
      std::memcpy(&f.value, span_.data + pos_, 8);
      pos_ += 8;
      break;
    case WireType::fixed32: {
      need(f, 4, "bytes");
      std::uint32_t v;
      std::memcpy(&v, span_.data + pos_, 4);
      f.value = v;
      pos_ += 4;
      break;
    }
    case WireType::bytes: {
      const std::uint64_t length = read_varint(f, "length");
      need(f, length, "bytes");
      const auto n = static_cast<std::size_t>(length);  // fits: need() bounded it by the span
      f.payload = Span{span_.data + pos_, n, span_.offset + pos_, span_.input_size};
      pos_ += n;
      break;
    }
    case WireType::start_group:
    case WireType::end_group:
      corrupt(f, "uses the group encoding (wire type " + std::to_string(static_cast<int>(f.wire)) +
                     "), which ONNX does not use");
    default:
      corrupt(f, "wire type " + std::to_string(static_cast<int>(f.wire)) + " does not exist");
  }
  if (f.info && !accepts(f.info->kind, f.wire))
    corrupt(f, std::string("is ") + wire_name(f.wire) + ", expected " + expected_name(f.info->kind));
  return true;
}

std::size_t WireReader::count(const Field& f) const {
  if (f.wire != WireType::bytes) return 1;
  const std::size_t n = f.payload.size;
  const FieldKind kind = f.info ? f.info->kind : FieldKind::bytes;
  switch (kind) {
    case FieldKind::repeated_fixed32:
      if (n % 4) corrupt(f, "a packed run of " + std::to_string(n) + " bytes is not a whole number of fixed32 values");
      return n / 4;
    case FieldKind::repeated_fixed64:
      if (n % 8) corrupt(f, "a packed run of " + std::to_string(n) + " bytes is not a whole number of fixed64 values");
      return n / 8;
    case FieldKind::repeated_varint: {
      // Every varint ends with a byte below 0x80; the last byte must end one.
      if (n && (f.payload.data[n - 1] & 0x80)) corrupt(f, "a packed run ends inside a varint");
      std::size_t ends = 0;
      for (std::size_t i = 0; i < n; ++i) ends += (f.payload.data[i] & 0x80) ? 0 : 1;
      return ends;
    }
    default:
      return 1;
  }
}

}  // namespace quantlab::model::onnx
