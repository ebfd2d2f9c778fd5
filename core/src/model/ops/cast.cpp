// Cast and CastLike between the numeric types quantlab holds: float, double,
// float16, bfloat16, int8/16/32/64, uint8/16/32/64 and bool.
//
// Conversions are C++'s (and so onnxruntime's) where C++ defines them:
// - to a float type: round to nearest, ties to even; overflow gives ±Inf and
//   NaN stays NaN. float16 and bfloat16 use the project's codecs
//   (formats/codec.h); float → bfloat16 rounds too, as onnxruntime and
//   onnx.helper do now (ONNX 1.12's backend test data truncates: see
//   tests/native/model/ops_int8_test.cpp).
// - float → integer: truncation toward zero. NaN and values beyond the target
//   type are undefined in C++ (and give the hardware's answer in
//   onnxruntime); here NaN gives 0 and out-of-range values saturate.
// - integer → integer: modulo 2^bits (two's complement), like static_cast.
//   int64 / uint64 beyond 2^53 reach float16 and bfloat16 through double, so
//   they round twice (onnxruntime goes through float: the same caveat).
// - to bool: nonzero (NaN too) is true; bool → 1 or 0.
// String casts and the float8 / 4-bit types of opsets 19 and 21 are refused by name.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "model/ops/int8_common.h"
#include "model/ops/op.h"
#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"

namespace quantlab::model::int8_ops {
namespace {

// ============================================================================
// Element types as tags: how a value is stored and read
// ============================================================================

template <class T>
struct Plain {  ///< a number stored as itself
  using storage = T;
};
struct Fp16 {  ///< float16, stored as its bit pattern
  using storage = std::uint16_t;
};
struct Bf16 {  ///< bfloat16, stored as its bit pattern
  using storage = std::uint16_t;
};
struct Bool {  ///< bool, one byte: 0 or 1
  using storage = std::uint8_t;
};
template <class Tag>
using storage_t = typename Tag::storage;

const formats::FormatSpec& fp16_spec() {
  static const formats::FormatSpec spec = formats::format_spec("fp16");
  return spec;
}

const formats::FormatSpec& bf16_spec() {
  static const formats::FormatSpec spec = formats::format_spec("bf16");
  return spec;
}

/// Calls f(Tag{}) for the tag of `type`; Unsupported for types Cast does not convert.
template <class F>
void visit_type(const Node& node, DataType type, F&& f) {
  switch (type) {
    case DataType::float32: return f(Plain<float>{});
    case DataType::float64: return f(Plain<double>{});
    case DataType::float16: return f(Fp16{});
    case DataType::bfloat16: return f(Bf16{});
    case DataType::int8: return f(Plain<std::int8_t>{});
    case DataType::uint8: return f(Plain<std::uint8_t>{});
    case DataType::int16: return f(Plain<std::int16_t>{});
    case DataType::uint16: return f(Plain<std::uint16_t>{});
    case DataType::int32: return f(Plain<std::int32_t>{});
    case DataType::uint32: return f(Plain<std::uint32_t>{});
    case DataType::int64: return f(Plain<std::int64_t>{});
    case DataType::uint64: return f(Plain<std::uint64_t>{});
    case DataType::boolean: return f(Bool{});
    default: unsupported(node, "casting " + type_name(type) + " is not supported");
  }
}

// ---- reading: floats as double (exact), integers as themselves ---------------

template <class T>
T load(Plain<T>, T v) { return v; }
double load(Fp16, std::uint16_t bits) { return formats::decode(fp16_spec(), bits); }
double load(Bf16, std::uint16_t bits) {  // the top half of a float32: widening is a shift
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}
std::uint8_t load(Bool, std::uint8_t v) { return v != 0 ? 1 : 0; }

// ---- writing ------------------------------------------------------------------

/// Truncates toward zero; NaN gives 0, values beyond Int's range saturate.
template <class Int, class F>
Int truncate_saturating(F v) {
  if (std::isnan(v)) return 0;
  const double t = std::trunc(static_cast<double>(v));
  // Int's bounds as double: lowest is exact; max rounds up to 2^bits(-1), so ">=" saturates exactly the overflow.
  if (t <= static_cast<double>(std::numeric_limits<Int>::lowest())) return std::numeric_limits<Int>::lowest();
  if (t >= static_cast<double>(std::numeric_limits<Int>::max())) return std::numeric_limits<Int>::max();
  return static_cast<Int>(t);
}

template <class DstTag, class V>
storage_t<DstTag> store(V v) {
  if constexpr (std::is_same_v<DstTag, Fp16>) {
    return static_cast<std::uint16_t>(formats::encode(fp16_spec(), static_cast<double>(v)));
  } else if constexpr (std::is_same_v<DstTag, Bf16>) {
    return static_cast<std::uint16_t>(formats::encode(bf16_spec(), static_cast<double>(v)));
  } else if constexpr (std::is_same_v<DstTag, Bool>) {
    return v != 0 ? 1 : 0;  // NaN != 0
  } else {
    using D = storage_t<DstTag>;
    if constexpr (std::is_floating_point_v<D> || !std::is_floating_point_v<V>) {
      return static_cast<D>(v);  // to float: rounds to nearest even; integer to integer: modulo 2^bits
    } else {
      return truncate_saturating<D>(v);
    }
  }
}

template <class SrcTag, class DstTag>
storage_t<DstTag> convert(storage_t<SrcTag> v) {
  constexpr bool to_half = std::is_same_v<DstTag, Fp16> || std::is_same_v<DstTag, Bf16>;
  if constexpr (std::is_same_v<SrcTag, Plain<float>> && to_half) {
    // From the fp32 bits: the codec keeps NaN payloads as F16C does.
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return static_cast<std::uint16_t>(
        formats::encode_fp32_bits(std::is_same_v<DstTag, Fp16> ? fp16_spec() : bf16_spec(), bits));
  } else {
    return store<DstTag>(load(SrcTag{}, v));
  }
}

Tensor cast_tensor(const Node& node, const Tensor& x, DataType to) {
  Tensor y(to, x.shape());
  const auto n = static_cast<std::size_t>(x.size());
  visit_type(node, x.type(), [&](auto src_tag) {
    visit_type(node, to, [&](auto dst_tag) {
      using Src = decltype(src_tag);
      using Dst = decltype(dst_tag);
      const auto* in = reinterpret_cast<const storage_t<Src>*>(x.bytes());
      auto* out = reinterpret_cast<storage_t<Dst>*>(y.bytes());
      for (std::size_t i = 0; i < n; ++i) out[i] = convert<Src, Dst>(in[i]);
    });
  });
  return y;
}

// ============================================================================
// Types Cast refuses, by name
// ============================================================================

/// The ONNX name of a type for messages ("float8e4m3fn", ...), "type N" when ONNX has none.
std::string onnx_type_label(std::int64_t t) {
  const bool fits = t >= INT32_MIN && t <= INT32_MAX;
  const std::string name = fits ? onnx_type_name(static_cast<std::int32_t>(t)) : std::string();
  return name.empty() ? "type " + std::to_string(t) : name;
}

void require_castable(const Node& node, const std::string& what, std::int64_t type) {
  if (type == static_cast<std::int64_t>(DataType::string))
    unsupported(node, what + " is string: string casts are not supported (tensors hold numbers only)");
  if (type == 0 || !is_known_type(static_cast<std::int32_t>(type)))
    unsupported(node, what + " is " + onnx_type_label(type) +
                          ": Cast converts float, double, float16, bfloat16, int8-64, uint8-64 and bool");
}

DataType cast_target(const Node& node) {
  if (node.find("to") == nullptr) invalid(node, "attribute 'to' is required");
  const std::int64_t to = node.get_int("to", 0);
  require_castable(node, "attribute 'to'", to);
  return static_cast<DataType>(to);
}

TypeShape with_type(const TypeShape& like, DataType type) {
  TypeShape out = like;
  out.type = type;
  out.value = nullptr;
  return out;
}

// ============================================================================
// Cast and CastLike
// ============================================================================

void infer_cast(InferContext& ctx) { ctx.outputs[0] = with_type(ctx.input(0), cast_target(ctx.node)); }

std::unique_ptr<Kernel> build_cast(const BuildContext& ctx) {
  const DataType to = cast_target(ctx.node);
  require_castable(ctx.node, "the input", static_cast<std::int64_t>(ctx.input(0).type));
  return function_kernel([to](RunContext& rc) { rc.outputs[0] = cast_tensor(rc.node, rc.input(0), to); });
}

void infer_cast_like(InferContext& ctx) { ctx.outputs[0] = with_type(ctx.input(0), ctx.input(1).type); }

std::unique_ptr<Kernel> build_cast_like(const BuildContext& ctx) {
  require_castable(ctx.node, "the input", static_cast<std::int64_t>(ctx.input(0).type));
  require_castable(ctx.node, "the target type", static_cast<std::int64_t>(ctx.input(1).type));
  const DataType to = ctx.input(1).type;
  return function_kernel([to](RunContext& rc) { rc.outputs[0] = cast_tensor(rc.node, rc.input(0), to); });
}

}  // namespace

void add_cast_ops(std::vector<OpDef>& ops) {
  // Opset 6 made 'to' an int (opset 1 had a string); 9 added strings, 13 bfloat16, 19 float8.
  ops.push_back({"", "Cast", 6, infer_cast, build_cast});
  ops.push_back({"", "CastLike", 15, infer_cast_like, build_cast_like});
}

}  // namespace quantlab::model::int8_ops
