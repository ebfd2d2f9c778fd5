// model/ops/int8_common.h (private) — helpers shared by the quantization,
// integer and Cast ops: type checks, reading zero points and scales, fused
// activations, the uint8 → int8 weight shift, and NCHW ↔ NHWC transposes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "model/ops/op.h"
#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"
#include "quantlab/kernels/gemm.h"
#include "model/qdq_fusion.h"
#include "quant/rounding.h"

namespace quantlab::model::int8_ops {

// ---- op tables of this family (registry_int8.cpp puts them together) -------
void add_quantize_linear_ops(std::vector<OpDef>& ops);  // quantize_linear.cpp
void add_integer_gemm_ops(std::vector<OpDef>& ops);     // integer_gemm.cpp
void add_integer_conv_ops(std::vector<OpDef>& ops);     // integer_conv.cpp
void add_cast_ops(std::vector<OpDef>& ops);             // cast.cpp
// The executor's private ops made by the QDQ rewrite (model/qdq_fusion.h),
// domain "quantlab"; QLinearConvAct lives in integer_conv.cpp.
void add_qlinear_gemm_act_ops(std::vector<OpDef>& ops);            // qlinear_gemm_act.cpp
void add_qlinear_add_act_ops(std::vector<OpDef>& ops);             // qlinear_add_act.cpp
void add_qlinear_global_average_pool_ops(std::vector<OpDef>& ops); // qlinear_global_average_pool.cpp

// ---- types -----------------------------------------------------------------

/// True for the 8-bit integer types the int8 kernels take.
inline bool is_q8(DataType t) { return t == DataType::uint8 || t == DataType::int8; }

/// Constant weights of the fused integer layers may also be 4-bit (opset 21's
/// int4/uint4, one value per byte in memory): they run as 8-bit weights.
inline const std::initializer_list<DataType> kWeightTypes = {DataType::uint8, DataType::int8, DataType::uint4,
                                                             DataType::int4};

/// "uint8 or int8", "float, uint8 or int8", for messages.
inline std::string type_list(std::initializer_list<DataType> types) {
  std::string out;
  std::size_t i = 0;
  for (DataType t : types) {
    if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
    out += type_name(t);
    ++i;
  }
  return out;
}

/// Throws Unsupported ("input 'B' is float16; supported: uint8 or int8") unless `type` is allowed.
inline void require_type(const Node& node, const std::string& what, DataType type,
                         std::initializer_list<DataType> allowed) {
  for (DataType t : allowed)
    if (t == type) return;
  unsupported(node, what + " is " + type_name(type) + "; supported: " + type_list(allowed));
}

/// Throws InvalidArgument unless a zero point has its tensor's type (ONNX requires it).
inline void require_same_type(const Node& node, const std::string& zero_point, DataType zp_type,
                              const std::string& tensor, DataType tensor_type) {
  if (zp_type != tensor_type)
    invalid(node, zero_point + " is " + type_name(zp_type) + " but " + tensor + " is " + type_name(tensor_type) +
                      "; they must have the same type");
}

/// The integer range of uint8, int8, uint16 and int16.
struct IntRange {
  std::int32_t min = 0;
  std::int32_t max = 0;
};

inline IntRange int_range(DataType t) {
  switch (t) {
    case DataType::uint8: return {0, 255};
    case DataType::int8: return {-128, 127};
    case DataType::uint16: return {0, 65535};
    case DataType::int16: return {-32768, 32767};
    case DataType::uint4: return {0, 15};
    case DataType::int4: return {-8, 7};
    default: throw InvalidArgument("no 4/8/16-bit integer range for " + type_name(t));
  }
}

// ---- reading parameters ----------------------------------------------------

/// Values of an integer tensor (uint4, int4, uint8, int8, uint16, int16, int32) as int32.
inline std::vector<std::int32_t> int32_values(const Tensor& t) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(t.size()));
  auto copy = [&](const auto* p) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int32_t>(p[i]);
  };
  switch (t.type()) {
    case DataType::uint8: case DataType::uint4: copy(t.data<std::uint8_t>()); break;
    case DataType::int8: case DataType::int4: copy(t.data<std::int8_t>()); break;
    case DataType::uint16: copy(t.data<std::uint16_t>()); break;
    case DataType::int16: copy(t.data<std::int16_t>()); break;
    case DataType::int32: copy(t.data<std::int32_t>()); break;
    default: throw InvalidArgument("a " + type_name(t.type()) + " tensor is not an integer parameter");
  }
  return out;
}

/// Values of a float32 tensor (scales); Unsupported naming `what` for another type.
inline std::vector<float> float_values(const Node& node, const std::string& what, const Tensor& t) {
  require_type(node, what, t.type(), {DataType::float32});
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.size());
}

/// Throws InvalidArgument unless every scale is positive and finite (the
/// kernels divide and requantize by them).
inline void require_positive_scales(const Node& node, const std::string& what, const std::vector<float>& scales) {
  for (float s : scales)
    if (!(s > 0.0f) || !std::isfinite(s))
      invalid(node, what + " must be positive and finite, got " + std::to_string(s));
}

// ---- fused activations -----------------------------------------------------

/// QuantizeLinear of one float: saturate(round_half_even(v / scale) + zp),
/// the quotient clamped to the type's range first (±Inf saturate).
inline std::int32_t quantize_code(float v, float scale, std::int32_t zp, IntRange range) {
  const float q = std::clamp(v / scale, static_cast<float>(range.min - zp), static_cast<float>(range.max - zp));
  return static_cast<std::int32_t>(quant::detail::round_half_even_f32(q)) + zp;
}

/// The output clamp of a fused node: the codes of its float attributes
/// activation_min and activation_max (absent: -Inf and +Inf), as QuantizeLinear
/// computes them. Because QuantizeLinear is monotonic,
///   Q(clip(v, lo, hi)) = clamp(Q(v), Q(lo), Q(hi))
/// exactly, so clamping the requantized codes to [Q(lo), Q(hi)] is the fused
/// Relu (lo = 0, giving the zero point) or Clip of the float graph.
inline IntRange activation_range(const Node& node, float y_scale, std::int32_t y_zero_point, DataType y_type) {
  const IntRange type = int_range(y_type);
  const float lo = node.get_float("activation_min", -std::numeric_limits<float>::infinity());
  const float hi = node.get_float("activation_max", std::numeric_limits<float>::infinity());
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    invalid(node, "activation_min " + std::to_string(lo) + " and activation_max " + std::to_string(hi) +
                      " are not an ordered range");
  return IntRange{quantize_code(lo, y_scale, y_zero_point, type), quantize_code(hi, y_scale, y_zero_point, type)};
}

// ---- weights for the int8 kernels ------------------------------------------
// The kernels take signed int8 weights. uint8 weights (ONNX allows them) are
// shifted by -128 together with their zero point: exact, because
// (w - zw) = (w - 128) - (zw - 128) and both sides stay within -128..127.

/// Weights as int8: int8 (and int4) copied, uint8 (and uint4) minus 128.
inline std::vector<std::int8_t> weights_as_s8(const Tensor& w) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(w.size()));
  if (w.type() == DataType::int8 || w.type() == DataType::int4) {
    const std::int8_t* p = w.data<std::int8_t>();
    out.assign(p, p + w.size());
  } else {
    const std::uint8_t* p = w.data<std::uint8_t>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int8_t>(static_cast<int>(p[i]) - 128);
  }
  return out;
}

/// A weight zero point in the int8 frame of weights_as_s8.
inline std::int32_t weight_zero_point_as_s8(std::int32_t zp, DataType weight_type) {
  return weight_type == DataType::uint8 || weight_type == DataType::uint4 ? zp - 128 : zp;
}

// ---- layouts ---------------------------------------------------------------
// ONNX tensors are NCHW; the NHWC convolution kernels read and write NHWC.

/// What the NCHW int8 convolutions (qconv2d_nchw.h, qdwconv2d_nchw.h) add to
/// an output channel's sums before requantizing: bias − zx'·R (eq. K6 with
/// the weights as rows; zx' the input zero point in the int8 frame, R the sum
/// of the channel's weights), modulo 2^32 as the kernels add.
inline std::int32_t requant_row_init(std::int32_t bias, std::int32_t zx, std::int32_t weight_sum) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(bias) -
                                   static_cast<std::uint32_t>(zx) * static_cast<std::uint32_t>(weight_sum));
}

/// The checks the NCHW int8 convolutions share: exactly one input and one
/// output pointer, and 1 or `channels` output scales.
inline void check_nchw_q8_io(const kernels::Q8Input& input, const kernels::Q8Output& output, std::size_t channels) {
  if ((input.u8 == nullptr) == (input.s8 == nullptr)) throw InvalidArgument("quantized input: set exactly one of u8 and s8");
  if ((output.u8 == nullptr) == (output.s8 == nullptr)) throw InvalidArgument("quantized output: set exactly one of u8 and s8");
  if (output.scale.size() != 1 && output.scale.size() != channels)
    throw InvalidArgument("output scale needs 1 or out_channels values");
}

/// n bytes from src to d, XORed with `flip` (0x80: uint8 codes to the int8
/// frame, x − 128; 0: a copy), for padding image rows into a plane: in 8-byte
/// steps with the last 8 again from n − 8, and below 8 as two overlapping
/// halves, so short rows cost a few moves and nothing outside [0, n) is touched.
inline void copy_flipped(const std::uint8_t* src, std::int8_t* d, std::size_t n, std::uint8_t flip) {
  auto copy = [&](std::size_t i, auto word) {
    using W = decltype(word);
    W v;
    std::memcpy(&v, src + i, sizeof(W));
    v = static_cast<W>(v ^ static_cast<W>(flip * static_cast<W>(UINT64_C(0x0101010101010101))));
    std::memcpy(d + i, &v, sizeof(W));
  };
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) copy(i, std::uint64_t{});
    if (i < n) copy(n - 8, std::uint64_t{});
  } else if (n >= 4) {
    copy(0, std::uint32_t{});
    copy(n - 4, std::uint32_t{});
  } else if (n >= 2) {
    copy(0, std::uint16_t{});
    copy(n - 2, std::uint16_t{});
  } else if (n == 1) {
    d[0] = static_cast<std::int8_t>(src[0] ^ flip);
  }
}

/// Channels [0, count) of `x` (planes of s.in_height × s.in_width codes)
/// into the interiors of `count` planes of hp × wp at `dst` (at row
/// s.pad_top, column s.pad_left), in the int8 frame (`flip`, as
/// copy_flipped). The borders are the caller's: the NCHW convolutions set
/// them to the zero point once per call.
inline void copy_into_padded_planes(const kernels::Conv2dShape& s, std::size_t hp, std::size_t wp,
                                    const std::uint8_t* x, std::size_t count, std::uint8_t flip, std::int8_t* dst) {
  const std::size_t plane = s.in_height * s.in_width;
  for (std::size_t c = 0; c < count; ++c)
    for (std::size_t y = 0; y < s.in_height; ++y)
      copy_flipped(x + c * plane + y * s.in_width, dst + (c * hp + y + s.pad_top) * wp + s.pad_left, s.in_width,
                   flip);
}

/// Tile edge of the transposes: a 16 × 16 tile's reads and writes stay in a
/// few cache lines, where a plain loop nest writes one line per element
/// (measured 3× faster in WebAssembly for 16..96 channels).
inline constexpr std::size_t kTransposeTile = 16;

/// dst[p][c] = src[c][p] for one image of `rows` × `cols` (src rows are contiguous).
template <class T>
void transpose_tiled(const T* src, T* dst, std::size_t rows, std::size_t cols) {
  constexpr std::size_t B = kTransposeTile;
  for (std::size_t r0 = 0; r0 < rows; r0 += B) {
    const std::size_t rn = std::min(B, rows - r0);
    for (std::size_t c0 = 0; c0 < cols; c0 += B) {
      const std::size_t cn = std::min(B, cols - c0);
      if (rn == B && cn == B) {  // a whole tile: constant trip counts the compiler unrolls
        for (std::size_t c = 0; c < B; ++c)
          for (std::size_t r = 0; r < B; ++r) dst[(c0 + c) * rows + r0 + r] = src[(r0 + r) * cols + c0 + c];
        continue;
      }
      for (std::size_t c = c0; c < c0 + cn; ++c)
        for (std::size_t r = r0; r < r0 + rn; ++r) dst[c * rows + r] = src[r * cols + c];
    }
  }
}

/// dst[n][p][c] = src[n][c][p] for `pixels` = H·W positions.
template <class T>
void nchw_to_nhwc(const T* src, T* dst, std::size_t batch, std::size_t channels, std::size_t pixels) {
  for (std::size_t n = 0; n < batch; ++n)
    transpose_tiled(src + n * channels * pixels, dst + n * channels * pixels, channels, pixels);
}

/// dst[n][c][p] = src[n][p][c].
template <class T>
void nhwc_to_nchw(const T* src, T* dst, std::size_t batch, std::size_t channels, std::size_t pixels) {
  for (std::size_t n = 0; n < batch; ++n)
    transpose_tiled(src + n * channels * pixels, dst + n * channels * pixels, pixels, channels);
}

}  // namespace quantlab::model::int8_ops
