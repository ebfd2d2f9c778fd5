// convert(): the quantized model as ONNX.
//
// Static mode writes the QDQ form (core/docs/ptq.md, P3): every quantized
// activation v gets  v → QuantizeLinear → v_q → DequantizeLinear →
// v_dq, which its consumers read; weights are int8 initializers
// behind DequantizeLinear (per-channel on the output-channel axis) and biases
// int32 with scale s_x·s_w. The executor fuses these patterns into integer
// kernels (model/qdq_fusion); onnxruntime does the same with its own.
//
// Dynamic mode writes what onnxruntime's quantize_dynamic writes for
// MatMul/Gemm: DynamicQuantizeLinear (uint8, per batch) → MatMulInteger with
// int8 weights [K, N] → Cast → Mul(s_x · s_w) → Add(bias).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "ptq/graph_utils.h"
#include "ptq/plan.h"
#include "quantlab/error.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/quant/quantize.h"

namespace quantlab::ptq {
namespace {

using model::DataType;
using model::Node;
using model::Tensor;

model::Attribute int_attr(const std::string& name, std::int64_t v) {
  model::Attribute a;
  a.name = name;
  a.kind = model::Attribute::Kind::int_;
  a.i = v;
  return a;
}

Node make_node(const std::string& op, const std::string& name, std::vector<std::string> in,
               std::vector<std::string> out) {
  Node n;
  n.op_type = op;
  n.name = name;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

/// Codes of `q` (already within the int8 range) as an int8 tensor of `shape`.
Tensor int8_tensor(const xt::xarray<std::int32_t>& q, const std::vector<std::int64_t>& shape) {
  Tensor t(DataType::int8, shape);
  std::int8_t* p = t.data<std::int8_t>();
  for (std::size_t i = 0; i < q.size(); ++i) p[i] = static_cast<std::int8_t>(q.data()[i]);
  return t;
}

/// int8 codes within -8..7 retyped as int4 (the file packs them two to a byte).
Tensor as_int4(const Tensor& codes) {
  Tensor t(DataType::int4, codes.shape());
  if (codes.size() > 0) std::memcpy(t.bytes(), codes.bytes(), codes.byte_size());
  return t;
}

template <class It>
bool fits_int4(It first, It last) {
  return std::all_of(first, last, [](auto x) { return x >= -8 && x <= 7; });
}

/// Scale and zero-point initializers: rank 0 per tensor, [C] per channel.
void add_params(model::Graph& g, const std::string& base, const quant::QuantParams& p, DataType zp_type,
                std::string& scale_name, std::string& zp_name) {
  scale_name = base + "_scale";
  zp_name = base + "_zp";
  const bool per_tensor = p.scale.size() == 1 && p.granularity == quant::Granularity::tensor;
  const std::vector<std::int64_t> shape = per_tensor ? std::vector<std::int64_t>{}
                                                     : std::vector<std::int64_t>{static_cast<std::int64_t>(p.scale.size())};
  g.initializers[scale_name] = Tensor::from<float>(shape, p.scale);
  if (zp_type == DataType::int8 || zp_type == DataType::int4) {
    std::vector<std::int8_t> z(p.zero_point.begin(), p.zero_point.end());
    const Tensor codes = Tensor::from<std::int8_t>(shape, z);
    g.initializers[zp_name] = zp_type == DataType::int4 ? as_int4(codes) : codes;
  } else if (zp_type == DataType::uint8) {
    std::vector<std::uint8_t> z(p.zero_point.begin(), p.zero_point.end());
    g.initializers[zp_name] = Tensor::from<std::uint8_t>(shape, z);
  } else {
    zp_name.clear();  // int32 (bias): zero, the default of an absent zero point
  }
}

/// Round half to even in the current (default) rounding mode, saturated to int32.
std::int32_t round_to_int32(double v) {
  const double r = std::nearbyint(v);
  if (r >= 2147483647.0) return std::numeric_limits<std::int32_t>::max();
  if (r <= -2147483648.0) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(r);
}

struct QuantizedWeight {
  Tensor codes;  // int8, the weight's shape
  quant::QuantParams params;
};

QuantizedWeight quantize_weight(const Prepared& prepared, const Layer& layer, const Options& options) {
  const WeightQuantization wq = quantize_weight_params(prepared, layer, options);
  const Tensor& w = *detail::constant(prepared.model.graph, layer.weight);
  const xt::xarray<std::int32_t> q = quant::quantize(detail::to_xarray(w), wq.params);
  return {int8_tensor(q, w.shape()), wq.params};
}

// ---- static ----------------------------------------------------------------

class StaticConverter {
 public:
  StaticConverter(const Prepared& p, const Options& o, const Calibration& c, const detail::Plan& plan)
      : prepared_(p), options_(o), calibration_(c), plan_(plan), uses_(p.model.graph) {}

  model::Model run() {
    model::Model m = prepared_.model;
    model::Graph& g = m.graph;
    const model::Graph& src = prepared_.model.graph;
    g.nodes.clear();
    if (m.opset() < 13 && options_.weights.granularity == quant::Granularity::channel && any_layer())
      throw Unsupported("per-channel weights need QuantizeLinear/DequantizeLinear of opset 13; the model imports opset " +
                        std::to_string(m.opset()) + " (use per-tensor weights)");
    if (m.opset() < 10) throw Unsupported("QuantizeLinear/DequantizeLinear need opset 10; the model imports opset " +
                                          std::to_string(m.opset()));

    // Graph inputs that are quantized get their Q/DQ first.
    for (const model::ValueInfo& in : src.inputs)
      if (plan_.params_of.count(in.name)) emit_qdq(g, in.name);

    for (std::size_t i = 0; i < src.nodes.size(); ++i) {
      Node n = src.nodes[i];
      const detail::Role role = plan_.roles[i];
      if (role == detail::Role::layer) quantize_layer(g, n, prepared_.layers[plan_.layer_index.at(i)]);
      // Inputs: quantized nodes read the dequantized activations; every node
      // reads them when the producer is quantized (the float value is gone then).
      for (std::string& in : n.inputs) {
        if (in.empty() || !plan_.params_of.count(in)) continue;
        if (role != detail::Role::none || producer_quantized(in)) in = dequantized(in);
      }
      // A quantized graph output keeps its name on the DequantizeLinear.
      for (std::string& out : n.outputs)
        if (plan_.params_of.count(out) && uses_.graph_outputs.count(out)) out = out + "_float";
      g.nodes.push_back(n);
      for (const std::string& out : src.nodes[i].outputs)
        if (plan_.params_of.count(out)) emit_qdq(g, out);
    }
    detail::drop_unused_initializers(g);
    if (wrote_int4_) {
      // int4 initializers need DequantizeLinear of opset 21 and IR version 10.
      // The ops quantlab runs mean the same from opset 13 to 21, so raising
      // the import changes nothing else.
      for (model::OpsetImport& o : m.opsets)
        if ((o.domain.empty() || o.domain == "ai.onnx") && o.version < 21) o.version = 21;
      m.ir_version = std::max<std::int64_t>(m.ir_version, 10);
    }
    return m;
  }

 private:
  bool any_layer() const {
    for (detail::Role r : plan_.roles)
      if (r == detail::Role::layer) return true;
    return false;
  }

  bool producer_quantized(const std::string& v) const {
    auto it = uses_.producer.find(v);
    return it != uses_.producer.end() && plan_.quantized(it->second);
  }

  std::string dequantized(const std::string& v) const {
    return uses_.graph_outputs.count(v) ? v : v + "_dq";
  }

  const ActivationParams& params(const std::string& v) const {
    const std::string& src = plan_.params_of.at(v);
    auto it = calibration_.activations.find(src);
    if (it == calibration_.activations.end())
      throw InvalidArgument("the calibration has no parameters for activation '" + src + "'");
    return it->second;
  }

  void emit_qdq(model::Graph& g, const std::string& v) {
    const ActivationParams& a = params(v);
    const std::string& src = plan_.params_of.at(v);
    const std::string scale = src + "_scale", zp = src + "_zp";
    if (!g.initializers.count(scale)) {
      g.initializers[scale] = Tensor::scalar<float>(a.scale);
      if (options_.activations.is_signed)
        g.initializers[zp] = Tensor::scalar<std::int8_t>(static_cast<std::int8_t>(a.zero_point));
      else
        g.initializers[zp] = Tensor::scalar<std::uint8_t>(static_cast<std::uint8_t>(a.zero_point));
    }
    const bool output = uses_.graph_outputs.count(v) > 0;
    const std::string in = output ? v + "_float" : v;
    g.nodes.push_back(make_node("QuantizeLinear", v + "_Q", {in, scale, zp}, {quantized_name(v)}));
    g.nodes.push_back(make_node("DequantizeLinear", v + "_DQ", {quantized_name(v), scale, zp}, {dequantized(v)}));
  }

  /// Emits the weight's and bias's DequantizeLinear and points `n` at them.
  void quantize_layer(model::Graph& g, Node& n, const Layer& layer) {
    const QuantizedWeight w = quantize_weight(prepared_, layer, options_);
    const std::string wq = layer.weight + "_q";
    // 2..4-bit codes go to the file as int4 when the model can import opset 21
    // (per-axis DequantizeLinear already needs 13); otherwise one per int8.
    const std::int8_t* w_codes = w.codes.data<std::int8_t>();
    const bool int4 = weight_bits(options_, layer) <= 4 && prepared_.model.opset() >= 13 &&
                      fits_int4(w_codes, w_codes + w.codes.size()) &&
                      fits_int4(w.params.zero_point.begin(), w.params.zero_point.end());
    g.initializers[wq] = int4 ? as_int4(w.codes) : w.codes;
    wrote_int4_ = wrote_int4_ || int4;
    std::string ws, wz;
    add_params(g, layer.weight, w.params, int4 ? DataType::int4 : DataType::int8, ws, wz);
    std::vector<std::string> dq_inputs{wq, ws, wz};
    if (std::all_of(w.params.zero_point.begin(), w.params.zero_point.end(), [](std::int32_t z) { return z == 0; })) {
      // Symmetric weights: an absent zero point is 0 (ONNX), one byte per channel less.
      g.initializers.erase(wz);
      dq_inputs.pop_back();
    }
    Node dq = make_node("DequantizeLinear", layer.weight + "_DQ", dq_inputs, {layer.weight + "_dq"});
    const bool per_channel = w.params.granularity == quant::Granularity::channel;
    if (per_channel) dq.attributes.push_back(int_attr("axis", layer.weight_axis));
    g.nodes.push_back(dq);
    n.inputs[1] = layer.weight + "_dq";
    if (layer.bias.empty()) return;

    // Bias: int32 codes with scale fl(s_x · s_w[c]), as onnxruntime's quantizer writes them.
    const float sx = params(layer.input).scale;
    const Tensor& b = *detail::constant(prepared_.model.graph, layer.bias);
    const std::size_t channels = static_cast<std::size_t>(b.size());
    quant::QuantParams bp;
    bp.granularity = per_channel ? quant::Granularity::channel : quant::Granularity::tensor;
    std::vector<std::int32_t> codes(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      const float s = sx * w.params.scale[per_channel ? c : 0];
      if (per_channel || c == 0) bp.scale.push_back(s);
      codes[c] = round_to_int32(static_cast<double>(b.data<float>()[c] / s));
    }
    bp.zero_point.assign(bp.scale.size(), 0);
    const std::string bq = layer.bias + "_q";
    g.initializers[bq] = Tensor::from<std::int32_t>({static_cast<std::int64_t>(channels)}, codes);
    std::string bs, bz;
    add_params(g, layer.bias, bp, DataType::int32, bs, bz);
    Node bdq = make_node("DequantizeLinear", layer.bias + "_DQ", {bq, bs}, {layer.bias + "_dq"});
    if (per_channel) bdq.attributes.push_back(int_attr("axis", 0));
    g.nodes.push_back(bdq);
    n.inputs[2] = layer.bias + "_dq";
  }

  const Prepared& prepared_;
  const Options& options_;
  const Calibration& calibration_;
  const detail::Plan& plan_;
  const detail::Uses uses_;
  bool wrote_int4_ = false;
};

// ---- dynamic ---------------------------------------------------------------

model::Model convert_dynamic(const Prepared& prepared, const Options& options) {
  model::Model m = prepared.model;
  model::Graph& g = m.graph;
  const model::Graph& src = prepared.model.graph;
  if (m.opset() < 11) throw Unsupported("DynamicQuantizeLinear needs opset 11; the model imports opset " +
                                        std::to_string(m.opset()));
  const std::vector<std::string> names = quantized_layers(prepared, options);
  const std::set<std::string> quantize(names.begin(), names.end());
  std::map<std::size_t, const Layer*> layer_at;
  for (const Layer& l : prepared.layers)
    if (quantize.count(l.name)) layer_at[l.node] = &l;
  // Validate keep_float names like static mode does.
  (void)detail::make_plan(prepared, options);

  g.nodes.clear();
  for (std::size_t i = 0; i < src.nodes.size(); ++i) {
    auto it = layer_at.find(i);
    if (it == layer_at.end()) {
      g.nodes.push_back(src.nodes[i]);
      continue;
    }
    const Layer& l = *it->second;
    const Node& n = src.nodes[i];
    const std::string base = l.name;
    const std::string y = n.outputs[0];
    // Weights as MatMulInteger's B: [K, N], per-column parameters.
    const Tensor& w = *detail::constant(src, l.weight);
    QuantizedWeight qw = quantize_weight(prepared, l, options);
    const bool transposed = l.op_type == "Gemm" && n.get_int("transB", 0) != 0;
    Tensor b_codes = qw.codes;
    if (transposed) {
      const std::int64_t rows = w.dim(0), cols = w.dim(1);
      b_codes = Tensor(DataType::int8, {cols, rows});
      const std::int8_t* s = qw.codes.data<std::int8_t>();
      std::int8_t* d = b_codes.data<std::int8_t>();
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) d[c * rows + r] = s[r * cols + c];
    }
    const std::string wq = l.weight + "_q";
    g.initializers[wq] = b_codes;
    std::string ws, wz;
    add_params(g, l.weight, qw.params, DataType::int8, ws, wz);
    const std::string xq = base + "_input_quantized", xs = base + "_input_scale", xz = base + "_input_zero_point";
    g.nodes.push_back(make_node("DynamicQuantizeLinear", base + "_DynamicQuantizeLinear", {l.input}, {xq, xs, xz}));
    g.nodes.push_back(make_node("MatMulInteger", base + "_MatMulInteger", {xq, wq, xz, wz}, {base + "_int32"}));
    Node cast = make_node("Cast", base + "_Cast", {base + "_int32"}, {base + "_int32_float"});
    cast.attributes.push_back(int_attr("to", static_cast<std::int64_t>(DataType::float32)));
    g.nodes.push_back(cast);
    g.nodes.push_back(make_node("Mul", base + "_scale_Mul", {xs, ws}, {base + "_scale"}));
    const std::string scaled = l.bias.empty() ? y : base + "_scaled";
    g.nodes.push_back(make_node("Mul", base + "_Mul", {base + "_int32_float", base + "_scale"}, {scaled}));
    if (!l.bias.empty()) g.nodes.push_back(make_node("Add", base + "_bias_Add", {scaled, l.bias}, {y}));
  }
  detail::drop_unused_initializers(g);
  return m;
}

}  // namespace

namespace detail {
model::Model convert_with_plan(const Prepared& prepared, const Options& options, const Calibration& calibration,
                               const Plan& plan) {
  return StaticConverter(prepared, options, calibration, plan).run();
}
}  // namespace detail

model::Model convert(const Prepared& prepared, const Options& options, const Calibration& calibration) {
  validate(options);
  model::Model m = options.mode == Mode::dynamic_mode
                       ? convert_dynamic(prepared, options)
                       : detail::convert_with_plan(prepared, options, calibration, detail::make_plan(prepared, options));
  m.producer_name = "quantlab";
  m.metadata.emplace_back("quantlab.ptq.mode", to_string(options.mode));
  return m;
}

}  // namespace quantlab::ptq
