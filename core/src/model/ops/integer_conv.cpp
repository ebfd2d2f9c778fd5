// ConvInteger, QLinearConv and quantlab.QLinearConvAct on the int8 kernels
// (core/docs/kernels.md):
//
//   ConvInteger     y = Σ (x - x_zero_point)(w - w_zero_point), exact int32
//                   (im2col here, then gemm_q8_s32 per group, eq. K6)
//   QLinearConv     y = saturate(round_half_even(acc · M[c]) + y_zero_point),
//                   acc = Σ (x - x_zero_point)(w - w_zero_point[c]) + B[c],
//                   M[c] = fl(fl(x_scale · w_scale[c]) / y_scale)   (conv2d_q8, eq. K8, K9)
//   QLinearConvAct  QLinearConv with y clamped to the codes of its attributes
//                   activation_min / activation_max (a fused Relu or Clip;
//                   int8_common.h activation_range). The executor's private op,
//                   made from DequantizeLinear → Conv → [Relu|Clip] → QuantizeLinear
//                   by the QDQ rewrite (model/qdq_fusion.h).
//
// 1-D and 2-D convolutions (a 1-D one runs as 2-D with height 1), with
// groups, strides, dilations, explicit pads and auto_pad (read by spatial.h,
// as the fp32 Conv reads them). Constant weights (with a constant or absent
// zero point and bias) are packed once when the op is built; uint8 weights
// are shifted to int8 (int8_common.h). Three paths, the same integers:
//   - requantized, constant weights: NCHW as it is, weights stationary
//     (qconv2d_nchw.h), no transposes;
//   - the same, one input channel per group (depthwise with any channel
//     multiplier, one-channel stems): direct kernels on NCHW planes
//     (qdwconv2d_nchw.h), no transposes;
//   - ConvInteger, or weights computed by the graph: im2col + GEMM on NHWC
//     (conv2d_q8 / gemm_q8_s32), transposed in and out.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/ops/int8_common.h"
#include "model/ops/op.h"
#include "model/ops/qconv2d_nchw.h"
#include "model/ops/qdwconv2d_nchw.h"
#include "model/ops/spatial.h"
#include "quantlab/kernels/conv.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::model::int8_ops {
namespace {

using kernels::Conv2dShape;
using kernels::PackedConvQs8;

constexpr std::size_t kAbsent = ~std::size_t{0};

/// Where each op keeps its inputs (kAbsent: the op has no such input; has_input() is false for it).
struct ConvInputs {
  std::size_t x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, bias;
};
constexpr ConvInputs kConvIntegerInputs{0, kAbsent, 2, 1, kAbsent, 3, kAbsent, kAbsent, kAbsent};
constexpr ConvInputs kQLinearConvInputs{0, 1, 2, 3, 4, 5, 6, 7, 8};

const Tensor* optional_input(const RunContext& rc, std::size_t i) { return rc.has_input(i) ? &rc.input(i) : nullptr; }

// ============================================================================
// Attributes and output sizes
// ============================================================================

/// A 1-D or 2-D convolution's attributes. The window (strides, dilations,
/// pads, auto_pad) is read once by spatial.h, as the fp32 Conv reads it; its
/// kernel is filled in per use, from w. A 1-D convolution runs as a 2-D one of
/// height 1 (stride 1, no vertical padding).
struct ConvAttributes {
  std::size_t spatial = 2;  ///< spatial axes of the ONNX tensors (1 or 2)
  std::int64_t group = 1;
  std::vector<std::int64_t> kernel_shape;  ///< the attribute as given (empty: from w)
  ops::WindowAttrs window;                 ///< kernel all 1 until kernel_dims() is known
};

ConvAttributes conv_attributes(const Node& node, std::size_t spatial) {
  if (spatial < 1 || spatial > 2)
    unsupported(node, std::to_string(spatial) + "-D convolution is not supported; 1-D and 2-D are");
  ConvAttributes at;
  at.spatial = spatial;
  at.group = node.get_int("group", 1);
  if (at.group < 1) invalid(node, "attribute 'group' = " + std::to_string(at.group) + " must be >= 1");
  if (node.find("kernel_shape")) {
    at.kernel_shape = node.get_ints("kernel_shape");
    if (at.kernel_shape.size() != spatial)
      invalid(node, "attribute 'kernel_shape' has " + std::to_string(at.kernel_shape.size()) + " values; expected " +
                        std::to_string(spatial));
  }
  // Validates strides, dilations, pads and auto_pad now; kernel_shape's values too when given.
  at.window = ops::read_window_attrs(
      node, at.kernel_shape.empty() ? std::vector<std::int64_t>(spatial, 1) : at.kernel_shape, false);
  return at;
}

/// The kernel's size along each ONNX spatial axis, from w (dims may be -1);
/// checked against the kernel_shape attribute when both are known.
std::vector<std::int64_t> kernel_dims(const Node& node, const ConvAttributes& at, const std::vector<std::int64_t>& w) {
  std::vector<std::int64_t> k(at.spatial, -1);
  if (w.size() == at.spatial + 2) k.assign(w.begin() + 2, w.end());
  if (!at.kernel_shape.empty()) {
    for (std::size_t i = 0; i < at.spatial; ++i) {
      if (k[i] >= 0 && k[i] != at.kernel_shape[i])
        invalid(node, "attribute 'kernel_shape' " + shape_string(at.kernel_shape) + " differs from the weights' " +
                          shape_string(w));
      k[i] = at.kernel_shape[i];
    }
  }
  return k;
}

/// The window with kernel `k` (unknown dims, -1, become 1: resolve_window
/// reads only the dim it resolves, and callers skip unknown ones).
ops::WindowAttrs window_with_kernel(const ConvAttributes& at, const std::vector<std::int64_t>& k) {
  ops::WindowAttrs w = at.window;
  for (std::size_t i = 0; i < at.spatial; ++i) w.kernel[i] = k[i] < 0 ? 1 : k[i];
  return w;
}

/// Output shape [N, M, spatial...]; dims may be -1.
std::vector<std::int64_t> conv_output_shape(const Node& node, const ConvAttributes& at,
                                            const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& w) {
  const std::vector<std::int64_t> k = kernel_dims(node, at, w);
  const ops::WindowAttrs window = window_with_kernel(at, k);
  std::vector<std::int64_t> y{x.empty() ? -1 : x[0], w.empty() ? -1 : w[0]};
  for (std::size_t i = 0; i < at.spatial; ++i) {
    const std::int64_t in = x.size() == at.spatial + 2 ? x[2 + i] : -1;
    y.push_back(in < 0 || k[i] < 0 ? -1 : ops::resolve_window(node, window, i, in).out);
  }
  return y;
}

bool same_geometry(const Conv2dShape& a, const Conv2dShape& b) {
  return a.batch == b.batch && a.in_height == b.in_height && a.in_width == b.in_width &&
         a.in_channels == b.in_channels && a.out_channels == b.out_channels && a.kernel_height == b.kernel_height &&
         a.kernel_width == b.kernel_width && a.stride_height == b.stride_height && a.stride_width == b.stride_width &&
         a.dilation_height == b.dilation_height && a.dilation_width == b.dilation_width && a.pad_top == b.pad_top &&
         a.pad_left == b.pad_left && a.pad_bottom == b.pad_bottom && a.pad_right == b.pad_right && a.groups == b.groups;
}

// ============================================================================
// im2col for ConvInteger
// ============================================================================

/// GEMM rows of group g for output pixels [p0, p0 + rows) of the whole batch:
/// K = kh·kw·C/groups values per row, ordered (ky, kx, c) as pack_conv2d_qs8
/// orders the weights. Taps in the padding read the zero point, so they add
/// (za - za)·w = 0 (eq. K3).
template <class T>
void im2col(const Conv2dShape& s, const T* x_nhwc, T zero_point, std::size_t g, std::size_t p0, std::size_t rows,
            T* out) {
  const std::size_t oh = s.out_height(), ow = s.out_width();
  const std::size_t cg = s.in_channels_per_group();
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t p = p0 + r;
    const std::size_t n = p / (oh * ow), oy = p / ow % oh, ox = p % ow;
    T* dst = out + r * s.gemm_k();
    for (std::size_t ky = 0; ky < s.kernel_height; ++ky) {
      const auto iy = static_cast<std::int64_t>(oy * s.stride_height + ky * s.dilation_height) -
                      static_cast<std::int64_t>(s.pad_top);
      for (std::size_t kx = 0; kx < s.kernel_width; ++kx, dst += cg) {
        const auto ix = static_cast<std::int64_t>(ox * s.stride_width + kx * s.dilation_width) -
                        static_cast<std::int64_t>(s.pad_left);
        if (iy < 0 || ix < 0 || iy >= static_cast<std::int64_t>(s.in_height) ||
            ix >= static_cast<std::int64_t>(s.in_width)) {
          std::fill(dst, dst + cg, zero_point);
          continue;
        }
        const T* src = x_nhwc + ((n * s.in_height + static_cast<std::size_t>(iy)) * s.in_width +
                                 static_cast<std::size_t>(ix)) * s.in_channels + g * cg;
        std::memcpy(dst, src, cg * sizeof(T));
      }
    }
  }
}

/// Bytes of im2col rows made at a time: about half of a 512 KiB L2, as the kernels block.
constexpr std::size_t kIm2colBlockBytes = 192 * 1024;

/// NHWC int32 output of ConvInteger: one GEMM per group and block of pixels.
template <class T>
void conv_integer_nhwc(const Conv2dShape& s, const std::vector<kernels::PackedWeightsQs8>& groups, const T* x_nhwc,
                       std::int32_t zero_point, std::int32_t* y_nhwc) {
  const std::size_t pixels = s.batch * s.out_height() * s.out_width();
  const std::size_t cg = s.in_channels_per_group(), og = s.out_channels_per_group(), k = s.gemm_k();
  auto input = [&](const T* rows, std::size_t stride) {
    kernels::Q8Input in;
    if constexpr (std::is_same_v<T, std::uint8_t>) in.u8 = rows;
    else in.s8 = rows;
    in.stride = stride;
    in.zero_point = zero_point;
    return in;
  };
  // A 1×1, stride-1, unpadded convolution is a GEMM over the input's pixels as they are.
  const bool pointwise = s.kernel_height == 1 && s.kernel_width == 1 && s.stride_height == 1 && s.stride_width == 1 &&
                         s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 && s.pad_right == 0;
  if (pointwise) {
    for (std::size_t g = 0; g < s.groups; ++g)
      kernels::gemm_q8_s32(pixels, input(x_nhwc + g * cg, s.in_channels), groups[g], y_nhwc + g * og, s.out_channels);
    return;
  }
  const std::size_t block = std::max<std::size_t>(1, std::min(pixels, kIm2colBlockBytes / (k * sizeof(T))));
  std::vector<T> rows(block * k);
  for (std::size_t p0 = 0; p0 < pixels; p0 += block) {
    const std::size_t count = std::min(block, pixels - p0);
    for (std::size_t g = 0; g < s.groups; ++g) {
      im2col(s, x_nhwc, static_cast<T>(zero_point), g, p0, count, rows.data());
      kernels::gemm_q8_s32(count, input(rows.data(), k), groups[g], y_nhwc + p0 * s.out_channels + g * og,
                           s.out_channels);
    }
  }
}

// ============================================================================
// The kernel
// ============================================================================

/// What the kernel computes.
enum class ConvKind {
  integer,      ///< ConvInteger: exact int32 sums
  qlinear,      ///< QLinearConv: requantized to the output's type
  qlinear_act,  ///< quantlab.QLinearConvAct: QLinearConv clamped to a fused activation
};

/// True when a and b differ at most in the batch size.
bool same_image_geometry(const Conv2dShape& a, const Conv2dShape& b) {
  Conv2dShape one = a;
  one.batch = b.batch;
  return same_geometry(one, b);
}

class IntegerConv final : public Kernel {
 public:
  /// The scale and zero-point inputs of a requantized convolution (x_zero_point may be null).
  struct QuantInputs {
    const Tensor* x_scale = nullptr;
    const Tensor* x_zero_point = nullptr;
    const Tensor* w_scale = nullptr;
    const Tensor* y_scale = nullptr;
    const Tensor* y_zero_point = nullptr;
  };

  IntegerConv(ConvKind kind, ConvInputs in, ConvAttributes at) : kind_(kind), in_(in), at_(std::move(at)) {}

  /// Packs constant weights once. `x` is x's type and shape at build time
  /// (dims may be -1); the packing is made for one image, and run() loops
  /// over the batch when its images have that geometry (otherwise it copies
  /// the packed weights with its own shape).
  void prepack(const Node& node, const Tensor& w, const Tensor* w_zero_point, const Tensor* bias,
               const TypeShape& x) {
    std::vector<std::int64_t> x_shape = x.rank_known ? x.shape : std::vector<std::int64_t>{};
    const bool known = x.rank_known && x.shape.size() == w.rank() &&
                       std::all_of(x.shape.begin() + 1, x.shape.end(), [](std::int64_t d) { return d >= 0; });
    if (!known) x_shape = weights_only_input(w.shape());
    x_shape[0] = 1;  // the batch does not change the packing
    if (element_count(w.shape()) == 0) return;
    const Conv2dShape s = kernel_shape(node, x_shape, w.shape(), !known);
    if (known) {
      // Images of this size (the usual case) then skip the shape work per run.
      image_x_shape_ = x_shape;
      image_y_shape_ = conv_output_shape(node, at_, x_shape, w.shape());
      image_geometry_ = s;
      image_known_ = true;
    }
    if (kind_ != ConvKind::integer && is_depthwise_nchw(s)) {
      // One input channel per group: the direct NCHW kernels (qdwconv2d_nchw.h).
      std::vector<std::int32_t> zp, b;
      zero_point_and_bias(node, s, w, w_zero_point, bias, zp, b);
      const std::vector<std::int8_t> weights = weights_as_s8(w);
      dw_nchw_ = pack_dwconv2d_nchw_qs8(s, weights.data(), zp, b);
      prepacked_dw_nchw_ = true;
      return;
    }
    if (kind_ != ConvKind::integer) {
      // Other requantized convolutions run weights-stationary on NCHW (qconv2d_nchw.h).
      nchw_ = pack_nchw(node, s, w, w_zero_point, bias);
      prepacked_nchw_ = true;
      return;
    }
    packed_ = pack(node, s, w, w_zero_point, bias);
    prepacked_ = true;
  }

  /// Computes the output parameters and x's zero point once, from constant
  /// scales and zero points: a batch-1 run then skips a few µs per node.
  void precompute(const Node& node, const QuantInputs& q, DataType x_type, std::size_t out_channels, DataType out_type) {
    out_ = out_params(node, q, out_channels, out_type);
    zx_ = x_zero_point(node, q.x_zero_point, x_type);
    precomputed_ = true;
    if (prepacked_nchw_ && image_known_) {
      nchw_plan_ = plan_conv2d_nchw_q8(nchw_, x_type == DataType::uint8, zx_, out_);
      planned_ = true;
    }
  }

  void run(RunContext& rc) const override {
    const Node& node = rc.node;
    const Tensor& x = rc.input(in_.x);
    const Tensor& w = rc.input(in_.w);
    const bool same_images = image_known_ && x.rank() == image_x_shape_.size() &&
                             std::equal(x.shape().begin() + 1, x.shape().end(), image_x_shape_.begin() + 1);
    std::vector<std::int64_t> y_shape;
    if (same_images) {
      y_shape = image_y_shape_;
      y_shape[0] = x.dim(0);
    } else {
      y_shape = conv_output_shape(node, at_, x.shape(), w.shape());
    }
    const DataType out_type = kind_ == ConvKind::integer ? DataType::int32 : rc.input(in_.y_zero_point).type();
    Tensor y(out_type, y_shape);
    if (y.size() == 0 || x.size() == 0) {
      rc.outputs[0] = std::move(y);
      return;
    }
    Conv2dShape s;
    if (same_images) {
      s = image_geometry_;
      s.batch = static_cast<std::size_t>(x.dim(0));
    } else {
      s = kernel_shape(node, x.shape(), w.shape(), false);
    }
    const std::size_t pixels_in = s.in_height * s.in_width;
    const std::size_t pixels_out = s.out_height() * s.out_width();
    const std::int32_t zx = run_x_zero_point(rc, x.type());
    if (prepacked_nchw_ || prepacked_dw_nchw_) {
      run_nchw(rc, s, x, zx, y);
      rc.outputs[0] = std::move(y);
      return;
    }

    // x to NHWC: a byte transpose for uint8 and int8 alike.
    std::vector<std::uint8_t> x_nhwc(static_cast<std::size_t>(x.size()));
    nchw_to_nhwc(x.bytes(), x_nhwc.data(), s.batch, s.in_channels, pixels_in);

    PackedConvQs8 packed_now;
    const PackedConvQs8* packed = &packed_;
    if (!prepacked_) {
      packed_now = pack(node, s, w, optional_input(rc, in_.w_zero_point), optional_input(rc, in_.bias));
      packed = &packed_now;
    } else if (kind_ != ConvKind::integer && !same_image_geometry(packed_.shape, s)) {
      packed_now = packed_;  // conv2d_q8 reads the shape from the packed weights: copy them with this one
      packed_now.shape = s;
      packed_now.shape.batch = 1;
      packed = &packed_now;
    }

    if (kind_ == ConvKind::integer) {
      std::vector<std::int32_t> y_nhwc(static_cast<std::size_t>(y.size()));
      if (x.type() == DataType::uint8)
        conv_integer_nhwc(s, packed->groups, x_nhwc.data(), zx, y_nhwc.data());
      else
        conv_integer_nhwc(s, packed->groups, reinterpret_cast<const std::int8_t*>(x_nhwc.data()), zx, y_nhwc.data());
      nhwc_to_nchw(y_nhwc.data(), y.data<std::int32_t>(), s.batch, s.out_channels, pixels_out);
      rc.outputs[0] = std::move(y);
      return;
    }

    std::vector<std::uint8_t> y_nhwc(static_cast<std::size_t>(y.size()));
    kernels::Q8Output out = run_out_params(rc, s.out_channels, out_type);
    // Weights packed at build time are packed for one image: one call per image
    // then (packed per run, they have the whole batch's shape).
    const bool per_image = packed->shape.batch != s.batch;
    const std::size_t images = per_image ? s.batch : 1;
    const std::size_t in_step = per_image ? pixels_in * s.in_channels : 0;
    const std::size_t out_step = per_image ? pixels_out * s.out_channels : 0;
    for (std::size_t i = 0; i < images; ++i) {
      kernels::Q8Input in;
      if (x.type() == DataType::uint8) in.u8 = x_nhwc.data() + i * in_step;
      else in.s8 = reinterpret_cast<const std::int8_t*>(x_nhwc.data() + i * in_step);
      in.zero_point = zx;
      if (out_type == DataType::uint8) out.u8 = y_nhwc.data() + i * out_step;
      else out.s8 = reinterpret_cast<std::int8_t*>(y_nhwc.data() + i * out_step);
      kernels::conv2d_q8(*packed, in, out);
    }
    nhwc_to_nchw(y_nhwc.data(), y.bytes(), s.batch, s.out_channels, pixels_out);
    rc.outputs[0] = std::move(y);
  }

 private:
  /// The requantized convolution on NCHW tensors as they are (qconv2d_nchw.h, qdwconv2d_nchw.h).
  void run_nchw(const RunContext& rc, const Conv2dShape& s, const Tensor& x, std::int32_t zx, Tensor& y) const {
    kernels::Q8Input in;
    if (x.type() == DataType::uint8) in.u8 = x.data<std::uint8_t>();
    else in.s8 = x.data<std::int8_t>();
    in.zero_point = zx;
    kernels::Q8Output out = run_out_params(rc, s.out_channels, y.type());
    if (y.type() == DataType::uint8) out.u8 = y.data<std::uint8_t>();
    else out.s8 = y.data<std::int8_t>();
    if (prepacked_dw_nchw_) {
      dwconv2d_nchw_q8(dw_nchw_, s, in, out);  // the packing does not depend on the image size
      return;
    }
    PackedConvNchwQs8 reshaped;
    const PackedConvNchwQs8* packed = &nchw_;
    if (!same_image_geometry(nchw_.shape, s)) {  // another input size than at build: same weights, this geometry
      reshaped = nchw_;
      reshaped.shape = s;
      reshaped.shape.batch = 1;
      packed = &reshaped;
    }
    // The plan made at build holds for the build's image size.
    conv2d_nchw_q8(*packed, s.batch, in, out, kernels::best_isa(), planned_ && packed == &nchw_ ? &nchw_plan_ : nullptr);
  }

  QuantInputs quant_inputs(const RunContext& rc) const {
    return {&rc.input(in_.x_scale), optional_input(rc, in_.x_zero_point), &rc.input(in_.w_scale),
            &rc.input(in_.y_scale), &rc.input(in_.y_zero_point)};
  }

  /// Scales, zero point and clamp of a requantized output (eq. K8, K9).
  kernels::Q8Output out_params(const Node& node, const QuantInputs& q, std::size_t out_channels, DataType out_type) const {
    kernels::Q8Output out;
    out.scale = multipliers(node, q, out_channels);
    const std::vector<std::int32_t> zy = int32_values(*q.y_zero_point);
    if (zy.size() != 1) invalid(node, "y_zero_point must hold one value (per-tensor output)");
    out.zero_point = zy[0];
    IntRange range = int_range(out_type);
    if (kind_ == ConvKind::qlinear_act) range = activation_range(node, q.y_scale->data<float>()[0], zy[0], out_type);
    out.min = range.min;
    out.max = range.max;
    return out;
  }

  /// out_params() of this run: computed at build when the scales and zero
  /// points are constants (always so in a QDQ model), else now.
  kernels::Q8Output run_out_params(const RunContext& rc, std::size_t out_channels, DataType out_type) const {
    if (precomputed_) return out_;
    return out_params(rc.node, quant_inputs(rc), out_channels, out_type);
  }

  /// An input just large enough for one output pixel: packing needs a valid
  /// shape, but packed weights do not depend on the input's size.
  std::vector<std::int64_t> weights_only_input(const std::vector<std::int64_t>& w) const {
    std::vector<std::int64_t> x{1, w.size() > 1 ? w[1] * at_.group : 1};
    for (std::size_t i = 2; i < w.size(); ++i) x.push_back(at_.window.dilations[i - 2] * (w[i] - 1) + 1);
    return x;
  }

  /// The kernels' shape of this convolution for x and w of these shapes.
  /// `unpadded`: for weights_only_input (stride 1, no padding).
  Conv2dShape kernel_shape(const Node& node, const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& w,
                           bool unpadded) const {
    const std::size_t rank = at_.spatial + 2;
    if (x.size() != rank || w.size() != rank)
      invalid(node, "x is " + shape_string(x) + " and w is " + shape_string(w) + "; a " +
                        std::to_string(at_.spatial) + "-D convolution needs rank " + std::to_string(rank) + " for both");
    if (x[1] != w[1] * at_.group)
      invalid(node, "x has " + std::to_string(x[1]) + " channels but w expects " + std::to_string(w[1]) + " × group " +
                        std::to_string(at_.group));
    if (w[0] % at_.group != 0)
      invalid(node, "w has " + std::to_string(w[0]) + " output channels, not divisible by group " +
                        std::to_string(at_.group));
    const std::vector<std::int64_t> k = kernel_dims(node, at_, w);
    const ops::WindowAttrs window = window_with_kernel(at_, k);
    // (height, width) slots; ONNX's spatial axis i goes to slot 2 - spatial + i.
    std::array<std::int64_t, 2> in{1, 1}, kernel{1, 1}, stride{1, 1}, dilation{1, 1}, pad_begin{0, 0}, pad_end{0, 0};
    for (std::size_t i = 0; i < at_.spatial; ++i) {
      const std::size_t slot = 2 - at_.spatial + i;
      in[slot] = x[2 + i];
      kernel[slot] = k[i];
      dilation[slot] = window.dilations[i];
      if (unpadded) continue;
      const ops::WindowDim d = ops::resolve_window(node, window, i, x[2 + i]);
      stride[slot] = window.strides[i];
      pad_begin[slot] = d.pad_begin;
      pad_end[slot] = d.pad_end;
    }
    Conv2dShape s;
    s.batch = static_cast<std::size_t>(x[0]);
    s.in_channels = static_cast<std::size_t>(x[1]);
    s.out_channels = static_cast<std::size_t>(w[0]);
    s.groups = static_cast<std::size_t>(at_.group);
    s.in_height = static_cast<std::size_t>(in[0]);
    s.in_width = static_cast<std::size_t>(in[1]);
    s.kernel_height = static_cast<std::size_t>(kernel[0]);
    s.kernel_width = static_cast<std::size_t>(kernel[1]);
    s.dilation_height = static_cast<std::size_t>(dilation[0]);
    s.dilation_width = static_cast<std::size_t>(dilation[1]);
    s.stride_height = static_cast<std::size_t>(stride[0]);
    s.stride_width = static_cast<std::size_t>(stride[1]);
    s.pad_top = static_cast<std::size_t>(pad_begin[0]);
    s.pad_bottom = static_cast<std::size_t>(pad_end[0]);
    s.pad_left = static_cast<std::size_t>(pad_begin[1]);
    s.pad_right = static_cast<std::size_t>(pad_end[1]);
    if (s.gemm_k() > kernels::kMaxQ8K)
      unsupported(node, "convolution depth kernel_h × kernel_w × C/group = " + std::to_string(s.gemm_k()) +
                            " is larger than " + std::to_string(kernels::kMaxQ8K) +
                            ", the largest for which the int8 kernels' int32 sums are exact");
    return s;
  }

  /// The same for the NCHW convolution.
  PackedConvNchwQs8 pack_nchw(const Node& node, const Conv2dShape& s, const Tensor& w, const Tensor* w_zero_point,
                              const Tensor* bias) const {
    std::vector<std::int32_t> zp, b;
    zero_point_and_bias(node, s, w, w_zero_point, bias, zp, b);
    const std::vector<std::int8_t> weights = weights_as_s8(w);
    return pack_conv2d_nchw_qs8(s, weights.data(), zp, b);
  }

  /// Weights, zero points and bias packed for `s` (int8 frame of weights_as_s8).
  PackedConvQs8 pack(const Node& node, const Conv2dShape& s, const Tensor& w, const Tensor* w_zero_point,
                     const Tensor* bias) const {
    std::vector<std::int32_t> zp, b;
    zero_point_and_bias(node, s, w, w_zero_point, bias, zp, b);
    const std::vector<std::int8_t> weights = weights_as_s8(w);
    return kernels::pack_conv2d_qs8(s, weights.data(), zp, b);
  }

  /// The weights' zero points in the int8 frame of weights_as_s8 and the int32 bias, checked.
  void zero_point_and_bias(const Node& node, const Conv2dShape& s, const Tensor& w, const Tensor* w_zero_point,
                           const Tensor* bias, std::vector<std::int32_t>& zp, std::vector<std::int32_t>& b) const {
    zp = w_zero_point ? int32_values(*w_zero_point) : std::vector<std::int32_t>{0};
    if (zp.size() != 1 && zp.size() != s.out_channels)
      invalid(node, "w_zero_point has " + std::to_string(zp.size()) + " values; expected 1 or " +
                        std::to_string(s.out_channels) + " (one per output channel)");
    for (std::int32_t& z : zp) z = weight_zero_point_as_s8(z, w.type());
    b.clear();
    if (bias != nullptr) {
      require_type(node, "input 'B'", bias->type(), {DataType::int32});
      b = int32_values(*bias);
      if (b.size() != s.out_channels)
        invalid(node, "bias B has " + std::to_string(b.size()) + " values; expected " + std::to_string(s.out_channels));
    }
  }

  static std::int32_t x_zero_point(const Node& node, const Tensor* zp, DataType x_type) {
    if (zp == nullptr) return 0;
    require_same_type(node, "x_zero_point", zp->type(), "x", x_type);
    if (zp->size() != 1) invalid(node, "x_zero_point must hold one value (per-tensor input)");
    return int32_values(*zp)[0];
  }

  std::int32_t run_x_zero_point(const RunContext& rc, DataType x_type) const {
    if (precomputed_) return zx_;
    return x_zero_point(rc.node, optional_input(rc, in_.x_zero_point), x_type);
  }

  /// M[c] = fl(fl(x_scale · w_scale[c]) / y_scale), as onnxruntime computes it (eq. K8).
  static std::vector<float> multipliers(const Node& node, const QuantInputs& q, std::size_t out_channels) {
    const std::vector<float> sx = float_values(node, "input 'x_scale'", *q.x_scale);
    const std::vector<float> sw = float_values(node, "input 'w_scale'", *q.w_scale);
    const std::vector<float> sy = float_values(node, "input 'y_scale'", *q.y_scale);
    if (sx.size() != 1 || sy.size() != 1) invalid(node, "x_scale and y_scale must hold one value each");
    if (sw.size() != 1 && sw.size() != out_channels)
      invalid(node, "w_scale has " + std::to_string(sw.size()) + " values; expected 1 or " +
                        std::to_string(out_channels) + " (one per output channel)");
    require_positive_scales(node, "x_scale", sx);
    require_positive_scales(node, "w_scale", sw);
    require_positive_scales(node, "y_scale", sy);
    std::vector<float> m(sw.size());
    for (std::size_t c = 0; c < m.size(); ++c) {
      const float product = sx[0] * sw[c];
      m[c] = product / sy[0];
      if (!(m[c] > 0.0f) || !std::isfinite(m[c]))
        invalid(node, "the requantization scale x_scale * w_scale / y_scale = " + std::to_string(m[c]) +
                          " is not a positive finite float");
    }
    return m;
  }

  ConvKind kind_;
  ConvInputs in_;
  ConvAttributes at_;
  bool prepacked_ = false;
  PackedConvQs8 packed_;  ///< constant weights for conv2d_q8 (NHWC), packed for one image
  bool prepacked_nchw_ = false;
  PackedConvNchwQs8 nchw_;  ///< constant weights for conv2d_nchw_q8
  bool prepacked_dw_nchw_ = false;
  PackedDwConvNchwQs8 dw_nchw_;  ///< constant weights with one input channel per group, for dwconv2d_nchw_q8
  // The geometry for images of the size known at build (batch 1; any batch reuses it).
  bool image_known_ = false;
  std::vector<std::int64_t> image_x_shape_, image_y_shape_;
  Conv2dShape image_geometry_;
  bool planned_ = false;
  ConvNchwQ8Plan nchw_plan_;  ///< conv2d_nchw_q8's tables, when planned_ (precomputed_, the build's image size)
  bool precomputed_ = false;
  kernels::Q8Output out_;  ///< scales, zero point and clamp (no pointers), when precomputed_
  std::int32_t zx_ = 0;    ///< x's zero point, when precomputed_
};

// ============================================================================
// Inference and build
// ============================================================================

/// Spatial axes from x's rank, else w's; 0 when neither is known.
std::size_t spatial_axes(const Node& node, const TypeShape& x, const TypeShape& w) {
  const TypeShape& known = x.rank_known ? x : w;
  if (!known.rank_known) return 0;
  if (known.shape.size() < 3) invalid(node, "x and w need rank >= 3 (N × C × spatial), got " + shape_string(known.shape));
  return known.shape.size() - 2;
}

void infer_conv(InferContext& ctx, const ConvInputs& in, DataType out_type) {
  const TypeShape& x = ctx.input(in.x);
  const TypeShape& w = ctx.input(in.w);
  TypeShape y;
  y.type = out_type;
  const std::size_t spatial = spatial_axes(ctx.node, x, w);
  if (spatial > 0) {
    const ConvAttributes at = conv_attributes(ctx.node, spatial);
    y.rank_known = true;
    y.shape = conv_output_shape(ctx.node, at, x.rank_known ? x.shape : std::vector<std::int64_t>{},
                                w.rank_known ? w.shape : std::vector<std::int64_t>{});
  }
  ctx.outputs[0] = y;
}

void infer_conv_integer(InferContext& ctx) { infer_conv(ctx, kConvIntegerInputs, DataType::int32); }

void infer_qlinear_conv(InferContext& ctx) {
  infer_conv(ctx, kQLinearConvInputs, ctx.input(kQLinearConvInputs.y_zero_point).type);
}

std::unique_ptr<Kernel> build_conv(const BuildContext& ctx, ConvKind kind, const ConvInputs& in) {
  const Node& node = ctx.node;
  const std::initializer_list<DataType> q8 = {DataType::uint8, DataType::int8};
  const TypeShape& x = ctx.input(in.x);
  const TypeShape& w = ctx.input(in.w);
  require_type(node, "input 'x'", x.type, q8);
  require_type(node, "input 'w'", w.type, kind == ConvKind::qlinear_act ? kWeightTypes : q8);
  if (ctx.has_input(in.x_zero_point)) require_same_type(node, "x_zero_point", ctx.input(in.x_zero_point).type, "x", x.type);
  if (ctx.has_input(in.w_zero_point)) require_same_type(node, "w_zero_point", ctx.input(in.w_zero_point).type, "w", w.type);
  if (kind != ConvKind::integer) {
    require_type(node, "input 'x_scale'", ctx.input(in.x_scale).type, {DataType::float32});
    require_type(node, "input 'w_scale'", ctx.input(in.w_scale).type, {DataType::float32});
    require_type(node, "input 'y_scale'", ctx.input(in.y_scale).type, {DataType::float32});
    require_type(node, "input 'y_zero_point'", ctx.input(in.y_zero_point).type, q8);
    if (ctx.has_input(in.bias)) require_type(node, "input 'B'", ctx.input(in.bias).type, {DataType::int32});
  }
  const std::size_t spatial = spatial_axes(node, x, w);
  if (spatial == 0) unsupported(node, "the rank of x and w is unknown; the convolution cannot be prepared");
  auto kernel = std::make_unique<IntegerConv>(kind, in, conv_attributes(node, spatial));
  const TypeShape* zw = ctx.has_input(in.w_zero_point) ? &ctx.input(in.w_zero_point) : nullptr;
  const TypeShape* bias = ctx.has_input(in.bias) ? &ctx.input(in.bias) : nullptr;
  if (w.value != nullptr && (zw == nullptr || zw->value != nullptr) && (bias == nullptr || bias->value != nullptr))
    kernel->prepack(node, *w.value, zw ? zw->value : nullptr, bias ? bias->value : nullptr, x);
  if (kind != ConvKind::integer && w.value != nullptr && w.value->rank() >= 1) {
    const TypeShape* zx = ctx.has_input(in.x_zero_point) ? &ctx.input(in.x_zero_point) : nullptr;
    const IntegerConv::QuantInputs q{ctx.input(in.x_scale).value, zx ? zx->value : nullptr, ctx.input(in.w_scale).value,
                                     ctx.input(in.y_scale).value, ctx.input(in.y_zero_point).value};
    if (q.x_scale && q.w_scale && q.y_scale && q.y_zero_point && (zx == nullptr || q.x_zero_point))
      kernel->precompute(node, q, x.type, static_cast<std::size_t>(w.value->dim(0)), q.y_zero_point->type());
  }
  return kernel;
}

std::unique_ptr<Kernel> build_conv_integer(const BuildContext& ctx) {
  return build_conv(ctx, ConvKind::integer, kConvIntegerInputs);
}

std::unique_ptr<Kernel> build_qlinear_conv(const BuildContext& ctx) {
  return build_conv(ctx, ConvKind::qlinear, kQLinearConvInputs);
}

std::unique_ptr<Kernel> build_qlinear_conv_act(const BuildContext& ctx) {
  return build_conv(ctx, ConvKind::qlinear_act, kQLinearConvInputs);
}

}  // namespace

void add_integer_conv_ops(std::vector<OpDef>& ops) {
  ops.push_back({"", "ConvInteger", 10, infer_conv_integer, build_conv_integer});
  ops.push_back({"", "QLinearConv", 10, infer_qlinear_conv, build_qlinear_conv});
  // QLinearConv followed by a fused Relu/Clip, made by the QDQ rewrite (model/qdq_fusion.h).
  ops.push_back({kPrivateDomain, "QLinearConvAct", 1, infer_qlinear_conv, build_qlinear_conv_act});
}

}  // namespace quantlab::model::int8_ops
