// Add, Sub, Mul, Div (opset 1+: float, int64, int32, int8, uint8 — shape
// subgraphs compute in int64), Pow and PRelu, with numpy broadcasting
// (broadcast.h). Before opset 7 these ops broadcast only when asked
// (attribute broadcast = 1) and align B at `axis`; that form is mapped onto
// numpy broadcasting by padding B's shape.
#include <cmath>
#include <string>
#include <type_traits>

#include "model/ops/broadcast.h"
#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

namespace {

// B's shape as numpy broadcasting should see it: before opset 7, with
// broadcast = 1 and an axis, B lines up with A at that axis (trailing 1s added).
std::vector<std::int64_t> b_shape_for(const Node& node, std::int64_t opset, const std::vector<std::int64_t>& a,
                                      const std::vector<std::int64_t>& b) {
  if (opset >= 7) return b;
  if (node.get_int("broadcast", 0) == 0) {
    if (a != b) invalid(node, "shapes " + shape_string(a) + " and " + shape_string(b) + " differ and attribute 'broadcast' is 0");
    return b;
  }
  const Attribute* axis_attr = node.find("axis");
  if (axis_attr == nullptr) return b;
  const std::int64_t axis = normalize_axis(node, axis_attr->i, static_cast<std::int64_t>(a.size()));
  const std::int64_t trailing = static_cast<std::int64_t>(a.size()) - axis - static_cast<std::int64_t>(b.size());
  if (trailing < 0) invalid(node, "B " + shape_string(b) + " does not fit A " + shape_string(a) + " at axis " + std::to_string(axis));
  std::vector<std::int64_t> out = b;
  out.insert(out.end(), static_cast<std::size_t>(trailing), 1);
  return out;
}

// Shape inference of a binary op whose output has A's type (`out_type`, or A's when undefined).
void infer_binary(InferContext& ctx, bool same_types, DataType out_type = DataType::undefined) {
  const TypeShape& a = ctx.input(0);
  const TypeShape& b = ctx.input(1);
  if (same_types && a.type != DataType::undefined && b.type != DataType::undefined && a.type != b.type)
    invalid(ctx.node, "inputs have different types (" + type_name(a.type) + " and " + type_name(b.type) + ")");
  const DataType type = out_type != DataType::undefined ? out_type : a.type;
  TypeShape& out = infer_output(ctx, 0);
  if (!a.rank_known || !b.rank_known) {
    out = unknown_rank(type);
    return;
  }
  out = TypeShape::make(type, broadcast_shapes(ctx.node, a.shape, b_shape_for(ctx.node, ctx.opset, a.shape, b.shape)));
}

// Wrapping integer arithmetic (as onnxruntime's two's complement results)
// without signed-overflow UB; plain arithmetic for float.
template <class T>
using Unsigned = std::make_unsigned_t<T>;

struct AddOp {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b));
    else return a + b;
  }
};
struct SubOp {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<Unsigned<T>>(a) - static_cast<Unsigned<T>>(b));
    else return a - b;
  }
};
struct MulOp {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      // Unsigned types narrower than int promote to int: multiply as uint64.
      return static_cast<T>(static_cast<std::uint64_t>(static_cast<Unsigned<T>>(a)) * static_cast<Unsigned<T>>(b));
    } else {
      return a * b;
    }
  }
};
struct DivOp {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      // Truncating division; INT_MIN / -1 wraps to INT_MIN instead of trapping.
      return b == -1 ? static_cast<T>(Unsigned<T>{0} - static_cast<Unsigned<T>>(a)) : static_cast<T>(a / b);
    } else {
      return static_cast<T>(a / b);
    }
  }
};

template <class Op, bool kCheckZero>
void run_arithmetic(RunContext& ctx) {
  const Node& node = ctx.node;
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.type() != b.type()) invalid(node, "inputs have different types (" + type_name(a.type()) + " and " + type_name(b.type()) + ")");
  visit_numeric(node, a.type(), [&](auto zero) {
    using T = decltype(zero);
    const T* bd = b.data<T>();
    if constexpr (kCheckZero && std::is_integral_v<T>) {
      for (std::int64_t i = 0; i < b.size(); ++i)
        if (bd[i] == 0) invalid(node, "integer division by zero");
    }
    const BroadcastPlan plan = plan_broadcast(node, a.shape(), b.shape());
    Tensor y = new_tensor(node, a.type(), plan.out_shape);
    broadcast_apply(plan, a.data<T>(), bd, y.data<T>(), Op{});
    set_output(ctx, 0, std::move(y));
  });
}

// Before opset 7, B is first given its legacy-aligned shape (a copy with
// trailing 1s), then the numpy path runs.
template <class Op, bool kCheckZero>
class ArithmeticKernel final : public Kernel {
 public:
  explicit ArithmeticKernel(std::int64_t opset) : opset_(opset) {}
  void run(RunContext& ctx) const override {
    if (opset_ >= 7 || !ctx.has_input(1) || !ctx.has_input(0)) {
      run_arithmetic<Op, kCheckZero>(ctx);
      return;
    }
    const std::vector<std::int64_t> b_shape = b_shape_for(ctx.node, opset_, ctx.input(0).shape(), ctx.input(1).shape());
    if (b_shape == ctx.input(1).shape()) {
      run_arithmetic<Op, kCheckZero>(ctx);
      return;
    }
    const Tensor b = ctx.input(1).reshaped(b_shape);
    RunContext inner{ctx.node, {ctx.inputs[0], &b}, {}};
    run_arithmetic<Op, kCheckZero>(inner);
    set_output(ctx, 0, std::move(inner.outputs.at(0)));
  }

 private:
  std::int64_t opset_;
};

void infer_arithmetic(InferContext& ctx) {
  visit_numeric(ctx.node, ctx.input(0).type == DataType::undefined ? DataType::float32 : ctx.input(0).type, [](auto) {});
  infer_binary(ctx, true);
}

template <class Op, bool kCheckZero = false>
std::unique_ptr<Kernel> build_arithmetic(const BuildContext& ctx) {
  const DataType t = ctx.input(0).type;
  if (t != DataType::undefined) visit_numeric(ctx.node, t, [](auto) {});
  if (ctx.opset < 7 && ctx.input(0).rank_known && ctx.input(1).rank_known)
    b_shape_for(ctx.node, ctx.opset, ctx.input(0).shape, ctx.input(1).shape);  // reports bad legacy shapes early
  return std::make_unique<ArithmeticKernel<Op, kCheckZero>>(ctx.opset);
}

// ============================================================================
// Pow: base float, int32 or int64; exponent float, int32, int64, uint32 or uint64
// ============================================================================

template <class F>
decltype(auto) visit_pow_type(const Node& node, DataType type, const char* what, F&& f) {
  switch (type) {
    case DataType::float32: return f(float{});
    case DataType::int32: return f(std::int32_t{});
    case DataType::int64: return f(std::int64_t{});
    default: unsupported(node, std::string(what) + " of type " + type_name(type) + " is not supported (float, int32, int64)");
  }
}

// Exponents may also be unsigned (Pow-15 allows uint32 and uint64).
template <class F>
decltype(auto) visit_exponent_type(const Node& node, DataType type, F&& f) {
  switch (type) {
    case DataType::uint32: return f(std::uint32_t{});
    case DataType::uint64: return f(std::uint64_t{});
    default: return visit_pow_type(node, type, "exponent Y", std::forward<F>(f));
  }
}

void infer_pow(InferContext& ctx) {
  infer_binary(ctx, false);
}

std::unique_ptr<Kernel> build_pow(const BuildContext& ctx) {
  if (ctx.input(0).type != DataType::undefined) visit_pow_type(ctx.node, ctx.input(0).type, "base X", [](auto) {});
  if (ctx.input(1).type != DataType::undefined) visit_exponent_type(ctx.node, ctx.input(1).type, [](auto) {});
  if (ctx.opset < 7 && ctx.input(0).rank_known && ctx.input(1).rank_known)
    b_shape_for(ctx.node, ctx.opset, ctx.input(0).shape, ctx.input(1).shape);
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Node& node = ctx.node;
    const Tensor& x = ctx.input(0);
    const Tensor& e = ctx.input(1);
    const std::vector<std::int64_t> e_shape = b_shape_for(node, opset, x.shape(), e.shape());
    visit_pow_type(node, x.type(), "base X", [&](auto base_zero) {
      using TX = decltype(base_zero);
      visit_exponent_type(node, e.type(), [&](auto exp_zero) {
        using TE = decltype(exp_zero);
        const BroadcastPlan plan = plan_broadcast(node, x.shape(), e_shape);
        Tensor y = new_tensor(node, x.type(), plan.out_shape);
        const TX* xd = x.data<TX>();
        TX* yd = y.data<TX>();
        if constexpr (std::is_same_v<TX, float>) {
          // Squares and square roots (LayerNorm-like subgraphs) skip std::pow.
          if (e.size() == 1 && plan.out_size == static_cast<std::size_t>(x.size())) {
            const double p = static_cast<double>(e.data<TE>()[0]);
            if (p == 2.0) {
              for (std::size_t i = 0; i < plan.out_size; ++i) yd[i] = xd[i] * xd[i];
              set_output(ctx, 0, std::move(y));
              return;
            }
            if (p == 0.5) {
              for (std::size_t i = 0; i < plan.out_size; ++i) yd[i] = std::sqrt(xd[i]);
              set_output(ctx, 0, std::move(y));
              return;
            }
          }
          broadcast_apply(plan, xd, e.data<TE>(), yd, [](float a, TE b) { return std::pow(a, static_cast<float>(b)); });
        } else {
          broadcast_apply(plan, xd, e.data<TE>(), yd, [](TX a, TE b) {
            return static_cast<TX>(std::pow(static_cast<double>(a), static_cast<double>(b)));
          });
        }
        set_output(ctx, 0, std::move(y));
      });
    });
  });
}

// ============================================================================
// PRelu: y = x < 0 ? slope · x : x, slope broadcast to x (unidirectionally)
// ============================================================================

// Before opset 7 a 1-D slope of C values is per channel (axis 1).
std::vector<std::int64_t> slope_shape_for(std::int64_t opset, const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& s) {
  if (opset >= 7 || s.size() != 1 || x.size() < 3 || s[0] == 1 || s[0] != x[1]) return s;
  std::vector<std::int64_t> out{s[0]};
  out.insert(out.end(), x.size() - 2, 1);
  return out;
}

void infer_prelu(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  require_float(ctx.node, ctx.input(1).type, "slope");
  TypeShape& out = infer_output(ctx, 0);
  out = x.rank_known ? TypeShape::make(DataType::float32, x.shape) : unknown_rank(DataType::float32);
}

std::unique_ptr<Kernel> build_prelu(const BuildContext& ctx) {
  require_float(ctx.node, ctx.input(0).type, "input X");
  require_float(ctx.node, ctx.input(1).type, "slope");
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Node& node = ctx.node;
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    const BroadcastPlan plan = plan_broadcast(node, x.shape(), slope_shape_for(opset, x.shape(), s.shape()));
    if (plan.out_shape != x.shape()) invalid(node, "slope " + shape_string(s.shape()) + " does not broadcast to X " + shape_string(x.shape()));
    Tensor y(DataType::float32, x.shape());
    broadcast_apply(plan, float_data(node, x, "input X"), float_data(node, s, "slope"), y.data<float>(),
                    [](float v, float slope) { return v < 0.0f ? slope * v : v; });
    set_output(ctx, 0, std::move(y));
  });
}

}  // namespace

void add_elementwise_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Add", 1, infer_arithmetic, build_arithmetic<AddOp>});
  ops.push_back(OpDef{"", "Sub", 1, infer_arithmetic, build_arithmetic<SubOp>});
  ops.push_back(OpDef{"", "Mul", 1, infer_arithmetic, build_arithmetic<MulOp>});
  ops.push_back(OpDef{"", "Div", 1, infer_arithmetic, build_arithmetic<DivOp, true>});
  ops.push_back(OpDef{"", "Pow", 1, infer_pow, build_pow});
  ops.push_back(OpDef{"", "PRelu", 1, infer_prelu, build_prelu});
}

}  // namespace quantlab::model::ops
