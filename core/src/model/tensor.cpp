// Type-erased tensor: sizes are checked before any allocation.
#include "quantlab/model/tensor.h"

#include <cstring>
#include <limits>
#include <sstream>

#include "quantlab/error.h"

namespace quantlab::model {

namespace {
// 2^40 elements: far beyond any model here, small enough that byte sizes cannot overflow.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;
}  // namespace

std::size_t element_size(DataType type) {
  switch (type) {
    case DataType::float32: case DataType::int32: case DataType::uint32: return 4;
    case DataType::uint8: case DataType::int8: case DataType::boolean: case DataType::uint4: case DataType::int4:
      return 1;
    case DataType::uint16: case DataType::int16: case DataType::float16: case DataType::bfloat16: return 2;
    case DataType::int64: case DataType::float64: case DataType::uint64: return 8;
    case DataType::undefined: case DataType::string: return 0;
  }
  return 0;
}

std::uint64_t packed_byte_size(DataType type, std::uint64_t count) {
  if (is_4bit(type)) return (count + 1) / 2;
  return count * element_size(type);
}

std::string type_name(DataType type) {
  switch (type) {
    case DataType::undefined: return "undefined";
    case DataType::float32: return "float";
    case DataType::uint8: return "uint8";
    case DataType::int8: return "int8";
    case DataType::uint16: return "uint16";
    case DataType::int16: return "int16";
    case DataType::int32: return "int32";
    case DataType::int64: return "int64";
    case DataType::string: return "string";
    case DataType::boolean: return "bool";
    case DataType::float16: return "float16";
    case DataType::float64: return "double";
    case DataType::uint32: return "uint32";
    case DataType::uint64: return "uint64";
    case DataType::bfloat16: return "bfloat16";
    case DataType::uint4: return "uint4";
    case DataType::int4: return "int4";
  }
  return "type " + std::to_string(static_cast<int>(type));
}

bool is_known_type(std::int32_t t) { return (t >= 0 && t <= 13) || t == 16 || t == 21 || t == 22; }

std::string onnx_type_name(std::int32_t onnx_type) {
  switch (onnx_type) {
    case 14: return "complex64";
    case 15: return "complex128";
    case 17: return "float8e4m3fn";
    case 18: return "float8e4m3fnuz";
    case 19: return "float8e5m2";
    case 20: return "float8e5m2fnuz";
    case 21: return "uint4";
    case 22: return "int4";
    case 23: return "float4e2m1";
    default: return is_known_type(onnx_type) ? type_name(static_cast<DataType>(onnx_type)) : std::string();
  }
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw InvalidArgument("shape " + shape_string(shape) + " has a negative dimension");
    if (d != 0 && n > kMaxElements / d)
      throw InvalidArgument("shape " + shape_string(shape) + " has more than 2^40 elements");
    n *= d;
  }
  return n;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::ostringstream out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out << "\u00d7";
    if (shape[i] < 0) out << '?'; else out << shape[i];
  }
  return out.str();
}

Tensor::Tensor(DataType type, std::vector<std::int64_t> shape) : type_(type), shape_(std::move(shape)) {
  if (element_size(type) == 0) throw InvalidArgument("tensors of type " + type_name(type) + " are not supported");
  size_ = element_count(shape_);
  // Up to 2^43 bytes: more than a 32-bit size_t (wasm32) holds, so check before converting.
  const std::uint64_t bytes = static_cast<std::uint64_t>(size_) * element_size(type);
  if (bytes > std::numeric_limits<std::size_t>::max() - 7)
    throw InvalidArgument("shape " + shape_string(shape_) + " of " + type_name(type) + " needs " +
                          std::to_string(bytes) + " bytes, more than this platform can address");
  storage_.assign(static_cast<std::size_t>((bytes + 7) / 8), 0);
}

void Tensor::check_view(DataType requested) const {
  if (requested == type_) return;
  if (requested == DataType::uint16 && (type_ == DataType::float16 || type_ == DataType::bfloat16)) return;
  if (requested == DataType::uint8 && (type_ == DataType::boolean || type_ == DataType::uint4)) return;
  if (requested == DataType::int8 && type_ == DataType::int4) return;
  throw InvalidArgument("a " + type_name(type_) + " tensor was read as " + type_name(requested));
}

void Tensor::check_count(std::size_t values) const {
  if (values != static_cast<std::size_t>(size_))
    throw InvalidArgument(std::to_string(values) + " values do not fill shape " + shape_string(shape_));
}

Tensor Tensor::reshaped(std::vector<std::int64_t> shape) const& {
  Tensor copy = *this;
  return std::move(copy).reshaped(std::move(shape));
}

Tensor Tensor::reshaped(std::vector<std::int64_t> shape) && {
  if (element_count(shape) != size_)
    throw InvalidArgument("cannot reshape " + shape_string(shape_) + " to " + shape_string(shape));
  Tensor out = std::move(*this);
  out.shape_ = std::move(shape);
  return out;
}

namespace {
template <class R, class F>
std::vector<R> convert_all(const Tensor& t, F&& get) {
  std::vector<R> out(static_cast<std::size_t>(t.size()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = get(i);
  return out;
}

template <class R>
std::vector<R> convert(const Tensor& t) {
  switch (t.type()) {
    case DataType::float32: { auto p = t.data<float>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::float64: { auto p = t.data<double>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::uint8: case DataType::boolean: case DataType::uint4: { auto p = t.data<std::uint8_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::int8: case DataType::int4: { auto p = t.data<std::int8_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::uint16: { auto p = t.data<std::uint16_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::int16: { auto p = t.data<std::int16_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::int32: { auto p = t.data<std::int32_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::int64: { auto p = t.data<std::int64_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::uint32: { auto p = t.data<std::uint32_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    case DataType::uint64: { auto p = t.data<std::uint64_t>(); return convert_all<R>(t, [&](std::size_t i) { return static_cast<R>(p[i]); }); }
    default: throw InvalidArgument("cannot convert a " + type_name(t.type()) + " tensor to numbers");
  }
}
}  // namespace

std::vector<std::int64_t> Tensor::to_int64() const { return convert<std::int64_t>(*this); }
std::vector<double> Tensor::to_double() const { return convert<double>(*this); }

}  // namespace quantlab::model
