// quantlab.QLinearAddAct — the executor's private op for a quantized
// element-wise addition, made by the QDQ rewrite (model/qdq_fusion.h) from
// DequantizeLinear(a), DequantizeLinear(b) → Add → [Relu|Clip] → QuantizeLinear
// (a residual connection), as onnxruntime's com.microsoft.QLinearAdd:
//
//   inputs   a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
//   attrs    activation_min, activation_max (float, optional)
//
//   y = clamp(saturate(round_half_even(fl(fl((a − za)·sa) + fl((b − zb)·sb)) / sy) + zy), Q(lo), Q(hi))
//
// with numpy broadcasting of a and b. Each element is computed in float32
// exactly as the three float nodes compute it (DequantizeLinear's product,
// Add's sum, QuantizeLinear's quotient and ties to even), so the codes equal
// the unfused graph's bit for bit; the clamp to the activation's codes is
// exact too (int8_common.h activation_range). What the fusion saves is the
// two float tensors and three passes over memory.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "model/ops/broadcast.h"
#include "model/ops/int8_common.h"
#include "model/ops/op.h"
#include "quantlab/kernels/config.h"

namespace quantlab::model::int8_ops {
namespace {

enum Input : std::size_t { kA, kAScale, kAZero, kB, kBScale, kBZero, kYScale, kYZero };

/// One operand's (or the output's) per-tensor scale and zero point.
struct Param {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

Param read_param(const RunContext& rc, std::size_t scale, std::size_t zero_point, const char* what,
                 DataType value_type) {
  const Node& node = rc.node;
  const std::vector<float> s = float_values(node, std::string("input '") + what + "_scale'", rc.input(scale));
  if (s.size() != 1) invalid(node, std::string(what) + "_scale must hold one value (per tensor)");
  require_positive_scales(node, std::string(what) + "_scale", s);
  Param p;
  p.scale = s[0];
  if (rc.has_input(zero_point)) {
    const Tensor& z = rc.input(zero_point);
    require_same_type(node, std::string(what) + "_zero_point", z.type(), what, value_type);
    if (z.size() != 1) invalid(node, std::string(what) + "_zero_point must hold one value (per tensor)");
    p.zero_point = int32_values(z)[0];
  }
  return p;
}

/// The per-element computation, with the output clamp as quotient bounds:
/// clamping v/sy to the integers [qmin − zy, qmax − zy] before rounding gives
/// the same code as rounding and then clamping to [qmin, qmax].
struct AddParams {
  Param a, b;
  float y_scale = 1.0f;
  std::int32_t y_zero_point = 0;
  float lo = 0.0f, hi = 0.0f;  ///< qmin − zy, qmax − zy
};

/// One element: DequantizeLinear's products, Add's sum, QuantizeLinear's
/// quotient, the clamp and ties to even (std::nearbyint in the default
/// rounding mode; f32x4.nearest in WebAssembly).
struct AddOne {
  float sa, sb, sy, lo, hi;
  std::int32_t za, zb, zy;

  template <class A, class B>
  std::int32_t operator()(A va, B vb) const {
    const float fa = static_cast<float>(static_cast<std::int32_t>(va) - za) * sa;
    const float fb = static_cast<float>(static_cast<std::int32_t>(vb) - zb) * sb;
    float q = (fa + fb) / sy;
    q = q < lo ? lo : q;
    q = q > hi ? hi : q;
    return static_cast<std::int32_t>(std::nearbyint(q)) + zy;
  }
};

template <class A, class B, class Y>
void add_codes(const ops::BroadcastPlan& plan, const A* a, const B* b, Y* y, const AddParams& p) {
  const AddOne one{p.a.scale, p.b.scale, p.y_scale, p.lo, p.hi, p.a.zero_point, p.b.zero_point, p.y_zero_point};
  if constexpr (std::is_same_v<A, B> && std::is_same_v<A, Y>) {
    if (plan.dims.size() == 1 && plan.stride_a[0] == 1 && plan.stride_b[0] == 1) {
      // Equal shapes and one type (the residual connection): the SIMD kernels
      // (microkernels.h vadd_*), the same float operations in the same order.
      const kernels::KernelConfig& cfg = kernels::kernel_config(kernels::best_isa());
      const kernels::Q8AddParams kp{p.a.scale,      p.b.scale,      p.y_scale, p.a.zero_point,
                                    p.b.zero_point, p.y_zero_point, p.lo,      p.hi};
      if constexpr (std::is_same_v<A, std::uint8_t>) cfg.vadd_qu8(plan.out_size, a, b, kp, y);
      else cfg.vadd_qs8(plan.out_size, a, b, kp, y);
      return;
    }
  }
  if (plan.dims.size() == 1 && plan.stride_a[0] == 1 && plan.stride_b[0] == 1) {
    // Equal shapes (the residual connection): one flat loop, which the
    // compiler vectorizes; broadcast_apply's nested lambdas it does not.
    const AddOne f = one;
    const std::size_t n = plan.out_size;  // a local: stores through Y* could alias plan
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<Y>(f(a[i], b[i]));
    return;
  }
  ops::broadcast_apply(plan, a, b, y, [one](A va, B vb) { return static_cast<Y>(one(va, vb)); });
}

/// Calls f(T{}) for uint8 and int8.
template <class F>
void visit_q8(DataType t, F&& f) {
  if (t == DataType::uint8) f(std::uint8_t{});
  else f(std::int8_t{});
}

void infer_qlinear_add_act(InferContext& ctx) {
  const TypeShape& a = ctx.input(kA);
  const TypeShape& b = ctx.input(kB);
  TypeShape y;
  y.type = ctx.input(kYZero).type;
  if (a.rank_known && b.rank_known) {
    y.rank_known = true;
    y.shape = broadcast_shapes(ctx.node, a.shape, b.shape);
  }
  ctx.outputs[0] = y;
}

std::unique_ptr<Kernel> build_qlinear_add_act(const BuildContext& ctx) {
  const Node& node = ctx.node;
  const std::initializer_list<DataType> q8 = {DataType::uint8, DataType::int8};
  require_type(node, "input 'a'", ctx.input(kA).type, q8);
  require_type(node, "input 'b'", ctx.input(kB).type, q8);
  require_type(node, "input 'a_scale'", ctx.input(kAScale).type, {DataType::float32});
  require_type(node, "input 'b_scale'", ctx.input(kBScale).type, {DataType::float32});
  require_type(node, "input 'y_scale'", ctx.input(kYScale).type, {DataType::float32});
  require_type(node, "input 'y_zero_point'", ctx.input(kYZero).type, q8);
  return function_kernel([](RunContext& rc) {
    const Node& node = rc.node;
    const Tensor& a = rc.input(kA);
    const Tensor& b = rc.input(kB);
    const Tensor& y_zero_point = rc.input(kYZero);
    AddParams p;
    p.a = read_param(rc, kAScale, kAZero, "a", a.type());
    p.b = read_param(rc, kBScale, kBZero, "b", b.type());
    const std::vector<float> sy = float_values(node, "input 'y_scale'", rc.input(kYScale));
    if (sy.size() != 1 || y_zero_point.size() != 1)
      invalid(node, "y_scale and y_zero_point must hold one value each (per-tensor output)");
    require_positive_scales(node, "y_scale", sy);
    p.y_scale = sy[0];
    p.y_zero_point = int32_values(y_zero_point)[0];
    const IntRange range = activation_range(node, p.y_scale, p.y_zero_point, y_zero_point.type());
    p.lo = static_cast<float>(range.min - p.y_zero_point);
    p.hi = static_cast<float>(range.max - p.y_zero_point);
    const ops::BroadcastPlan plan = ops::plan_broadcast(node, a.shape(), b.shape());
    Tensor y(y_zero_point.type(), plan.out_shape);
    visit_q8(a.type(), [&](auto ta) {
      using A = decltype(ta);
      visit_q8(b.type(), [&](auto tb) {
        using B = decltype(tb);
        visit_q8(y.type(), [&](auto ty) {
          using Y = decltype(ty);
          add_codes(plan, a.data<A>(), b.data<B>(), y.data<Y>(), p);
        });
      });
    });
    rc.outputs[0] = std::move(y);
  });
}

}  // namespace

void add_qlinear_add_act_ops(std::vector<OpDef>& ops) {
  ops.push_back({kPrivateDomain, "QLinearAddAct", 1, infer_qlinear_add_act, build_qlinear_add_act});
}

}  // namespace quantlab::model::int8_ops
