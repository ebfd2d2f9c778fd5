// Gemm (opset 1+) and MatMul (opset 1+), float, on the project's packed-weight
// GEMM (kernels/gemm.h). A constant B is packed once in build(), with alpha
// folded into it and a vector C (times beta) fused as the kernel's bias.
#include <memory>
#include <string>
#include <vector>

#include "model/ops/broadcast.h"
#include "model/ops/op_utils.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::ops {

namespace {

using kernels::PackedWeightsF32;
using kernels::WeightLayout;

// Packs B (k×n, or n×k when transposed) scaled by alpha, with `bias` (n values or null).
PackedWeightsF32 pack_b(const float* b, std::size_t k, std::size_t n, bool trans_b, float alpha, const float* bias) {
  const WeightLayout layout = trans_b ? WeightLayout::n_by_k : WeightLayout::k_by_n;
  if (alpha == 1.0f) return kernels::pack_weights_f32(k, n, b, trans_b ? k : n, bias, layout);
  std::vector<float> scaled(b, b + k * n);
  for (float& v : scaled) v *= alpha;
  return kernels::pack_weights_f32(k, n, scaled.data(), trans_b ? k : n, bias, layout);
}

// ============================================================================
// Gemm: Y = alpha · A' · B' + beta · C
// ============================================================================

struct GemmAttrs {
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  bool c_unbroadcast = false;  ///< opset < 7 with broadcast = 0: C must be M×N as is
};

GemmAttrs gemm_attrs(const Node& node, std::int64_t opset, bool has_c) {
  GemmAttrs a;
  const std::int64_t ta = node.get_int("transA", 0), tb = node.get_int("transB", 0);
  if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1)) invalid(node, "attributes 'transA' and 'transB' must be 0 or 1");
  a.trans_a = ta == 1;
  a.trans_b = tb == 1;
  a.alpha = node.get_float("alpha", 1.0f);
  a.beta = node.get_float("beta", 1.0f);
  // Before opset 7, C broadcasts only with broadcast = 1; with 0 it must
  // already be M×N (checked by check_c_unbroadcast once M and N are known).
  a.c_unbroadcast = opset < 7 && has_c && node.get_int("broadcast", 0) == 0;
  return a;
}

// broadcast = 0 (opset < 7) with a C that would need broadcasting: refused by
// name rather than guessed (the shapes may be known only at run time).
void check_c_unbroadcast(const Node& node, const GemmAttrs& attrs, const std::vector<std::int64_t>& c, std::int64_t m,
                         std::int64_t n) {
  if (!attrs.c_unbroadcast) return;
  if (c.size() == 2 && (c[0] == m || c[0] < 0 || m < 0) && (c[1] == n || c[1] < 0 || n < 0)) return;
  unsupported(node, "attribute 'broadcast' = 0 with C of shape " + shape_string(c) + " is not supported (only C of M×N = " +
                        shape_string({m, n}) + ")");
}

void infer_gemm(InferContext& ctx) {
  const TypeShape& a = ctx.input(0);
  const TypeShape& b = ctx.input(1);
  require_float(ctx.node, a.type, "input A");
  require_float(ctx.node, b.type, "input B");
  const GemmAttrs attrs = gemm_attrs(ctx.node, ctx.opset, ctx.has_input(2));
  if ((a.rank_known && a.shape.size() != 2) || (b.rank_known && b.shape.size() != 2))
    invalid(ctx.node, "inputs A and B must be matrices");
  const std::int64_t m = a.rank_known ? a.shape[attrs.trans_a ? 1 : 0] : -1;
  const std::int64_t ka = a.rank_known ? a.shape[attrs.trans_a ? 0 : 1] : -1;
  const std::int64_t kb = b.rank_known ? b.shape[attrs.trans_b ? 1 : 0] : -1;
  const std::int64_t n = b.rank_known ? b.shape[attrs.trans_b ? 0 : 1] : -1;
  if (ka >= 0 && kb >= 0 && ka != kb) invalid(ctx.node, "A " + shape_string(a.shape) + " and B " + shape_string(b.shape) + " do not multiply");
  if (ctx.has_input(2) && ctx.input(2).rank_known) check_c_unbroadcast(ctx.node, attrs, ctx.input(2).shape, m, n);
  infer_output(ctx, 0) = TypeShape::make(DataType::float32, {m, n});
}

// C as a bias vector of n values (times beta) when its M dim is 1 or absent:
// scalar, [1], [N], [1, 1] or [1, N]; empty when C varies along M.
std::vector<float> c_as_bias(const Node& node, const Tensor& c, std::size_t n, float beta) {
  const std::vector<std::int64_t>& s = c.shape();
  if (s.size() > 2) invalid(node, "input C " + shape_string(s) + " has more than 2 dims");
  if (s.size() == 2 && s[0] != 1) return {};
  const std::int64_t cn = s.empty() ? 1 : s.back();
  if (cn != 1 && cn != static_cast<std::int64_t>(n))
    invalid(node, "input C " + shape_string(s) + " does not broadcast to N = " + std::to_string(n));
  const float* cd = float_data(node, c, "input C");
  std::vector<float> bias(n);
  for (std::size_t j = 0; j < n; ++j) bias[j] = beta * cd[cn == 1 ? 0 : j];
  return bias;
}

class GemmKernel final : public Kernel {
 public:
  GemmKernel(GemmAttrs attrs, std::shared_ptr<const PackedWeightsF32> packed, bool c_fused)
      : attrs_(attrs), packed_(std::move(packed)), c_fused_(c_fused) {}

  void run(RunContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* c = ctx.has_input(2) ? ctx.inputs[2] : nullptr;
    if (a.rank() != 2 || b.rank() != 2) invalid(node, "inputs A and B must be matrices");
    const std::size_t m = to_size(a.dim(attrs_.trans_a ? 1 : 0));
    const std::size_t k = to_size(a.dim(attrs_.trans_a ? 0 : 1));
    const std::size_t kb = to_size(b.dim(attrs_.trans_b ? 1 : 0));
    const std::size_t n = to_size(b.dim(attrs_.trans_b ? 0 : 1));
    if (k != kb) invalid(node, "A " + shape_string(a.shape()) + " and B " + shape_string(b.shape()) + " do not multiply");
    const float* ad = float_data(node, a, "input A");
    const float* bd = float_data(node, b, "input B");
    if (c != nullptr) check_c_unbroadcast(node, attrs_, c->shape(), a.dim(attrs_.trans_a ? 1 : 0), b.dim(attrs_.trans_b ? 0 : 1));
    Tensor y = new_tensor(node, DataType::float32, {static_cast<std::int64_t>(m), static_cast<std::int64_t>(n)});
    float* yd = y.data<float>();
    bool c_done = c_fused_;
    if (m != 0 && n != 0 && k != 0) {
      // A' row-major: transposed into a buffer when transA.
      std::vector<float> a_t;
      if (attrs_.trans_a) {
        a_t.resize(m * k);
        for (std::size_t kk = 0; kk < k; ++kk)
          for (std::size_t i = 0; i < m; ++i) a_t[i * k + kk] = ad[kk * m + i];
        ad = a_t.data();
      }
      if (packed_ != nullptr) {
        kernels::gemm_f32(m, ad, k, *packed_, yd, n);
      } else {
        std::vector<float> bias;
        if (c != nullptr) bias = c_as_bias(node, *c, n, attrs_.beta);
        c_done = !bias.empty() || c == nullptr;
        const PackedWeightsF32 packed = pack_b(bd, k, n, attrs_.trans_b, attrs_.alpha, bias.empty() ? nullptr : bias.data());
        kernels::gemm_f32(m, ad, k, packed, yd, n);
      }
    } else if (c != nullptr) {
      c_done = false;  // an empty product: Y = beta · C
    }
    if (c != nullptr && !c_done) {
      // C varies along M (M×N or M×1): added after the product.
      const BroadcastPlan plan = plan_broadcast(node, y.shape(), c->shape());
      if (plan.out_shape != y.shape()) invalid(node, "input C " + shape_string(c->shape()) + " does not broadcast to " + shape_string(y.shape()));
      const float beta = attrs_.beta;
      broadcast_apply(plan, yd, float_data(node, *c, "input C"), yd, [beta](float v, float cv) { return v + beta * cv; });
    }
    set_output(ctx, 0, std::move(y));
  }

 private:
  GemmAttrs attrs_;
  std::shared_ptr<const PackedWeightsF32> packed_;  // null: B packed per run
  bool c_fused_;                                     // C (times beta) is the packed bias
};

std::unique_ptr<Kernel> build_gemm(const BuildContext& ctx) {
  const Node& node = ctx.node;
  const TypeShape& a = ctx.input(0);
  const TypeShape& b = ctx.input(1);
  require_float(node, a.type, "input A");
  require_float(node, b.type, "input B");
  const GemmAttrs attrs = gemm_attrs(node, ctx.opset, ctx.has_input(2));
  std::shared_ptr<const PackedWeightsF32> packed;
  bool c_fused = false;
  if (b.value != nullptr && b.value->rank() == 2 && b.value->size() > 0) {
    const Tensor& bt = *b.value;
    const std::size_t k = to_size(bt.dim(attrs.trans_b ? 1 : 0));
    const std::size_t n = to_size(bt.dim(attrs.trans_b ? 0 : 1));
    std::vector<float> bias;
    if (ctx.has_input(2) && ctx.input(2).value != nullptr) bias = c_as_bias(node, *ctx.input(2).value, n, attrs.beta);
    c_fused = !bias.empty() || !ctx.has_input(2);
    packed = std::make_shared<const PackedWeightsF32>(
        pack_b(float_data(node, bt, "input B"), k, n, attrs.trans_b, attrs.alpha, bias.empty() ? nullptr : bias.data()));
  }
  return std::make_unique<GemmKernel>(attrs, std::move(packed), c_fused);
}

// ============================================================================
// MatMul: numpy matmul (batched, broadcast batch dims, 1-D operands)
// ============================================================================

// Output shape of a · b; dims may be -1 (unknown).
std::vector<std::int64_t> matmul_shape(const Node& node, std::vector<std::int64_t> a, std::vector<std::int64_t> b) {
  if (a.empty() || b.empty()) invalid(node, "MatMul inputs must have at least one dim");
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  const std::int64_t ka = a.back(), kb = b[b.size() - 2];
  if (ka >= 0 && kb >= 0 && ka != kb)
    invalid(node, "shapes " + shape_string(a) + " and " + shape_string(b) + " do not multiply");
  std::vector<std::int64_t> out = broadcast_shapes(node, std::vector<std::int64_t>(a.begin(), a.end() - 2),
                                                   std::vector<std::int64_t>(b.begin(), b.end() - 2));
  if (!a_vector) out.push_back(a[a.size() - 2]);
  if (!b_vector) out.push_back(b.back());
  return out;
}

void infer_matmul(InferContext& ctx) {
  const TypeShape& a = ctx.input(0);
  const TypeShape& b = ctx.input(1);
  require_float(ctx.node, a.type, "input A");
  require_float(ctx.node, b.type, "input B");
  TypeShape& out = infer_output(ctx, 0);
  if (!a.rank_known || !b.rank_known) out = unknown_rank(DataType::float32);
  else out = TypeShape::make(DataType::float32, matmul_shape(ctx.node, a.shape, b.shape));
}

class MatMulKernel final : public Kernel {
 public:
  /// `packed`: one packed matrix per batch matrix of a constant B (empty otherwise).
  explicit MatMulKernel(std::vector<PackedWeightsF32> packed) : packed_(std::move(packed)) {}

  void run(RunContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const float* ad = float_data(node, a, "input A");
    const float* bd = float_data(node, b, "input B");
    std::vector<std::int64_t> as = a.shape(), bs = b.shape();
    Tensor y = new_tensor(node, DataType::float32, matmul_shape(node, as, bs));
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    const std::size_t m = to_size(as[as.size() - 2]), k = to_size(as.back()), n = to_size(bs.back());
    float* yd = y.data<float>();
    if (y.size() == 0 || k == 0) {  // nothing to multiply (zero-filled output)
      set_output(ctx, 0, std::move(y));
      return;
    }
    const std::size_t b_batches = to_size(product(bs, 0, bs.size() - 2));
    if (b_batches == 1) {
      // One B for every batch of A: A's batch dims fold into M, one GEMM call.
      const std::size_t rows = to_size(a.size()) / k;
      if (!packed_.empty()) {
        kernels::gemm_f32(rows, ad, k, packed_[0], yd, n);
      } else {
        const PackedWeightsF32 packed = kernels::pack_weights_f32(k, n, bd, n, nullptr);
        kernels::gemm_f32(rows, ad, k, packed, yd, n);
      }
      set_output(ctx, 0, std::move(y));
      return;
    }
    // Batched B: walk the broadcast batch dims, one GEMM per output matrix.
    const std::vector<std::int64_t> a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
    const std::vector<std::int64_t> out_batch = broadcast_shapes(node, a_batch, b_batch);
    const std::size_t rank = out_batch.size();
    std::vector<std::size_t> a_stride(rank, 0), b_stride(rank, 0);
    std::size_t run_a = 1, run_b = 1;
    for (std::size_t i = rank; i-- > 0;) {
      const std::size_t ai = i + a_batch.size(), bi = i + b_batch.size();  // aligned on the right
      const std::int64_t da = ai >= rank ? a_batch[ai - rank] : 1;
      const std::int64_t db = bi >= rank ? b_batch[bi - rank] : 1;
      a_stride[i] = da == 1 ? 0 : run_a;
      b_stride[i] = db == 1 ? 0 : run_b;
      run_a *= to_size(da);
      run_b *= to_size(db);
    }
    const std::size_t batches = to_size(product(out_batch, 0, rank));
    std::vector<std::size_t> index(rank, 0);
    for (std::size_t batch = 0; batch < batches; ++batch) {
      std::size_t ia = 0, ib = 0;
      for (std::size_t d = 0; d < rank; ++d) {
        ia += index[d] * a_stride[d];
        ib += index[d] * b_stride[d];
      }
      float* yb = yd + batch * m * n;
      if (!packed_.empty()) {
        kernels::gemm_f32(m, ad + ia * m * k, k, packed_[ib], yb, n);
      } else {
        const PackedWeightsF32 packed = kernels::pack_weights_f32(k, n, bd + ib * k * n, n, nullptr);
        kernels::gemm_f32(m, ad + ia * m * k, k, packed, yb, n);
      }
      for (std::size_t d = rank; d-- > 0;) {
        if (++index[d] < to_size(out_batch[d])) break;
        index[d] = 0;
      }
    }
    set_output(ctx, 0, std::move(y));
  }

 private:
  std::vector<PackedWeightsF32> packed_;
};

std::unique_ptr<Kernel> build_matmul(const BuildContext& ctx) {
  const TypeShape& a = ctx.input(0);
  const TypeShape& b = ctx.input(1);
  require_float(ctx.node, a.type, "input A");
  require_float(ctx.node, b.type, "input B");
  std::vector<PackedWeightsF32> packed;
  if (b.value != nullptr && b.value->size() > 0) {
    // A constant B (the usual weight matrix): every batch matrix packed once.
    const Tensor& bt = *b.value;
    const float* bd = float_data(ctx.node, bt, "input B");
    std::vector<std::int64_t> bs = bt.shape();
    if (bs.size() == 1) bs.push_back(1);
    const std::size_t k = to_size(bs[bs.size() - 2]), n = to_size(bs.back());
    const std::size_t batches = to_size(product(bs, 0, bs.size() - 2));
    for (std::size_t i = 0; i < batches; ++i) packed.push_back(kernels::pack_weights_f32(k, n, bd + i * k * n, n, nullptr));
  }
  return std::make_unique<MatMulKernel>(std::move(packed));
}

}  // namespace

void add_gemm_matmul_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Gemm", 1, infer_gemm, build_gemm});
  ops.push_back(OpDef{"", "MatMul", 1, infer_matmul, build_matmul});
}

}  // namespace quantlab::model::ops
