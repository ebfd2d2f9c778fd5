// MatMulInteger and QLinearMatMul on the int8 GEMM kernels (core/docs/kernels.md):
//
//   MatMulInteger  Y = Σ_k (A - a_zero_point)(B - b_zero_point), exact int32  (gemm_q8_s32, eq. K6)
//   QLinearMatMul  y = saturate(round_half_even(acc · M) + y_zero_point),
//                  M = a_scale · b_scale / y_scale                             (gemm_q8, eq. K8, K9)
//
// Both broadcast batch dimensions like numpy.matmul. A constant B (an
// initializer, with a constant or absent zero point) is packed once, when the
// op is built; a B computed by the graph is packed on every run. uint8 B is
// shifted to int8 for the kernels (int8_common.h). Zero points and scales may
// be per tensor, per row of A / column of B, or per batch matrix and row /
// column, as ONNX allows; rows of A with their own parameters run one at a time.
//
// Requantization uses M = fl(fl(a_scale · b_scale[n]) / y_scale) in float32,
// as onnxruntime computes it, and the kernels' fp32 product with ties to even
// (eq. K9); the ONNX backend tests' expected values (numpy, float64
// multiplier) are met bit for bit: none of their products lies near a tie,
// so the float32 and float64 multipliers give the same codes there.
#include <algorithm>
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

// ============================================================================
// Inputs and shapes
// ============================================================================

constexpr std::size_t kAbsent = ~std::size_t{0};

/// Where each op keeps its inputs (kAbsent: the op has no such input; has_input() is false for it).
struct MatMulInputs {
  std::size_t a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point;
};
constexpr MatMulInputs kMatMulIntegerInputs{0, kAbsent, 2, 1, kAbsent, 3, kAbsent, kAbsent};
constexpr MatMulInputs kQLinearMatMulInputs{0, 1, 2, 3, 4, 5, 6, 7};

/// numpy.matmul's view of an operand as a stack of matrices: a 1-D A is one
/// row [1, K], a 1-D B one column [K, 1]. Dims may be -1 (unknown) in inference.
struct MatrixView {
  std::vector<std::int64_t> batch;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

MatrixView matrix_view(const Node& node, const std::vector<std::int64_t>& shape, bool is_b) {
  if (shape.empty()) invalid(node, std::string("input ") + (is_b ? "B" : "A") + " is a scalar; matmul needs rank >= 1");
  MatrixView v;
  if (shape.size() == 1) {
    v.rows = is_b ? shape[0] : 1;
    v.cols = is_b ? 1 : shape[0];
    return v;
  }
  v.batch.assign(shape.begin(), shape.end() - 2);
  v.rows = shape[shape.size() - 2];
  v.cols = shape.back();
  return v;
}

/// The output shape of numpy.matmul (1-D operands lose their dim again).
std::vector<std::int64_t> matmul_shape(const Node& node, const std::vector<std::int64_t>& a,
                                       const std::vector<std::int64_t>& b) {
  const MatrixView av = matrix_view(node, a, false);
  const MatrixView bv = matrix_view(node, b, true);
  if (av.cols >= 0 && bv.rows >= 0 && av.cols != bv.rows)
    invalid(node, "A is " + shape_string(a) + " and B is " + shape_string(b) + ": their inner dimensions differ");
  std::vector<std::int64_t> out = broadcast_shapes(node, av.batch, bv.batch);
  if (a.size() > 1) out.push_back(av.rows);
  if (b.size() > 1) out.push_back(bv.cols);
  return out;
}

/// For each output matrix of the broadcast batch, the index of the operand's
/// matrix it reads (a batch dim of 1 repeats).
std::vector<std::size_t> batch_sources(const std::vector<std::int64_t>& out_batch,
                                       const std::vector<std::int64_t>& batch) {
  const auto total = static_cast<std::size_t>(element_count(out_batch));
  const std::size_t offset = out_batch.size() - batch.size();
  std::vector<std::size_t> sources(total);
  for (std::size_t o = 0; o < total; ++o) {
    std::size_t rest = o, index = 0, stride = 1;
    for (std::size_t d = out_batch.size(); d-- > 0;) {
      const auto extent = static_cast<std::size_t>(out_batch[d]);
      const std::size_t coord = rest % extent;
      rest /= extent;
      if (d < offset) continue;
      const auto own = static_cast<std::size_t>(batch[d - offset]);
      if (own != 1) index += coord * stride;
      stride *= own;
    }
    sources[o] = index;
  }
  return sources;
}

/// Refuses depths whose int32 sums the kernels cannot keep exact (eq. K7).
void check_depth(const Node& node, std::int64_t k) {
  if (k > static_cast<std::int64_t>(kernels::kMaxQ8K))
    unsupported(node, "inner dimension K = " + std::to_string(k) + " is larger than " +
                          std::to_string(kernels::kMaxQ8K) +
                          ", the largest for which the int8 kernels' int32 sums are exact");
}

// ============================================================================
// Zero points and scales
// ============================================================================

/// One operand's quantization parameter: per tensor, per row of A / column of
/// B shared by every batch matrix ([M] / [N]), or per batch matrix and row /
/// column ([..., M, 1] / [..., 1, N]).
template <class T>
struct Slots {
  std::vector<T> values;
  std::size_t batch_stride = 0;  ///< values per batch matrix; 0 when shared
  std::size_t stride = 0;        ///< 1 per row / column; 0 per tensor

  bool per_tensor() const { return stride == 0; }
  T at(std::size_t batch, std::size_t i) const { return values[batch * batch_stride + i * stride]; }
};

template <class T>
Slots<T> make_slots(const Node& node, const std::string& what, std::vector<T> values,
                    const std::vector<std::int64_t>& shape, const MatrixView& operand, bool per_row) {
  Slots<T> s;
  s.values = std::move(values);
  if (s.values.size() == 1) return s;
  const std::int64_t count = per_row ? operand.rows : operand.cols;
  s.stride = 1;
  if (shape.size() == 1 && shape[0] == count) return s;
  std::vector<std::int64_t> batched = operand.batch;
  batched.push_back(per_row ? count : 1);
  batched.push_back(per_row ? 1 : count);
  if (shape == batched) {
    s.batch_stride = static_cast<std::size_t>(count);
    return s;
  }
  invalid(node, what + " has shape " + shape_string(shape) + "; expected one value, " + std::to_string(count) +
                    (per_row ? " (one per row of A)" : " (one per column of B)") + " or " + shape_string(batched));
}

/// A zero point's slots; 0 per tensor when the optional input is absent.
Slots<std::int32_t> zero_point_slots(const Node& node, const Tensor* zp, const std::string& what,
                                     const MatrixView& operand, bool per_row) {
  if (zp == nullptr) return Slots<std::int32_t>{{0}};
  return make_slots(node, what, int32_values(*zp), zp->shape(), operand, per_row);
}

Slots<float> scale_slots(const Node& node, const Tensor& scale, const std::string& what, const MatrixView& operand,
                         bool per_row) {
  std::vector<float> values = float_values(node, what, scale);
  require_positive_scales(node, what, values);
  return make_slots(node, what, std::move(values), scale.shape(), operand, per_row);
}

// ============================================================================
// Packing B
// ============================================================================

/// Every K×N matrix of B packed with its zero points, in the int8 frame of
/// weights_as_s8. K and N are >= 1.
std::vector<PackedWeightsQs8> pack_b(const Tensor& b, const MatrixView& view, const Slots<std::int32_t>& zb) {
  const std::vector<std::int8_t> weights = weights_as_s8(b);
  const auto k = static_cast<std::size_t>(view.rows);
  const auto n = static_cast<std::size_t>(view.cols);
  const auto count = static_cast<std::size_t>(element_count(view.batch));
  std::vector<PackedWeightsQs8> packed;
  packed.reserve(count);
  for (std::size_t j = 0; j < count; ++j) {
    std::vector<std::int32_t> zp(zb.per_tensor() ? 1 : n);
    for (std::size_t c = 0; c < zp.size(); ++c) zp[c] = weight_zero_point_as_s8(zb.at(j, c), b.type());
    packed.push_back(kernels::pack_weights_qs8(k, n, weights.data() + j * k * n, n, zp, {}));
  }
  return packed;
}

// ============================================================================
// The kernel
// ============================================================================

class IntegerMatMul final : public Kernel {
 public:
  IntegerMatMul(bool requantize, MatMulInputs in) : requantize_(requantize), in_(in) {}

  /// Packs a constant B once (called by build).
  void prepack(const Node& node, const Tensor& b, const Tensor* b_zero_point) {
    const MatrixView view = matrix_view(node, b.shape(), true);
    if (view.rows < 1 || view.cols < 1) return;  // nothing to multiply: run() handles empty products
    check_depth(node, view.rows);
    packed_ = pack_b(b, view, zero_point_slots(node, b_zero_point, "b_zero_point", view, false));
    prepacked_ = true;
  }

  void run(RunContext& rc) const override {
    const Node& node = rc.node;
    const Tensor& a = rc.input(in_.a);
    const Tensor& b = rc.input(in_.b);
    const MatrixView av = matrix_view(node, a.shape(), false);
    const MatrixView bv = matrix_view(node, b.shape(), true);
    const std::vector<std::int64_t> out_batch = broadcast_shapes(node, av.batch, bv.batch);
    const DataType out_type = requantize_ ? rc.input(in_.y_zero_point).type() : DataType::int32;
    Tensor y(out_type, matmul_shape(node, a.shape(), b.shape()));
    if (y.size() == 0) {
      rc.outputs[0] = std::move(y);
      return;
    }
    const auto m = static_cast<std::size_t>(av.rows);
    const auto k = static_cast<std::size_t>(av.cols);
    const auto n = static_cast<std::size_t>(bv.cols);
    const Tensor* za_tensor = rc.has_input(in_.a_zero_point) ? &rc.input(in_.a_zero_point) : nullptr;
    const Tensor* zb_tensor = rc.has_input(in_.b_zero_point) ? &rc.input(in_.b_zero_point) : nullptr;
    const Slots<std::int32_t> za = zero_point_slots(node, za_tensor, "a_zero_point", av, true);

    Requant rq;
    if (requantize_) rq = requant_params(rc, av, bv);
    if (k == 0) {  // empty sums: Y = 0, y = saturate(y_zero_point)
      if (requantize_) fill_zero_point(y, rq.zero_point);
      rc.outputs[0] = std::move(y);
      return;
    }
    check_depth(node, av.cols);
    std::vector<PackedWeightsQs8> packed_now;
    if (!prepacked_) packed_now = pack_b(b, bv, zero_point_slots(node, zb_tensor, "b_zero_point", bv, false));
    const std::vector<PackedWeightsQs8>& packed = prepacked_ ? packed_ : packed_now;

    const std::vector<std::size_t> a_source = batch_sources(out_batch, av.batch);
    const std::vector<std::size_t> b_source = batch_sources(out_batch, bv.batch);
    // Rows with their own zero point or scale run one at a time.
    const bool row_by_row = !za.per_tensor() || (requantize_ && !rq.a_scale.per_tensor());
    for (std::size_t o = 0; o < a_source.size(); ++o) {
      const std::size_t ab = a_source[o], bb = b_source[o];
      const PackedWeightsQs8& w = packed[bb];
      const std::size_t rows = row_by_row ? 1 : m;
      for (std::size_t r0 = 0; r0 < m; r0 += rows) {
        kernels::Q8Input in;
        const std::size_t a_offset = (ab * m + r0) * k;
        if (a.type() == DataType::uint8) in.u8 = a.data<std::uint8_t>() + a_offset;
        else in.s8 = a.data<std::int8_t>() + a_offset;
        in.stride = k;
        in.zero_point = za.at(ab, r0);
        const std::size_t y_offset = (o * m + r0) * n;
        if (!requantize_) {
          kernels::gemm_q8_s32(rows, in, w, y.data<std::int32_t>() + y_offset, n);
          continue;
        }
        kernels::Q8Output out;
        if (out_type == DataType::uint8) out.u8 = y.data<std::uint8_t>() + y_offset;
        else out.s8 = y.data<std::int8_t>() + y_offset;
        out.stride = n;
        out.scale = multipliers(node, rq, ab, r0, bb, n);
        out.zero_point = rq.zero_point;
        const IntRange range = int_range(out_type);
        out.min = range.min;
        out.max = range.max;
        kernels::gemm_q8(rows, in, w, out);
      }
    }
    rc.outputs[0] = std::move(y);
  }

 private:
  /// QLinearMatMul's scales and output zero point.
  struct Requant {
    Slots<float> a_scale, b_scale;
    float y_scale = 1.0f;
    std::int32_t zero_point = 0;
  };

  Requant requant_params(const RunContext& rc, const MatrixView& av, const MatrixView& bv) const {
    const Node& node = rc.node;
    Requant rq;
    rq.a_scale = scale_slots(node, rc.input(in_.a_scale), "a_scale", av, true);
    rq.b_scale = scale_slots(node, rc.input(in_.b_scale), "b_scale", bv, false);
    const Tensor& y_scale = rc.input(in_.y_scale);
    const Tensor& y_zero_point = rc.input(in_.y_zero_point);
    if (y_scale.size() != 1 || y_zero_point.size() != 1)
      invalid(node, "y_scale and y_zero_point must hold one value each (per-tensor output)");
    const std::vector<float> sy = float_values(node, "y_scale", y_scale);
    require_positive_scales(node, "y_scale", sy);
    rq.y_scale = sy[0];
    rq.zero_point = int32_values(y_zero_point)[0];
    return rq;
  }

  /// M[n] = fl(fl(a_scale · b_scale[n]) / y_scale) for row `row` of A's matrix `ab` (eq. K8).
  static std::vector<float> multipliers(const Node& node, const Requant& rq, std::size_t ab, std::size_t row,
                                        std::size_t bb, std::size_t n) {
    std::vector<float> scale(rq.b_scale.per_tensor() ? 1 : n);
    const float sa = rq.a_scale.at(ab, row);
    for (std::size_t c = 0; c < scale.size(); ++c) {
      const float product = sa * rq.b_scale.at(bb, c);
      scale[c] = product / rq.y_scale;
      if (!(scale[c] > 0.0f) || !std::isfinite(scale[c]))
        invalid(node, "the requantization scale a_scale * b_scale / y_scale = " + std::to_string(scale[c]) +
                          " is not a positive finite float");
    }
    return scale;
  }

  static void fill_zero_point(Tensor& y, std::int32_t zero_point) {
    // The zero point is in the range of y's type: one byte pattern serves uint8 and int8.
    std::fill(y.bytes(), y.bytes() + y.size(), static_cast<std::uint8_t>(zero_point));
  }

  bool requantize_;
  MatMulInputs in_;
  bool prepacked_ = false;
  std::vector<PackedWeightsQs8> packed_;  ///< a constant B, one entry per batch matrix
};

// ============================================================================
// Inference and build
// ============================================================================

void infer_matmul(InferContext& ctx, const MatMulInputs& in, DataType out_type) {
  const TypeShape& a = ctx.input(in.a);
  const TypeShape& b = ctx.input(in.b);
  TypeShape y;
  y.type = out_type;
  if (a.rank_known && b.rank_known) {
    y.rank_known = true;
    y.shape = matmul_shape(ctx.node, a.shape, b.shape);
  }
  ctx.outputs[0] = y;
}

void infer_matmul_integer(InferContext& ctx) { infer_matmul(ctx, kMatMulIntegerInputs, DataType::int32); }

void infer_qlinear_matmul(InferContext& ctx) {
  infer_matmul(ctx, kQLinearMatMulInputs, ctx.input(kQLinearMatMulInputs.y_zero_point).type);
}

std::unique_ptr<Kernel> build_matmul(const BuildContext& ctx, bool requantize, const MatMulInputs& in) {
  const Node& node = ctx.node;
  const std::initializer_list<DataType> q8 = {DataType::uint8, DataType::int8};
  const TypeShape& a = ctx.input(in.a);
  const TypeShape& b = ctx.input(in.b);
  require_type(node, "input 'A'", a.type, q8);
  require_type(node, "input 'B'", b.type, q8);
  if (ctx.has_input(in.a_zero_point)) require_same_type(node, "a_zero_point", ctx.input(in.a_zero_point).type, "A", a.type);
  if (ctx.has_input(in.b_zero_point)) require_same_type(node, "b_zero_point", ctx.input(in.b_zero_point).type, "B", b.type);
  if (requantize) {
    require_type(node, "input 'a_scale'", ctx.input(in.a_scale).type, {DataType::float32});
    require_type(node, "input 'b_scale'", ctx.input(in.b_scale).type, {DataType::float32});
    require_type(node, "input 'y_scale'", ctx.input(in.y_scale).type, {DataType::float32});
    require_type(node, "input 'y_zero_point'", ctx.input(in.y_zero_point).type, q8);
  }
  if (b.rank_known && b.shape.size() >= 1) {
    const std::int64_t k = b.shape.size() == 1 ? b.shape[0] : b.shape[b.shape.size() - 2];
    check_depth(node, k);
  }
  auto kernel = std::make_unique<IntegerMatMul>(requantize, in);
  const TypeShape* zb = ctx.has_input(in.b_zero_point) ? &ctx.input(in.b_zero_point) : nullptr;
  if (b.value != nullptr && (zb == nullptr || zb->value != nullptr))
    kernel->prepack(node, *b.value, zb ? zb->value : nullptr);
  return kernel;
}

std::unique_ptr<Kernel> build_matmul_integer(const BuildContext& ctx) {
  return build_matmul(ctx, false, kMatMulIntegerInputs);
}

std::unique_ptr<Kernel> build_qlinear_matmul(const BuildContext& ctx) {
  return build_matmul(ctx, true, kQLinearMatMulInputs);
}

}  // namespace

void add_integer_gemm_ops(std::vector<OpDef>& ops) {
  ops.push_back({"", "MatMulInteger", 10, infer_matmul_integer, build_matmul_integer});
  ops.push_back({"", "QLinearMatMul", 10, infer_qlinear_matmul, build_qlinear_matmul});
}

}  // namespace quantlab::model::int8_ops
