// core/src/model/onnx/wire.h — a bounded protobuf wire-format reader and a
// deterministic writer, just enough for ONNX (no protobuf runtime builds to WASM here).
//
// The reader never copies the input and never trusts a length: every varint,
// fixed-width value and length-delimited payload is checked against the end of
// its enclosing message before it is touched, and errors name the field and
// message ("truncated file: field 'graph' of ModelProto needs 1200 bytes, 37
// remain"). Groups (wire types 3/4) are refused: ONNX never uses them.
//
// Everything protobuf-specific lives in this folder, so a real protobuf
// library can replace it without touching the rest of the model code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "model/onnx/schema.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ONNX codec copies raw_data and fixed-width fields as little-endian bytes"
#endif

namespace quantlab::model::onnx {

/// @brief Protobuf wire types.
enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, bytes = 2, start_group = 3, end_group = 4, fixed32 = 5 };

/// @brief A view of part of the input. `offset` is where it starts in the whole
/// input and `input_size` the whole input's size: together they tell a
/// truncated file (a length past the end of the input) from a corrupt one (a
/// length past the end of its enclosing message), and give byte positions.
struct Span {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;
  std::size_t input_size = 0;

  static Span whole(const std::uint8_t* data, std::size_t size) { return Span{data, size, 0, size}; }
};

/// @brief One field as read from the wire.
struct Field {
  std::uint32_t number = 0;
  WireType wire = WireType::varint;
  std::uint64_t value = 0;          ///< varint, fixed32 and fixed64 values
  Span payload;                     ///< length-delimited fields
  const FieldInfo* info = nullptr;  ///< null for fields the schema does not know
  std::size_t offset = 0;           ///< position of the field's tag in the input
};

/// @brief Iterates over the fields of one message.
class WireReader {
 public:
  WireReader(Span message, const MessageSchema& schema) : span_(message), schema_(schema) {}

  /// Reads the next field; false at the end of the message. Known fields must
  /// have the wire type the schema declares; unknown ones are skipped over.
  bool next(Field& field);

  const MessageSchema& schema() const { return schema_; }

  // ---- scalar values of the current field ---------------------------------
  static std::string string(const Field& f) {
    return std::string(reinterpret_cast<const char*>(f.payload.data), f.payload.size);
  }
  static std::int64_t int64(const Field& f) { return static_cast<std::int64_t>(f.value); }
  /// int32 and enum fields: protobuf keeps the low 32 bits of the varint.
  static std::int32_t int32(const Field& f) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(f.value & 0xffffffffu));
  }
  static float float32(const Field& f) {
    const std::uint32_t bits = static_cast<std::uint32_t>(f.value);
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }

  // ---- repeated scalars (one element per field, or a packed run) ----------
  /// Number of elements this occurrence of a repeated scalar field carries;
  /// checks the run's structure (whole elements, no varint cut off).
  std::size_t count(const Field& f) const;
  /// Calls fn(uint64) for each varint element.
  template <class Fn> void each_varint(const Field& f, Fn&& fn) const;
  /// Calls fn(uint32 bits) for each fixed32 element.
  template <class Fn> void each_fixed32(const Field& f, Fn&& fn) const;
  /// Calls fn(uint64 bits) for each fixed64 element.
  template <class Fn> void each_fixed64(const Field& f, Fn&& fn) const;

  /// "field 'graph' of ModelProto" (or "field 17 of ModelProto").
  std::string describe(const Field& f) const;
  /// Throws InvalidArgument "corrupt file at byte N: <field>: why".
  [[noreturn]] void corrupt(const Field& f, const std::string& why) const;

 private:
  // Reads a varint at pos_ within the message; `what` names it for errors.
  std::uint64_t read_varint(const Field& f, const char* what);
  void need(const Field& f, std::uint64_t bytes, const char* what) const;

  Span span_;
  std::size_t pos_ = 0;
  const MessageSchema& schema_;
};

/// @brief The wire types a field of this kind may arrive with: its own, and
/// for repeated scalars also a packed (length-delimited) run.
bool accepts(FieldKind kind, WireType wire);

enum class VarintStatus { ok, cut_off, too_long };
/// @brief Decodes one varint from [p, end) and advances p; cut_off when it runs
/// past `end`, too_long when it has more than 64 bits.
VarintStatus decode_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& out);

template <class Fn>
void WireReader::each_varint(const Field& f, Fn&& fn) const {
  if (f.wire != WireType::bytes) return fn(f.value);
  const std::uint8_t* p = f.payload.data;
  const std::uint8_t* end = p + f.payload.size;
  while (p < end) {
    std::uint64_t v = 0;
    if (decode_varint(p, end, v) != VarintStatus::ok) corrupt(f, "a packed varint is cut off or longer than 64 bits");
    fn(v);
  }
}

template <class Fn>
void WireReader::each_fixed32(const Field& f, Fn&& fn) const {
  if (f.wire != WireType::bytes) return fn(static_cast<std::uint32_t>(f.value));
  const std::size_t n = count(f);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, f.payload.data + 4 * i, 4);
    fn(bits);
  }
}

template <class Fn>
void WireReader::each_fixed64(const Field& f, Fn&& fn) const {
  if (f.wire != WireType::bytes) return fn(f.value);
  const std::size_t n = count(f);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t bits;
    std::memcpy(&bits, f.payload.data + 8 * i, 8);
    fn(bits);
  }
}

// ---- writer -----------------------------------------------------------------

/// @brief A sink that only counts bytes: sizes nested messages before they are written.
class ByteCounter {
 public:
  void put(std::uint8_t) { ++size_; }
  void put(const void*, std::size_t n) { size_ += n; }
  void skip(std::size_t n) { size_ += n; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

/// @brief A sink appending to a byte vector.
class ByteAppender {
 public:
  explicit ByteAppender(std::vector<std::uint8_t>& out) : out_(out) {}
  void put(std::uint8_t b) { out_.push_back(b); }
  void put(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

/// @brief Writes fields in the order it is called with. Nested messages are
/// written by a `body(writer)` callable (generic over the sink) that runs once
/// on a ByteCounter to learn the length prefix and once on the real sink, so
/// bytes are never copied twice and the output is canonical protobuf.
template <class Sink>
class WireWriter {
 public:
  explicit WireWriter(Sink& sink) : sink_(sink) {}

  void varint(std::uint32_t field, std::uint64_t v) {
    tag(field, WireType::varint);
    raw_varint(v);
  }
  /// int64/int32/enum fields: negative values take ten bytes, as in protobuf.
  void int64(std::uint32_t field, std::int64_t v) { varint(field, static_cast<std::uint64_t>(v)); }
  void float32(std::uint32_t field, float v) {
    tag(field, WireType::fixed32);
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 4; ++i) sink_.put(static_cast<std::uint8_t>(bits >> (8 * i)));
  }
  void bytes(std::uint32_t field, const void* data, std::size_t size) {
    tag(field, WireType::bytes);
    raw_varint(size);
    if (size) sink_.put(data, size);
  }
  void string(std::uint32_t field, const std::string& s) { bytes(field, s.data(), s.size()); }

  template <class Body>
  void message(std::uint32_t field, Body&& body) {
    ByteCounter counter;
    WireWriter<ByteCounter> sizer(counter);
    body(sizer);
    tag(field, WireType::bytes);
    raw_varint(counter.size());
    if constexpr (std::is_same_v<Sink, ByteCounter>) {
      sink_.skip(counter.size());  // already sized: no need to walk the body again
    } else {
      body(*this);
    }
  }

 private:
  void tag(std::uint32_t field, WireType wire) {
    raw_varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire));
  }
  void raw_varint(std::uint64_t v) {
    while (v >= 0x80) {
      sink_.put(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    sink_.put(static_cast<std::uint8_t>(v));
  }

  Sink& sink_;
};

}  // namespace quantlab::model::onnx
