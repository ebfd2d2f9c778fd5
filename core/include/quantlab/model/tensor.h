// quantlab/model/tensor.h — the dense, type-erased tensor the model executor passes between ops.
//
// ONNX graphs mix element types (float, int8, uint8, int32, int64 shapes,
// bool), so the executor's tensor carries its type at run time; ops view the
// data as a typed pointer after checking the type. Shapes are int64 as in ONNX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantlab::model {

/// @brief Element types, numbered as ONNX's TensorProto.DataType.
enum class DataType : std::int32_t {
  undefined = 0,
  float32 = 1,
  uint8 = 2,
  int8 = 3,
  uint16 = 4,
  int16 = 5,
  int32 = 6,
  int64 = 7,
  string = 8,  ///< read only to be refused by name
  boolean = 9,
  float16 = 10,
  float64 = 11,
  uint32 = 12,
  uint64 = 13,
  bfloat16 = 16,
  uint4 = 21,  ///< one value per byte in memory, two per byte in files (low nibble first)
  int4 = 22,   ///< as uint4; values -8..7 held sign-extended, so int8 views read them
};

/// @brief Bytes per element in memory (0 for undefined and string).
std::size_t element_size(DataType type);
/// @brief int4 or uint4: one value per byte in memory, packed two to a byte in files.
inline bool is_4bit(DataType type) { return type == DataType::int4 || type == DataType::uint4; }
/// @brief Bytes `count` elements take in an ONNX file: element_size · count,
/// except int4/uint4, packed two to a byte.
std::uint64_t packed_byte_size(DataType type, std::uint64_t count);
/// @brief ONNX's name of the type ("float", "uint8", "int64", ...); "type 42" when unknown.
std::string type_name(DataType type);
/// @brief True for the numbered values above (ONNX types quantlab can hold).
bool is_known_type(std::int32_t onnx_type);
/// @brief ONNX's name of a TensorProto.DataType value, including types quantlab
/// cannot hold ("complex64", "float8e4m3fn", ...); "" when unknown.
std::string onnx_type_name(std::int32_t onnx_type);

/// @brief Number of elements of `shape`; throws InvalidArgument for a negative
/// dim or a product above 2^40 elements (sizes from files are checked before allocation).
std::int64_t element_count(const std::vector<std::int64_t>& shape);
/// @brief "1×3×28×28" (× between dims, "scalar" for rank 0; -1 prints as "?").
std::string shape_string(const std::vector<std::int64_t>& shape);

/// @brief Maps C++ element types to DataType.
template <class T> struct data_type_of;
template <> struct data_type_of<float> { static constexpr DataType value = DataType::float32; };
template <> struct data_type_of<double> { static constexpr DataType value = DataType::float64; };
template <> struct data_type_of<std::uint8_t> { static constexpr DataType value = DataType::uint8; };
template <> struct data_type_of<std::int8_t> { static constexpr DataType value = DataType::int8; };
template <> struct data_type_of<std::uint16_t> { static constexpr DataType value = DataType::uint16; };
template <> struct data_type_of<std::int16_t> { static constexpr DataType value = DataType::int16; };
template <> struct data_type_of<std::int32_t> { static constexpr DataType value = DataType::int32; };
template <> struct data_type_of<std::int64_t> { static constexpr DataType value = DataType::int64; };
template <> struct data_type_of<std::uint32_t> { static constexpr DataType value = DataType::uint32; };
template <> struct data_type_of<std::uint64_t> { static constexpr DataType value = DataType::uint64; };
template <> struct data_type_of<bool> { static constexpr DataType value = DataType::boolean; };

/// @brief A dense row-major tensor owning its bytes (8-byte aligned).
/// float16/bfloat16 are stored as their uint16 bit patterns; boolean as one byte.
class Tensor {
 public:
  Tensor() = default;
  /// Zero-filled tensor; throws InvalidArgument for bad shapes or a string/undefined type.
  Tensor(DataType type, std::vector<std::int64_t> shape);

  /// A tensor of `shape` holding a copy of `values` (values.size() must equal the element count).
  template <class T>
  static Tensor from(std::vector<std::int64_t> shape, const std::vector<T>& values);
  /// A rank-0 tensor.
  template <class T>
  static Tensor scalar(T value) { return from<T>({}, std::vector<T>{value}); }

  DataType type() const { return type_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }
  std::size_t rank() const { return shape_.size(); }
  std::int64_t dim(std::size_t axis) const { return shape_.at(axis); }
  /// Number of elements.
  std::int64_t size() const { return size_; }
  std::size_t byte_size() const { return static_cast<std::size_t>(size_) * element_size(type_); }
  /// As stored in an ONNX file (int4/uint4: two values per byte).
  std::uint64_t packed_byte_size() const { return model::packed_byte_size(type_, static_cast<std::uint64_t>(size_)); }
  bool empty() const { return type_ == DataType::undefined; }

  /// Typed views; throw InvalidArgument when T does not match type() (uint16
  /// also views float16/bfloat16, uint8 also views boolean and uint4, int8 views int4).
  template <class T> T* data();
  template <class T> const T* data() const;
  std::uint8_t* bytes() { return reinterpret_cast<std::uint8_t*>(storage_.data()); }
  const std::uint8_t* bytes() const { return reinterpret_cast<const std::uint8_t*>(storage_.data()); }

  /// The same data with another shape of equal element count (throws otherwise).
  Tensor reshaped(std::vector<std::int64_t> shape) const&;
  Tensor reshaped(std::vector<std::int64_t> shape) &&;

  /// Values converted to int64 / double (any numeric type); for shape inputs and tests.
  std::vector<std::int64_t> to_int64() const;
  std::vector<double> to_double() const;

 private:
  void check_view(DataType requested) const;
  void check_count(std::size_t values) const;  // throws unless values == size()

  DataType type_ = DataType::undefined;
  std::vector<std::int64_t> shape_;
  std::int64_t size_ = 0;
  std::vector<std::uint64_t> storage_;  // uint64 words: 8-byte alignment for every element type
};

template <class T>
T* Tensor::data() {
  check_view(data_type_of<T>::value);
  return reinterpret_cast<T*>(storage_.data());
}

template <class T>
const T* Tensor::data() const {
  check_view(data_type_of<T>::value);
  return reinterpret_cast<const T*>(storage_.data());
}

template <class T>
Tensor Tensor::from(std::vector<std::int64_t> shape, const std::vector<T>& values) {
  Tensor t(data_type_of<T>::value, std::move(shape));
  t.check_count(values.size());
  T* out = t.data<T>();
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

}  // namespace quantlab::model
