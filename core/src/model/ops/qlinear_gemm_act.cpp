// quantlab.QLinearGemmAct — the executor's private op for a quantized fully
// connected layer, made by the QDQ rewrite (model/qdq_fusion.h) from
// DequantizeLinear → Gemm | MatMul → [Relu|Clip] → QuantizeLinear:
//
//   inputs   a, a_scale, a_zero_point, b, b_scale, b_zero_point,
//            y_scale, y_zero_point, bias (int32, optional)
//   attrs    transB (0 | 1), activation_min, activation_max (float, optional)
//
//   acc[m][n] = Σ_k (a[m][k] − a_zero_point)(b[k][n] − b_zero_point[n]) + bias[n]
//   y[m][n]   = clamp(saturate(round_half_even(acc · M[n]) + y_zero_point), Q(lo), Q(hi)),
//   M[n]      = fl(fl(a_scale · b_scale[n]) / y_scale)                 (gemm_q8, eq. K6–K9)
//
// a has any rank >= 1 and is read as rows of its last dim K (leading dims
// flattened, as MatMul with a 2-D b); y has a's shape with K replaced by N.
// b is 2-D, K×N (transB = 0) or N×K (transB = 1), int8 or uint8 (shifted to
// int8, int8_common.h); its zero point and scale are per tensor or per output
// column n. bias has the scale a_scale · b_scale[n] and zero point 0 (ONNX
// QLinearConv's bias). A constant b is packed once, with the bias, at build.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/ops/int8_common.h"
#include "model/ops/op.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::int8_ops {
namespace {

using kernels::PackedWeightsQs8;

enum Input : std::size_t { kA, kAScale, kAZero, kB, kBScale, kBZero, kYScale, kYZero, kBias };

/// (K, N) of b for transB; InvalidArgument unless b is 2-D.
std::pair<std::int64_t, std::int64_t> b_dims(const Node& node, const std::vector<std::int64_t>& b, bool trans_b) {
  if (b.size() != 2) invalid(node, "b must be 2-D, got " + shape_string(b));
  return trans_b ? std::make_pair(b[1], b[0]) : std::make_pair(b[0], b[1]);
}

bool trans_b_of(const Node& node) {
  const std::int64_t t = node.get_int("transB", 0);
  if (t != 0 && t != 1) invalid(node, "attribute 'transB' = " + std::to_string(t) + " is not 0 or 1");
  return t == 1;
}

/// y's shape: a's with the last dim (K) replaced by N.
std::vector<std::int64_t> output_shape(const Node& node, const std::vector<std::int64_t>& a, std::int64_t k,
                                       std::int64_t n) {
  if (a.empty()) invalid(node, "a is a scalar; it needs rank >= 1");
  if (a.back() >= 0 && k >= 0 && a.back() != k)
    invalid(node, "a is " + shape_string(a) + " but b has K = " + std::to_string(k));
  std::vector<std::int64_t> y = a;
  y.back() = n;
  return y;
}

/// The scales and zero points of one QLinearGemmAct node.
struct QuantTerms {
  const Tensor* a_scale = nullptr;
  const Tensor* a_zero_point = nullptr;  ///< null when absent (0)
  const Tensor* b_scale = nullptr;
  const Tensor* y_scale = nullptr;
  const Tensor* y_zero_point = nullptr;
};

/// What the kernel needs from them: the output's scales (eq. K8), zero point
/// and clamp range (the pointers and stride are set per run), and a's zero point.
struct Requantization {
  kernels::Q8Output out;
  std::int32_t a_zero_point = 0;
};

class QLinearGemmAct final : public Kernel {
 public:
  explicit QLinearGemmAct(bool trans_b) : trans_b_(trans_b) {}

  /// Packs a constant b (with its zero point and bias) once.
  void prepack(const Node& node, const Tensor& b, const Tensor* zero_point, const Tensor* bias) {
    packed_ = pack(node, b, zero_point, bias);
    prepacked_ = true;
  }

  /// Computes the requantization once, for constant scales and zero points
  /// (always so in a QDQ model): a batch-1 run then skips a few µs per node.
  void precompute(const Node& node, const QuantTerms& q, DataType a_type, std::int64_t n) {
    requantization_ = requantization(node, q, a_type, n);
    precomputed_ = true;
  }

  void run(RunContext& rc) const override {
    const Node& node = rc.node;
    const Tensor& a = rc.input(kA);
    const Tensor& b = rc.input(kB);
    const auto [k, n] = b_dims(node, b.shape(), trans_b_);
    const Tensor& y_zero_point = rc.input(kYZero);
    const DataType out_type = y_zero_point.type();
    Tensor y(out_type, output_shape(node, a.shape(), k, n));
    if (y.size() == 0) {
      rc.outputs[0] = std::move(y);
      return;
    }
    PackedWeightsQs8 packed_now;
    if (!prepacked_)
      packed_now = pack(node, b, rc.has_input(kBZero) ? &rc.input(kBZero) : nullptr,
                        rc.has_input(kBias) ? &rc.input(kBias) : nullptr);
    const PackedWeightsQs8& w = prepacked_ ? packed_ : packed_now;

    Requantization computed_now;
    if (!precomputed_) {
      const QuantTerms q{&rc.input(kAScale), rc.has_input(kAZero) ? &rc.input(kAZero) : nullptr, &rc.input(kBScale),
                         &rc.input(kYScale), &y_zero_point};
      computed_now = requantization(node, q, a.type(), n);
    }
    const Requantization& r = precomputed_ ? requantization_ : computed_now;

    kernels::Q8Output out = r.out;
    out.stride = static_cast<std::size_t>(n);
    if (out_type == DataType::uint8) out.u8 = y.data<std::uint8_t>();
    else out.s8 = y.data<std::int8_t>();

    kernels::Q8Input in;
    if (a.type() == DataType::uint8) in.u8 = a.data<std::uint8_t>();
    else in.s8 = a.data<std::int8_t>();
    in.stride = static_cast<std::size_t>(k);
    in.zero_point = r.a_zero_point;
    const auto rows = static_cast<std::size_t>(a.size() / k);
    kernels::gemm_q8(rows, in, w, out);
    rc.outputs[0] = std::move(y);
  }

 private:
  static float one_value(const Node& node, const std::string& what, const Tensor& t) {
    const std::vector<float> v = float_values(node, "input '" + what + "'", t);
    if (v.size() != 1) invalid(node, what + " must hold one value (per tensor)");
    require_positive_scales(node, what, v);
    return v[0];
  }

  static Requantization requantization(const Node& node, const QuantTerms& q, DataType a_type, std::int64_t n) {
    const float sa = one_value(node, "a_scale", *q.a_scale);
    const float sy = one_value(node, "y_scale", *q.y_scale);
    const std::vector<float> sb = float_values(node, "input 'b_scale'", *q.b_scale);
    require_positive_scales(node, "b_scale", sb);
    if (sb.size() != 1 && sb.size() != static_cast<std::size_t>(n))
      invalid(node, "b_scale has " + std::to_string(sb.size()) + " values; expected 1 or " + std::to_string(n));
    if (q.y_zero_point->size() != 1) invalid(node, "y_zero_point must hold one value (per-tensor output)");
    const std::int32_t zy = int32_values(*q.y_zero_point)[0];

    Requantization r;
    r.out.scale.resize(sb.size());
    for (std::size_t c = 0; c < sb.size(); ++c) {
      const float product = sa * sb[c];
      r.out.scale[c] = product / sy;  // eq. K8, as QLinearMatMul
      if (!(r.out.scale[c] > 0.0f) || !std::isfinite(r.out.scale[c]))
        invalid(node, "the requantization scale a_scale * b_scale / y_scale = " + std::to_string(r.out.scale[c]) +
                          " is not a positive finite float");
    }
    r.out.zero_point = zy;
    const IntRange range = activation_range(node, sy, zy, q.y_zero_point->type());
    r.out.min = range.min;
    r.out.max = range.max;
    if (q.a_zero_point != nullptr) {
      require_same_type(node, "a_zero_point", q.a_zero_point->type(), "a", a_type);
      if (q.a_zero_point->size() != 1) invalid(node, "a_zero_point must hold one value (per-tensor input)");
      r.a_zero_point = int32_values(*q.a_zero_point)[0];
    }
    return r;
  }

  PackedWeightsQs8 pack(const Node& node, const Tensor& b, const Tensor* zero_point, const Tensor* bias) const {
    const auto [k, n] = b_dims(node, b.shape(), trans_b_);
    if (k < 1 || n < 1) invalid(node, "b " + shape_string(b.shape()) + " is empty");
    if (k > static_cast<std::int64_t>(kernels::kMaxQ8K))
      unsupported(node, "inner dimension K = " + std::to_string(k) + " is larger than " +
                            std::to_string(kernels::kMaxQ8K) +
                            ", the largest for which the int8 kernels' int32 sums are exact");
    std::vector<std::int32_t> zp = zero_point ? int32_values(*zero_point) : std::vector<std::int32_t>{0};
    if (zp.size() != 1 && zp.size() != static_cast<std::size_t>(n))
      invalid(node, "b_zero_point has " + std::to_string(zp.size()) + " values; expected 1 or " + std::to_string(n));
    for (std::int32_t& z : zp) z = weight_zero_point_as_s8(z, b.type());
    std::vector<std::int32_t> bias_values;
    if (bias != nullptr) {
      require_type(node, "input 'bias'", bias->type(), {DataType::int32});
      bias_values = int32_values(*bias);
      if (bias_values.size() != static_cast<std::size_t>(n))
        invalid(node, "bias has " + std::to_string(bias_values.size()) + " values; expected " + std::to_string(n));
    }
    const std::vector<std::int8_t> weights = weights_as_s8(b);
    const auto kk = static_cast<std::size_t>(k), nn = static_cast<std::size_t>(n);
    return kernels::pack_weights_qs8(kk, nn, weights.data(), trans_b_ ? kk : nn, zp, bias_values,
                                     trans_b_ ? kernels::WeightLayout::n_by_k : kernels::WeightLayout::k_by_n);
  }

  bool trans_b_;
  bool prepacked_ = false;
  PackedWeightsQs8 packed_;
  bool precomputed_ = false;
  Requantization requantization_;
};

void infer_qlinear_gemm_act(InferContext& ctx) {
  const TypeShape& a = ctx.input(kA);
  const TypeShape& b = ctx.input(kB);
  TypeShape y;
  y.type = ctx.input(kYZero).type;
  if (a.rank_known && b.rank_known) {
    const auto [k, n] = b_dims(ctx.node, b.shape, trans_b_of(ctx.node));
    y.rank_known = true;
    y.shape = output_shape(ctx.node, a.shape, k, n);
  }
  ctx.outputs[0] = y;
}

std::unique_ptr<Kernel> build_qlinear_gemm_act(const BuildContext& ctx) {
  const Node& node = ctx.node;
  const std::initializer_list<DataType> q8 = {DataType::uint8, DataType::int8};
  const TypeShape& a = ctx.input(kA);
  const TypeShape& b = ctx.input(kB);
  require_type(node, "input 'a'", a.type, q8);
  require_type(node, "input 'b'", b.type, kWeightTypes);
  if (ctx.has_input(kAZero)) require_same_type(node, "a_zero_point", ctx.input(kAZero).type, "a", a.type);
  if (ctx.has_input(kBZero)) require_same_type(node, "b_zero_point", ctx.input(kBZero).type, "b", b.type);
  require_type(node, "input 'a_scale'", ctx.input(kAScale).type, {DataType::float32});
  require_type(node, "input 'b_scale'", ctx.input(kBScale).type, {DataType::float32});
  require_type(node, "input 'y_scale'", ctx.input(kYScale).type, {DataType::float32});
  require_type(node, "input 'y_zero_point'", ctx.input(kYZero).type, q8);
  if (ctx.has_input(kBias)) require_type(node, "input 'bias'", ctx.input(kBias).type, {DataType::int32});
  auto kernel = std::make_unique<QLinearGemmAct>(trans_b_of(node));
  const TypeShape* zb = ctx.has_input(kBZero) ? &ctx.input(kBZero) : nullptr;
  const TypeShape* bias = ctx.has_input(kBias) ? &ctx.input(kBias) : nullptr;
  if (b.value != nullptr && (zb == nullptr || zb->value != nullptr) && (bias == nullptr || bias->value != nullptr))
    kernel->prepack(node, *b.value, zb ? zb->value : nullptr, bias ? bias->value : nullptr);
  const TypeShape* za = ctx.has_input(kAZero) ? &ctx.input(kAZero) : nullptr;
  const QuantTerms q{ctx.input(kAScale).value, za ? za->value : nullptr, ctx.input(kBScale).value,
                     ctx.input(kYScale).value, ctx.input(kYZero).value};
  if (b.value != nullptr && q.a_scale && q.b_scale && q.y_scale && q.y_zero_point && (za == nullptr || q.a_zero_point))
    kernel->precompute(node, q, a.type, b_dims(node, b.value->shape(), trans_b_of(node)).second);
  return kernel;
}

}  // namespace

void add_qlinear_gemm_act_ops(std::vector<OpDef>& ops) {
  ops.push_back({kPrivateDomain, "QLinearGemmAct", 1, infer_qlinear_gemm_act, build_qlinear_gemm_act});
}

}  // namespace quantlab::model::int8_ops
