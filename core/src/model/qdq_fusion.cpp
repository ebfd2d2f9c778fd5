// The QDQ rewrite (qdq_fusion.h): finds each QuantizeLinear that ends a
// quantized layer, walks back through the layer to its DequantizeLinear
// inputs, checks every condition of core/docs/model.md "QDQ models", and
// replaces the layer's nodes by one integer node. Matching reads the original
// graph only: a pattern's interior values have exactly one consumer, so no two
// patterns share a node, and the DequantizeLinear nodes a pattern reads are
// never removed by it (only later, when nothing reads them any more).
#include "model/qdq_fusion.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "quantlab/error.h"

namespace quantlab::model {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

bool is_onnx_op(const Node& n, const char* op_type) {
  return (n.domain.empty() || n.domain == "ai.onnx") && n.op_type == op_type;
}

bool is_q8(DataType t) { return t == DataType::uint8 || t == DataType::int8; }

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// A positive, finite, normal float: a scale whose products and quotients the
/// rewrite can reason about (subnormal or huge scales are left to the float graph).
bool usable_scale(float s) { return std::isnormal(s) && s > 0.0f && s < 1e30f; }

Attribute float_attribute(const std::string& name, float value) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::float_;
  a.f = value;
  return a;
}

/// Per-tensor quantization parameters of an activation, as named in the graph.
struct TensorQuant {
  std::string scale;       ///< the scale's value name
  std::string zero_point;  ///< "" when the node has none (0)
  float s = 1.0f;
  std::int32_t z = 0;
  DataType type = DataType::undefined;  ///< the quantized type (uint8 or int8)

  bool same_as(const TensorQuant& o) const { return same_bits(s, o.s) && z == o.z && type == o.type; }
};

/// Constant weights behind a DequantizeLinear: per tensor or per output channel.
struct WeightQuant {
  std::string value, scale, zero_point;  ///< names; zero_point "" when absent
  const Tensor* w = nullptr;
  std::vector<float> s;  ///< 1 or one per output channel
};

/// A Relu or Clip between the layer and its QuantizeLinear, as float bounds.
struct Activation {
  float lo = -kInf;
  float hi = kInf;
};

class Rewriter {
 public:
  Rewriter(const Graph& g, std::int64_t opset) : g_(g), opset_(opset) {
    for (const auto& [name, t] : g.initializers) {
      constants_[name] = &t;
      names_.insert(name);
    }
    for (const ValueInfo& in : g.inputs) {
      names_.insert(in.name);
      if (!g.initializers.count(in.name)) input_types_[in.name] = in.type;
    }
    for (const ValueInfo& out : g.outputs) graph_outputs_.insert(out.name);
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      for (const std::string& out : n.outputs) {
        if (out.empty()) continue;
        producer_.emplace(out, i);
        names_.insert(out);
      }
      for (const std::string& in : n.inputs)
        if (!in.empty()) ++uses_[in];
      if (is_onnx_op(n, "Constant") && n.outputs.size() == 1)
        if (const Attribute* a = n.find("value"); a && a->kind == Attribute::Kind::tensor)
          constants_[n.outputs[0]] = &a->t;
    }
    nodes_ = g.nodes;
    removed_.assign(nodes_.size(), false);
    from_.assign(nodes_.size(), {});
  }

  QdqFusion run() {
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!is_onnx_op(g_.nodes[i], "QuantizeLinear")) continue;
      try {
        fuse_layer(i);
      } catch (const Error&) {
        // A malformed attribute: leave the nodes to the float graph, which reports it.
      }
    }
    collapse_requantization();
    remove_dead_dequantization();
    QdqFusion r;
    r.changes = changes_;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (removed_[i]) continue;
      r.nodes.push_back(std::move(nodes_[i]));
      r.fused_from.push_back(std::move(from_[i]));
    }
    r.initializers = std::move(added_);
    return r;
  }

 private:
  // ---- facts about the original graph ---------------------------------------

  const Tensor* constant(const std::string& name) const {
    auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : it->second;
  }

  /// The node producing `name` when it is the ONNX op `op_type`, else null.
  const Node* producer(const std::string& name, const char* op_type) const {
    auto it = producer_.find(name);
    if (it == producer_.end() || !is_onnx_op(g_.nodes[it->second], op_type)) return nullptr;
    return &g_.nodes[it->second];
  }

  std::size_t index_of(const Node* n) const { return static_cast<std::size_t>(n - g_.nodes.data()); }

  /// Read by exactly one node input and not a graph output: its producer may go.
  bool single_use(const std::string& name) const {
    auto it = uses_.find(name);
    return it != uses_.end() && it->second == 1 && !graph_outputs_.count(name);
  }

  /// The element type of a value where the graph states it without inference:
  /// constants, graph inputs and QuantizeLinear outputs; undefined otherwise.
  DataType value_type(const std::string& name) const {
    if (const Tensor* t = constant(name)) return t->type();
    if (auto it = input_types_.find(name); it != input_types_.end()) return it->second;
    if (const Node* q = producer(name, "QuantizeLinear")) {
      if (q->has_input(2)) {
        const Tensor* zp = constant(q->inputs[2]);
        return zp ? zp->type() : DataType::undefined;
      }
      const std::int64_t dtype = q->get_int("output_dtype", 0);
      return dtype == 0 ? DataType::uint8 : static_cast<DataType>(dtype);
    }
    return DataType::undefined;
  }

  /// A constant float32 holding one usable scale.
  std::optional<float> one_scale(const std::string& name) const {
    const Tensor* t = constant(name);
    if (!t || t->type() != DataType::float32 || t->size() != 1) return std::nullopt;
    const float s = t->data<float>()[0];
    if (!usable_scale(s)) return std::nullopt;
    return s;
  }

  /// A constant uint8/int8 zero point holding one value.
  std::optional<std::pair<std::int32_t, DataType>> one_zero_point(const std::string& name) const {
    const Tensor* t = constant(name);
    if (!t || t->size() != 1 || !is_q8(t->type())) return std::nullopt;
    const std::int32_t z = t->type() == DataType::uint8 ? t->data<std::uint8_t>()[0] : t->data<std::int8_t>()[0];
    return std::make_pair(z, t->type());
  }

  /// QuantizeLinear's output parameters (per tensor, constant, 8-bit).
  std::optional<TensorQuant> quantize_params(const Node& q) const {
    if (q.get_int("block_size", 0) != 0 || !q.has_input(1)) return std::nullopt;
    TensorQuant p;
    const auto s = one_scale(q.inputs[1]);
    if (!s) return std::nullopt;
    p.scale = q.inputs[1];
    p.s = *s;
    if (q.has_input(2)) {
      const auto z = one_zero_point(q.inputs[2]);
      if (!z) return std::nullopt;
      p.zero_point = q.inputs[2];
      std::tie(p.z, p.type) = *z;
    } else {
      const std::int64_t dtype = q.get_int("output_dtype", 0);
      p.type = dtype == 0 ? DataType::uint8 : static_cast<DataType>(dtype);
    }
    if (!is_q8(p.type)) return std::nullopt;
    return p;
  }

  /// DequantizeLinear's input parameters when it dequantizes an 8-bit
  /// activation per tensor with constant parameters.
  std::optional<TensorQuant> dequantize_params(const Node& dq) const {
    if (dq.get_int("block_size", 0) != 0 || !dq.has_input(0) || !dq.has_input(1)) return std::nullopt;
    TensorQuant p;
    const auto s = one_scale(dq.inputs[1]);
    if (!s) return std::nullopt;
    p.scale = dq.inputs[1];
    p.s = *s;
    p.type = value_type(dq.inputs[0]);
    if (dq.has_input(2)) {
      const auto z = one_zero_point(dq.inputs[2]);
      if (!z || (p.type != DataType::undefined && p.type != z->second)) return std::nullopt;
      p.zero_point = dq.inputs[2];
      std::tie(p.z, p.type) = *z;
    }
    if (!is_q8(p.type)) return std::nullopt;
    return p;
  }

  /// The activation's quantized input: the DequantizeLinear producing `name`.
  std::optional<std::pair<const Node*, TensorQuant>> dequantized(const std::string& name) const {
    const Node* dq = producer(name, "DequantizeLinear");
    if (!dq) return std::nullopt;
    auto p = dequantize_params(*dq);
    if (!p) return std::nullopt;
    return std::make_pair(dq, *p);
  }

  /// Constant 8-bit (or 4-bit) weights of rank `rank` (0: any rank >= 3) behind a
  /// DequantizeLinear, per tensor or per channel along `channel_axis`.
  std::optional<WeightQuant> weights(const std::string& name, std::size_t rank, std::size_t channel_axis) const {
    const Node* dq = producer(name, "DequantizeLinear");
    if (!dq || dq->get_int("block_size", 0) != 0 || !dq->has_input(1)) return std::nullopt;
    WeightQuant q;
    q.value = dq->inputs[0];
    q.w = constant(q.value);
    if (!q.w || !(is_q8(q.w->type()) || is_4bit(q.w->type()))) return std::nullopt;
    if (rank != 0 ? q.w->rank() != rank : q.w->rank() < 3) return std::nullopt;
    for (std::int64_t d : q.w->shape())
      if (d < 1) return std::nullopt;
    const Tensor* scale = constant(dq->inputs[1]);
    if (!scale || scale->type() != DataType::float32) return std::nullopt;
    q.scale = dq->inputs[1];
    const std::int64_t channels = q.w->dim(channel_axis);
    if (scale->size() != 1) {  // per channel: a 1-D scale along the output-channel axis (opset 13)
      const auto r = static_cast<std::int64_t>(q.w->rank());
      std::int64_t axis = dq->get_int("axis", 1);
      if (axis < 0) axis += r;
      if (opset_ < 13 || scale->rank() != 1 || scale->size() != channels || axis != static_cast<std::int64_t>(channel_axis))
        return std::nullopt;
    }
    q.s.assign(scale->data<float>(), scale->data<float>() + scale->size());
    for (float s : q.s)
      if (!usable_scale(s)) return std::nullopt;
    if (dq->has_input(2)) {
      const Tensor* zp = constant(dq->inputs[2]);
      if (!zp || zp->type() != q.w->type() || zp->size() != scale->size()) return std::nullopt;
      q.zero_point = dq->inputs[2];
    }
    return q;
  }

  /// The int32 bias of a fused layer (scale x_s · w_s[c], zero point 0, eq. K3)
  /// from `name`: a DequantizeLinear of constant int32 (used as it is when its
  /// scale is exactly fl(x_s · w_s[c]) and its zero point 0, requantized
  /// otherwise) or a constant float bias, quantized here:
  ///   B[c] = round_half_even(b[c] / fl(x_s · w_s[c]))   (in float64)
  /// which moves each output by at most half a step of x_s · w_s[c], i.e. at
  /// most 0.5 · x_s · w_s[c] / y_s output codes. The first value is the name to
  /// use, the second a new constant to add under that name (empty when reused).
  std::optional<std::pair<std::string, Tensor>> bias(const std::string& name, std::int64_t n, float x_scale,
                                                     const std::vector<float>& w_scale, bool allow_broadcast) {
    auto unit = [&](std::int64_t c) {
      return x_scale * w_scale[w_scale.size() == 1 ? 0 : static_cast<std::size_t>(c)];
    };
    std::vector<double> real(static_cast<std::size_t>(n));
    auto count_ok = [&](std::int64_t count) { return count == n || (allow_broadcast && count == 1); };
    auto at = [&](std::int64_t count, std::int64_t c) { return static_cast<std::size_t>(count == 1 ? 0 : c); };
    if (const Tensor* b = constant(name)) {
      if (b->type() != DataType::float32 || !count_ok(b->size())) return std::nullopt;
      for (std::int64_t c = 0; c < n; ++c) real[c] = b->data<float>()[at(b->size(), c)];
    } else if (const Node* dq = producer(name, "DequantizeLinear")) {
      if (dq->get_int("block_size", 0) != 0 || !dq->has_input(1)) return std::nullopt;
      const Tensor* q = constant(dq->inputs[0]);
      const Tensor* s = constant(dq->inputs[1]);
      const Tensor* z = dq->has_input(2) ? constant(dq->inputs[2]) : nullptr;
      if (!q || !s || q->type() != DataType::int32 || s->type() != DataType::float32 || !count_ok(q->size()) ||
          (s->size() != 1 && s->size() != q->size()) || (dq->has_input(2) && (!z || z->size() != s->size())))
        return std::nullopt;
      if (s->size() > 1 && q->rank() > 1) {  // per axis over a bias of shape [1, N]
        std::int64_t axis = dq->get_int("axis", 1);
        if (axis < 0) axis += static_cast<std::int64_t>(q->rank());
        if (axis < 0 || axis >= static_cast<std::int64_t>(q->rank()) || q->dim(static_cast<std::size_t>(axis)) != q->size())
          return std::nullopt;
      }
      const std::int32_t* qv = q->data<std::int32_t>();
      const float* sv = s->data<float>();
      bool exact = q->size() == n && (!z || std::all_of(z->data<std::int32_t>(), z->data<std::int32_t>() + z->size(),
                                                        [](std::int32_t v) { return v == 0; }));
      for (std::int64_t c = 0; c < n && exact; ++c) exact = same_bits(sv[at(s->size(), c)], unit(c));
      if (exact) return std::make_pair(dq->inputs[0], Tensor());
      for (std::int64_t c = 0; c < n; ++c) {
        const std::int64_t zc = z ? z->data<std::int32_t>()[at(z->size(), c)] : 0;
        real[c] = static_cast<double>(static_cast<std::int64_t>(qv[at(q->size(), c)]) - zc) *
                  static_cast<double>(sv[at(s->size(), c)]);
      }
    } else {
      return std::nullopt;
    }
    std::vector<std::int32_t> codes(static_cast<std::size_t>(n));
    for (std::int64_t c = 0; c < n; ++c) {
      const double code = std::nearbyint(real[c] / static_cast<double>(unit(c)));  // ties to even
      if (!(std::fabs(code) <= 1073741824.0)) return std::nullopt;  // 2^30: room for the sums (eq. K7)
      codes[c] = static_cast<std::int32_t>(code);
    }
    return std::make_pair(fresh_name(name + "_int32"), Tensor::from<std::int32_t>({n}, codes));
  }

  /// The Relu or Clip producing `name` (read once, not a graph output), with its bounds.
  std::optional<std::pair<const Node*, Activation>> activation(const std::string& name) const {
    if (!single_use(name)) return std::nullopt;
    Activation a;
    if (const Node* relu = producer(name, "Relu")) {
      a.lo = 0.0f;
      return std::make_pair(relu, a);
    }
    const Node* clip = producer(name, "Clip");
    if (!clip) return std::nullopt;
    if (opset_ >= 11) {
      for (std::size_t i = 1; i <= 2; ++i) {
        if (!clip->has_input(i)) continue;
        const Tensor* t = constant(clip->inputs[i]);
        if (!t || t->type() != DataType::float32 || t->size() != 1) return std::nullopt;
        (i == 1 ? a.lo : a.hi) = t->data<float>()[0];
      }
    } else {
      a.lo = clip->get_float("min", std::numeric_limits<float>::lowest());
      a.hi = clip->get_float("max", std::numeric_limits<float>::max());
    }
    if (std::isnan(a.lo) || std::isnan(a.hi) || a.lo > a.hi) return std::nullopt;
    return std::make_pair(clip, a);
  }

  std::string fresh_name(const std::string& base) {
    std::string name = base;
    for (int i = 2; names_.count(name); ++i) name = base + "_" + std::to_string(i);
    names_.insert(name);
    return name;
  }

  // ---- rewriting -------------------------------------------------------------

  /// Replaces the nodes `interior` (their last one is the QuantizeLinear `q`)
  /// by `fused`, which takes q's place in the node list.
  void replace(std::size_t q, const std::vector<const Node*>& interior, Node fused, std::vector<std::string> from) {
    for (const Node* n : interior) removed_[index_of(n)] = true;
    removed_[q] = false;
    nodes_[q] = std::move(fused);
    from_[q] = std::move(from);
    ++changes_;
  }

  /// Q's zero point as a value name, made (0 of Q's type) when Q has none.
  std::string output_zero_point(const TensorQuant& y, const std::string& q_output) {
    if (!y.zero_point.empty()) return y.zero_point;
    const std::string name = fresh_name(q_output + "_zero_point");
    added_[name] = y.type == DataType::uint8 ? Tensor::scalar<std::uint8_t>(0) : Tensor::scalar<std::int8_t>(0);
    return name;
  }

  void fuse_layer(std::size_t qi) {
    const Node& q = g_.nodes[qi];
    if (q.outputs.size() != 1 || q.outputs[0].empty()) return;
    const auto y = quantize_params(q);
    if (!y || !single_use(q.inputs[0])) return;
    std::string v = q.inputs[0];
    std::vector<const Node*> interior{&q};
    std::optional<Activation> act;
    const Node* act_node = nullptr;
    if (auto a = activation(v)) {
      std::tie(act_node, act) = *a;
      interior.push_back(act_node);
      v = act_node->inputs[0];
      if (!single_use(v)) return;
    }
    auto it = producer_.find(v);
    if (it == producer_.end()) return;
    const Node& op = g_.nodes[it->second];
    if (!(op.domain.empty() || op.domain == "ai.onnx") || op.outputs.empty() || op.outputs[0] != v) return;
    interior.push_back(&op);
    std::vector<std::string> from{op.op_type};
    if (act_node) from.push_back(act_node->op_type);
    const std::string& t = op.op_type;
    if (t == "Conv") fuse_conv(qi, op, *y, act, interior, from);
    else if (t == "Gemm" || t == "MatMul") fuse_gemm(qi, op, *y, act, interior, from);
    else if (t == "Add") fuse_add(qi, op, *y, act, interior, from);
    else if (act) return;
    else if (t == "GlobalAveragePool") fuse_global_average_pool(qi, op, *y, interior, from);
    else if (t == "MaxPool" || t == "Flatten" || t == "Reshape" || t == "Transpose" || t == "Squeeze" ||
             t == "Unsqueeze" || t == "Concat")
      run_on_codes(qi, op, *y, interior, from);
  }

  static void add_activation(Node& fused, const std::optional<Activation>& act) {
    if (!act) return;
    if (act->lo > -kInf) fused.attributes.push_back(float_attribute("activation_min", act->lo));
    if (act->hi < kInf) fused.attributes.push_back(float_attribute("activation_max", act->hi));
  }

  static void trim_inputs(Node& n) {
    while (!n.inputs.empty() && n.inputs.back().empty()) n.inputs.pop_back();
  }

  /// Conv: x per tensor, W [M, C/group, k...] per tensor or per M (axis 0).
  void fuse_conv(std::size_t qi, const Node& conv, const TensorQuant& y, const std::optional<Activation>& act,
                 const std::vector<const Node*>& interior, std::vector<std::string> from) {
    if (conv.inputs.size() < 2 || !conv.has_input(0) || !conv.has_input(1)) return;
    const auto x = dequantized(conv.inputs[0]);
    const auto w = weights(conv.inputs[1], 0, 0);
    if (!x || !w) return;
    std::string bias_name;
    if (conv.has_input(2)) {
      auto b = bias(conv.inputs[2], w->w->dim(0), x->second.s, w->s, false);
      if (!b) return;
      bias_name = b->first;
      if (!b->second.empty()) added_[b->first] = std::move(b->second);
    }
    Node fused = integer_node("QLinearConvAct", conv.name, *x, *w, y, bias_name, interior[0]->outputs[0]);
    fused.attributes = conv.attributes;
    add_activation(fused, act);
    replace(qi, interior, std::move(fused), std::move(from));
  }

  /// The fused conv/gemm node: inputs in QLinearConv's order (x, its scale and
  /// zero point, w, its scale and zero point, y's scale and zero point, bias).
  template <class Input, class Weights>
  Node integer_node(const char* op_type, const std::string& name, const Input& x, const Weights& w,
                    const TensorQuant& y, const std::string& bias_name, const std::string& output) {
    Node fused;
    fused.name = name;
    fused.op_type = op_type;
    fused.domain = kPrivateDomain;
    fused.inputs = {x.first->inputs[0], x.second.scale, x.second.zero_point, w.value, w.scale, w.zero_point,
                    y.scale, output_zero_point(y, output), bias_name};
    trim_inputs(fused);
    fused.outputs = {output};
    return fused;
  }

  /// Gemm (alpha = beta = 1, transA = 0) or MatMul with constant 2-D weights,
  /// per tensor or per output column.
  void fuse_gemm(std::size_t qi, const Node& op, const TensorQuant& y, const std::optional<Activation>& act,
                 const std::vector<const Node*>& interior, std::vector<std::string> from) {
    const bool gemm = op.op_type == "Gemm";
    if (op.inputs.size() < 2 || !op.has_input(0) || !op.has_input(1)) return;
    std::int64_t trans_b = 0;
    if (gemm) {
      trans_b = op.get_int("transB", 0);
      if (op.get_int("transA", 0) != 0 || op.get_float("alpha", 1.0f) != 1.0f || (trans_b != 0 && trans_b != 1))
        return;
      if (op.has_input(2) && op.get_float("beta", 1.0f) != 1.0f) return;
    } else if (op.inputs.size() != 2) {
      return;
    }
    const auto a = dequantized(op.inputs[0]);
    const auto b = weights(op.inputs[1], 2, trans_b ? 0 : 1);
    if (!a || !b) return;
    const std::int64_t n = b->w->dim(trans_b ? 0 : 1);
    std::string bias_name;
    if (gemm && op.has_input(2)) {
      auto c = bias(op.inputs[2], n, a->second.s, b->s, true);
      if (!c) return;
      bias_name = c->first;
      if (!c->second.empty()) added_[c->first] = std::move(c->second);
    }
    Node fused = integer_node("QLinearGemmAct", op.name, *a, *b, y, bias_name, interior[0]->outputs[0]);
    if (trans_b) {
      Attribute t;
      t.name = "transB";
      t.kind = Attribute::Kind::int_;
      t.i = 1;
      fused.attributes.push_back(t);
    }
    add_activation(fused, act);
    replace(qi, interior, std::move(fused), std::move(from));
  }

  /// Add of two per-tensor quantized operands (opset 7+: numpy broadcasting).
  void fuse_add(std::size_t qi, const Node& add, const TensorQuant& y, const std::optional<Activation>& act,
                const std::vector<const Node*>& interior, std::vector<std::string> from) {
    if (opset_ < 7 || add.inputs.size() != 2 || !add.has_input(0) || !add.has_input(1)) return;
    const auto a = dequantized(add.inputs[0]);
    const auto b = dequantized(add.inputs[1]);
    if (!a || !b) return;
    Node fused;
    fused.name = add.name;
    fused.op_type = "QLinearAddAct";
    fused.domain = kPrivateDomain;
    fused.inputs = {a->first->inputs[0], a->second.scale, a->second.zero_point,
                    b->first->inputs[0], b->second.scale, b->second.zero_point,
                    y.scale, output_zero_point(y, interior[0]->outputs[0])};
    fused.outputs = {interior[0]->outputs[0]};
    add_activation(fused, act);
    replace(qi, interior, std::move(fused), std::move(from));
  }

  void fuse_global_average_pool(std::size_t qi, const Node& pool, const TensorQuant& y,
                                const std::vector<const Node*>& interior, std::vector<std::string> from) {
    if (pool.inputs.size() != 1 || !pool.has_input(0)) return;
    const auto x = dequantized(pool.inputs[0]);
    if (!x) return;
    Node fused;
    fused.name = pool.name;
    fused.op_type = "QLinearGlobalAveragePool";
    fused.domain = kPrivateDomain;
    fused.inputs = {x->first->inputs[0], x->second.scale, x->second.zero_point, y.scale,
                    output_zero_point(y, interior[0]->outputs[0])};
    fused.outputs = {interior[0]->outputs[0]};
    replace(qi, interior, std::move(fused), std::move(from));
  }

  /// MaxPool and data movement with the output's parameters equal to the
  /// input's: the op runs on the codes themselves (Q(op(DQ(x))) = op(x)).
  void run_on_codes(std::size_t qi, const Node& op, const TensorQuant& y, const std::vector<const Node*>& interior,
                    std::vector<std::string> from) {
    if (op.inputs.empty() || !op.has_input(0)) return;
    if (op.op_type == "MaxPool" && op.outputs.size() > 1 && !op.outputs[1].empty()) return;  // Indices
    Node fused = op;
    const std::size_t data_inputs = op.op_type == "Concat" ? op.inputs.size() : 1;
    for (std::size_t i = 0; i < data_inputs; ++i) {
      if (!op.has_input(i)) return;
      const auto x = dequantized(op.inputs[i]);
      if (!x || !x->second.same_as(y)) return;
      fused.inputs[i] = x->first->inputs[0];
    }
    fused.outputs = {interior[0]->outputs[0]};
    replace(qi, interior, std::move(fused), std::move(from));
  }

  /// DQ(v) → Q with DQ's own parameters gives v back: Q's output becomes v.
  void collapse_requantization() {
    std::map<std::string, std::size_t> producer;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (!removed_[i])
        for (const std::string& out : nodes_[i].outputs) producer[out] = i;
    std::map<std::string, std::string> rename;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const Node& q = nodes_[i];
      if (removed_[i] || !is_onnx_op(q, "QuantizeLinear") || q.outputs.size() != 1 || !q.has_input(0) ||
          graph_outputs_.count(q.outputs[0]))
        continue;
      auto p = producer.find(q.inputs[0]);
      if (p == producer.end() || !is_onnx_op(nodes_[p->second], "DequantizeLinear")) continue;
      try {
        const auto in = dequantize_params(nodes_[p->second]);
        const auto out = quantize_params(q);
        if (!in || !out || !in->same_as(*out)) continue;
      } catch (const Error&) {
        continue;
      }
      rename[q.outputs[0]] = nodes_[p->second].inputs[0];
      removed_[i] = true;
      ++changes_;
    }
    if (rename.empty()) return;
    auto resolve = [&](std::string name) {
      for (auto r = rename.find(name); r != rename.end(); r = rename.find(name)) name = r->second;
      return name;
    };
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (!removed_[i])
        for (std::string& in : nodes_[i].inputs)
          if (!in.empty()) in = resolve(in);
  }

  /// DequantizeLinear nodes nobody reads any more (their layer was fused).
  /// A Shape reading a DQ output reads its quantized input instead (the same
  /// shape): PyTorch's x.view(x.size(0), -1) would otherwise keep a DQ
  /// running only to be measured.
  void remove_dead_dequantization() {
    std::map<std::string, std::string> dq_input;  // DQ output -> DQ input, for every DQ kept
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (!removed_[i] && is_onnx_op(nodes_[i], "DequantizeLinear") && nodes_[i].outputs.size() == 1 &&
          nodes_[i].has_input(0))
        dq_input[nodes_[i].outputs[0]] = nodes_[i].inputs[0];
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      if (removed_[i] || !is_onnx_op(n, "Shape") || !n.has_input(0)) continue;
      auto it = dq_input.find(n.inputs[0]);
      if (it == dq_input.end()) continue;
      n.inputs[0] = it->second;
      ++changes_;
    }
    for (bool again = true; again;) {
      again = false;
      std::map<std::string, std::size_t> uses;
      for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (!removed_[i])
          for (const std::string& in : nodes_[i].inputs) ++uses[in];
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        if (removed_[i] || !is_onnx_op(n, "DequantizeLinear") || n.outputs.size() != 1) continue;
        if (uses.count(n.outputs[0]) || graph_outputs_.count(n.outputs[0])) continue;
        removed_[i] = true;
        ++changes_;
        again = true;
      }
    }
  }

  const Graph& g_;
  std::int64_t opset_;
  std::map<std::string, const Tensor*> constants_;
  std::map<std::string, std::size_t> producer_;
  std::map<std::string, std::size_t> uses_;
  std::map<std::string, DataType> input_types_;
  std::set<std::string> graph_outputs_;
  std::set<std::string> names_;

  std::vector<Node> nodes_;
  std::vector<bool> removed_;
  std::vector<std::vector<std::string>> from_;
  std::map<std::string, Tensor> added_;
  std::size_t changes_ = 0;
};

}  // namespace

QdqFusion fuse_qdq(const Graph& graph, std::int64_t opset) { return Rewriter(graph, opset).run(); }

}  // namespace quantlab::model
