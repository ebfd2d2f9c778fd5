// QDQ fusion (core/src/model/qdq_fusion.cpp and the fused ops of
// core/src/model/ops/): small QDQ models built here, one per rewrite rule, run
// twice — fused (the default) and with SessionOptions{fuse_qdq = false}, the
// float graph as written — and must agree:
//   - the int8/uint8 codes of every quantized layer (the QuantizeLinear
//     outputs, which the fused nodes keep) within kCodeTolerance, and at most
//     kMaxDifferingShare of them differing at all;
//   - the float outputs (a final DequantizeLinear) within one output step.
// The fused node lists are checked by op type, and the patterns that must not
// fuse are left alone and still run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "model/onnx_test_util.h"
#include "quantlab/error.h"
#include "quantlab/model/graph.h"
#include "quantlab/model/session.h"
#include "quantlab/model/tensor.h"

namespace quantlab::model {
namespace {

/// A fused layer's codes may differ from the float graph's by one: the float
/// graph rounds every product and sum to float32 where the integer kernels sum
/// exactly (and a float bias is rounded to int32 at rewrite time), so a result
/// within float32 rounding of a half-integer can round either way.
constexpr double kCodeTolerance = 1.0;
/// Such near-ties are rare: a systematic error (a zero point off by one) would
/// move most codes.
constexpr double kMaxDifferingShare = 0.02;

// ============================================================================
// Building QDQ models
// ============================================================================

/// Per-tensor quantization of an activation.
struct QParam {
  float scale;
  std::int32_t zero_point;
  DataType type;
};

constexpr QParam kU8{0.02f, 100, DataType::uint8};    // asymmetric uint8, [-2, 3.1]
constexpr QParam kS8{0.025f, 0, DataType::int8};      // symmetric int8, ±3.2
constexpr QParam kS8Asym{0.02f, -20, DataType::int8}; // asymmetric int8

Tensor zero_point_tensor(const QParam& p) {
  return p.type == DataType::uint8 ? Tensor::scalar<std::uint8_t>(static_cast<std::uint8_t>(p.zero_point))
                                   : Tensor::scalar<std::int8_t>(static_cast<std::int8_t>(p.zero_point));
}

std::vector<float> random_floats(std::size_t n, float lo, float hi, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

Attribute ints_attr(const std::string& name, std::vector<std::int64_t> v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::ints;
  a.ints = std::move(v);
  return a;
}

Attribute int_attr(const std::string& name, std::int64_t v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::int_;
  a.i = v;
  return a;
}

Attribute string_attr(const std::string& name, const std::string& v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::string;
  a.s = v;
  return a;
}

class QdqModel {
 public:
  explicit QdqModel(std::int64_t opset = 13) { model_.opsets = {{"", opset}}; }

  const Model& model() const { return model_; }
  Model& model() { return model_; }

  /// A float input; dim -1 is the symbolic "batch".
  void input(const std::string& name, const std::vector<std::int64_t>& shape, DataType type = DataType::float32) {
    ValueInfo v;
    v.name = name;
    v.type = type;
    v.has_shape = true;
    for (std::int64_t d : shape) v.dims.push_back(d < 0 ? Dim{-1, "batch"} : Dim{d, ""});
    model_.graph.inputs.push_back(v);
  }

  void output(const std::string& name, DataType type = DataType::float32) {
    ValueInfo v;
    v.name = name;
    v.type = type;
    model_.graph.outputs.push_back(v);
  }

  std::string constant(const std::string& name, Tensor t) {
    model_.graph.initializers[name] = std::move(t);
    return name;
  }

  Node& node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
             const std::string& name = "") {
    Node n;
    n.op_type = op;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.name = name.empty() ? op + "_" + n.outputs[0] : name;
    model_.graph.nodes.push_back(n);
    return model_.graph.nodes.back();
  }

  /// QuantizeLinear(x) → `out`, with its own scale and zero point constants.
  std::string quantize(const std::string& x, const QParam& p, const std::string& out) {
    node("QuantizeLinear", {x, constant(out + "_scale", Tensor::scalar<float>(p.scale)),
                            constant(out + "_zero_point", zero_point_tensor(p))},
         {out});
    return out;
  }

  /// DequantizeLinear(q) → `out` with the parameters q was quantized with.
  std::string dequantize(const std::string& q, const QParam& p, const std::string& out) {
    node("DequantizeLinear", {q, constant(out + "_scale", Tensor::scalar<float>(p.scale)),
                              constant(out + "_zero_point", zero_point_tensor(p))},
         {out});
    return out;
  }

  /// Random int8 weights of `shape` behind a DequantizeLinear: symmetric, per
  /// channel along `axis` (per tensor when axis < 0), codes within ±limit
  /// (127, or 7 for 4-bit weights). Returns the dequantized value's name;
  /// `scales` receives the scales.
  std::string weights(const std::string& name, const std::vector<std::int64_t>& shape, int axis, int limit,
                      std::uint32_t seed, std::vector<float>* scales = nullptr) {
    const std::size_t n = static_cast<std::size_t>(element_count(shape));
    const std::vector<float> w = random_floats(n, -0.5f, 0.5f, seed);
    const std::size_t channels = axis < 0 ? 1 : static_cast<std::size_t>(shape[static_cast<std::size_t>(axis)]);
    std::size_t inner = 1;
    for (std::size_t d = static_cast<std::size_t>(axis < 0 ? 0 : axis + 1); d < shape.size(); ++d)
      inner *= static_cast<std::size_t>(shape[d]);
    if (axis < 0) inner = n;
    std::vector<float> s(channels, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = (i / inner) % channels;
      s[c] = std::max(s[c], std::fabs(w[i]));
    }
    for (float& v : s) v = v / static_cast<float>(limit);
    std::vector<std::int8_t> q(n);
    for (std::size_t i = 0; i < n; ++i)
      q[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(w[i] / s[(i / inner) % channels]),
                                                 static_cast<float>(-limit), static_cast<float>(limit)));
    const std::vector<std::int64_t> param_shape =
        axis < 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{static_cast<std::int64_t>(channels)};
    Node& dq = node("DequantizeLinear",
                    {constant(name + "_quantized", Tensor::from<std::int8_t>(shape, q)),
                     constant(name + "_scale", Tensor::from<float>(param_shape, s)),
                     constant(name + "_zero_point",
                              Tensor::from<std::int8_t>(param_shape, std::vector<std::int8_t>(channels, 0)))},
                    {name});
    if (axis >= 0) dq.attributes.push_back(int_attr("axis", axis));
    if (scales) *scales = s;
    return name;
  }

  /// A bias of `n` random values: float, or int32 behind a DequantizeLinear
  /// with scale fl(x_scale · w_scale[c]) and zero point 0 (what converters emit).
  std::string bias(const std::string& name, std::size_t n, bool as_int32, float x_scale,
                   const std::vector<float>& w_scales, std::uint32_t seed) {
    const std::vector<float> b = random_floats(n, -1.0f, 1.0f, seed);
    const std::vector<std::int64_t> shape{static_cast<std::int64_t>(n)};
    if (!as_int32) return constant(name, Tensor::from<float>(shape, b));
    std::vector<float> s(n);
    std::vector<std::int32_t> q(n);
    for (std::size_t c = 0; c < n; ++c) {
      s[c] = x_scale * w_scales[w_scales.size() == 1 ? 0 : c];
      q[c] = static_cast<std::int32_t>(std::nearbyint(b[c] / s[c]));
    }
    const bool per_channel = w_scales.size() > 1;
    Node& dq = node("DequantizeLinear",
                    {constant(name + "_quantized", Tensor::from<std::int32_t>(shape, q)),
                     constant(name + "_scale", per_channel ? Tensor::from<float>(shape, s) : Tensor::scalar<float>(s[0])),
                     constant(name + "_zero_point",
                              per_channel ? Tensor::from<std::int32_t>(shape, std::vector<std::int32_t>(n, 0))
                                          : Tensor::scalar<std::int32_t>(0))},
                    {name});
    if (per_channel) dq.attributes.push_back(int_attr("axis", 0));
    return name;
  }

  /// `v` → Relu or Clip(lo, hi) (opset 11+ inputs) → returns the activation's output.
  std::string activation(const std::string& v, const std::string& act) {
    if (act.empty()) return v;
    if (act == "Relu") return node("Relu", {v}, {v + "_relu"}).outputs[0];
    return node("Clip", {v, constant(v + "_min", Tensor::scalar<float>(0.0f)), constant(v + "_max", Tensor::scalar<float>(6.0f))},
                {v + "_clip"})
        .outputs[0];
  }

 private:
  Model model_;
};

// ============================================================================
// Running fused and unfused
// ============================================================================

/// Every value a run produced, by name, and the executed node list.
struct Captured {
  std::vector<NodeInfo> nodes;
  std::map<std::string, Tensor> values;
  std::map<std::string, Tensor> outputs;
};

Captured run(const Model& m, bool fuse, const std::map<std::string, Tensor>& feeds) {
  const Session s(m, SessionOptions{fuse});
  Captured c;
  c.nodes = s.nodes();
  c.outputs = s.run(feeds, [&](const NodeInfo& n, const std::vector<const Tensor*>& outs) {
    std::size_t k = 0;
    for (const std::string& name : n.outputs)
      if (!name.empty()) c.values[name] = *outs.at(k++);
  });
  return c;
}

std::vector<std::string> op_types(const Captured& c) {
  std::vector<std::string> ops;
  for (const NodeInfo& n : c.nodes) ops.push_back(n.op_type);
  return ops;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

const NodeInfo* find_node(const Captured& c, const std::string& op_type) {
  for (const NodeInfo& n : c.nodes)
    if (n.op_type == op_type) return &n;
  return nullptr;
}

/// |got - want| <= tolerance everywhere, and at most kMaxDifferingShare differ.
void expect_close(const Tensor& got, const Tensor& want, double tolerance, const std::string& what) {
  ASSERT_EQ(type_name(got.type()), type_name(want.type())) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const std::vector<double> g = got.to_double(), w = want.to_double();
  double worst = 0.0;
  std::size_t differ = 0, at = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double d = std::fabs(g[i] - w[i]);
    if (d > worst) at = i;
    worst = std::max(worst, d);
    differ += d != 0.0;
  }
  EXPECT_LE(worst, tolerance) << what << ": element " << at << " is " << g[at] << ", the float graph gives " << w[at];
  EXPECT_LE(static_cast<double>(differ), kMaxDifferingShare * static_cast<double>(g.size()) + 0.5)
      << what << ": " << differ << " of " << g.size() << " values differ";
}

/// Runs `m` fused and unfused on `feeds` and compares the codes of
/// `quantized` (value names) within `code_tolerance`, and every graph output
/// within `output_tolerance`. Returns the fused run.
Captured compare(const Model& m, const std::map<std::string, Tensor>& feeds, const std::vector<std::string>& quantized,
                 double code_tolerance, double output_tolerance) {
  const Captured fused = run(m, true, feeds);
  const Captured plain = run(m, false, feeds);
  for (const std::string& name : quantized) {
    EXPECT_TRUE(fused.values.count(name)) << name << " was not produced by the fused graph";
    EXPECT_TRUE(plain.values.count(name)) << name << " was not produced by the float graph";
    if (fused.values.count(name) && plain.values.count(name))
      expect_close(fused.values.at(name), plain.values.at(name), code_tolerance, name);
  }
  for (const auto& [name, t] : plain.outputs) expect_close(fused.outputs.at(name), t, output_tolerance, name);
  return fused;
}

Tensor random_input(const std::vector<std::int64_t>& shape, std::uint32_t seed, float lo = -1.5f, float hi = 2.5f) {
  return Tensor::from<float>(shape, random_floats(static_cast<std::size_t>(element_count(shape)), lo, hi, seed));
}

// ============================================================================
// Conv
// ============================================================================

struct ConvCase {
  ConvCase(std::string n, std::int64_t b, std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t m,
           std::int64_t k, std::int64_t s, std::int64_t p, std::int64_t g, QParam xp, QParam yp)
      : name(std::move(n)), batch(b), channels(c), height(h), width(w), out_channels(m), kernel(k), stride(s), pad(p),
        group(g), x(xp), y(yp) {}
  ConvCase& per_tensor_weights() { weight_axis = -1; return *this; }
  ConvCase& four_bit_weights() { weight_limit = 7; return *this; }
  ConvCase& with_bias(std::string kind) { bias = std::move(kind); return *this; }
  ConvCase& with_act(std::string kind) { act = std::move(kind); return *this; }
  ConvCase& with_dilation(std::int64_t d) { dilation = d; return *this; }
  ConvCase& as_1d() { one_d = true; return *this; }
  ConvCase& with_auto_pad(std::string mode) { auto_pad = std::move(mode); return *this; }

  std::string name;
  std::int64_t batch, channels, height, width, out_channels, kernel, stride, pad, group;
  QParam x, y;
  int weight_axis = 0;   ///< 0: per output channel; -1: per tensor
  int weight_limit = 127;
  std::string bias = "int32";  ///< "int32", "float" or ""
  std::string act = "Relu";    ///< "Relu", "Clip" (0..6) or ""
  std::int64_t dilation = 1;
  bool one_d = false;
  std::string auto_pad;
};

std::string describe(const ConvCase& c) {
  std::ostringstream o;
  o << c.name << ": " << c.batch << "x" << c.channels << "x" << c.height << "x" << c.width << " -> " << c.out_channels
    << " k" << c.kernel << " s" << c.stride << " p" << c.pad << " g" << c.group << " d" << c.dilation << " x "
    << type_name(c.x.type) << " y " << type_name(c.y.type) << " w axis " << c.weight_axis << " limit "
    << c.weight_limit << " bias " << c.bias << " act " << c.act;
  return o.str();
}

/// x → Q → DQ → Conv(DQ(W), bias) → act → Q → y_q → DQ → y.
Model conv_model(const ConvCase& c) {
  QdqModel b;
  std::vector<std::int64_t> x_shape{-1, c.channels, c.height, c.width};
  std::vector<std::int64_t> w_shape{c.out_channels, c.channels / c.group, c.kernel, c.kernel};
  if (c.one_d) {
    x_shape = {-1, c.channels, c.width};
    w_shape = {c.out_channels, c.channels / c.group, c.kernel};
  }
  b.input("x", x_shape);
  const std::string xq = b.quantize("x", c.x, "x_q");
  const std::string xdq = b.dequantize(xq, c.x, "x_dq");
  std::vector<float> w_scales;
  const std::string w = b.weights("w", w_shape, c.weight_axis, c.weight_limit, 7, &w_scales);
  std::vector<std::string> inputs{xdq, w};
  if (!c.bias.empty())
    inputs.push_back(b.bias("b", static_cast<std::size_t>(c.out_channels), c.bias == "int32", c.x.scale, w_scales, 11));
  Node& conv = b.node("Conv", inputs, {"c"}, "conv");
  const std::size_t spatial = c.one_d ? 1 : 2;
  conv.attributes.push_back(ints_attr("kernel_shape", std::vector<std::int64_t>(spatial, c.kernel)));
  conv.attributes.push_back(ints_attr("strides", std::vector<std::int64_t>(spatial, c.stride)));
  conv.attributes.push_back(ints_attr("dilations", std::vector<std::int64_t>(spatial, c.dilation)));
  if (c.auto_pad.empty()) conv.attributes.push_back(ints_attr("pads", std::vector<std::int64_t>(2 * spatial, c.pad)));
  else conv.attributes.push_back(string_attr("auto_pad", c.auto_pad));
  conv.attributes.push_back(int_attr("group", c.group));
  const std::string r = b.activation("c", c.act);
  b.quantize(r, c.y, "y_q");
  b.dequantize("y_q", c.y, "y");
  b.output("y");
  return b.model();
}

/// A y scale that keeps most outputs in range: the conv's sums grow like √K.
QParam output_param(QParam y, std::int64_t k) {
  y.scale = 0.012f * std::sqrt(static_cast<float>(k));
  return y;
}

TEST(QdqFusion, ConvReluBecomesOneIntegerNode) {
  const ConvCase c("basic", 1, 3, 8, 8, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27));
  const Model m = conv_model(c);
  const Captured fused =
      compare(m, {{"x", random_input({1, 3, 8, 8}, 1)}}, {"x_q", "y_q"}, kCodeTolerance, c.y.scale * kCodeTolerance);
  EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QLinearConvAct DequantizeLinear");
  const NodeInfo* conv = find_node(fused, "QLinearConvAct");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->name, "conv");  // the Conv's name ...
  EXPECT_EQ(conv->domain, "quantlab");
  EXPECT_EQ(conv->outputs, (std::vector<std::string>{"y_q"}));  // ... and the QuantizeLinear's output
  EXPECT_EQ(conv->fused_from, (std::vector<std::string>{"Conv", "Relu"}));
  EXPECT_EQ(type_name(conv->output_types.at(0)), "uint8");
  EXPECT_EQ(conv->output_shapes.at(0), (std::vector<std::int64_t>{1, 4, 8, 8}));
  EXPECT_EQ(conv->parameters, 4 * 3 * 9 + 4 + 4 + 4 + 1 + 1 + 1 + 1);  // w, its scales and zero points, the bias, x/y params
  EXPECT_EQ(conv->flops, 2 * 4 * 8 * 8 * 27);
}

TEST(QdqFusion, ConvShapesAndParametersMatchTheFloatGraph) {
  const std::vector<ConvCase> cases = {
      ConvCase("odd_channels_int8", 2, 5, 7, 9, 7, 3, 1, 1, 1, kS8, output_param(kS8, 45)),
      ConvCase("stride2_pad", 3, 4, 9, 8, 6, 3, 2, 1, 1, kU8, output_param(kU8, 36)),
      ConvCase("no_pad_5x5", 1, 3, 11, 10, 5, 5, 1, 0, 1, kS8Asym, output_param(kS8Asym, 75)),
      ConvCase("depthwise", 2, 8, 10, 10, 8, 3, 1, 1, 8, kU8, output_param(kU8, 9)),
      ConvCase("depthwise_stride2_int8", 1, 6, 9, 9, 6, 3, 2, 1, 6, kS8, output_param(kS8, 9)),
      ConvCase("groups2", 1, 6, 6, 6, 4, 3, 1, 1, 2, kU8, output_param(kU8, 27)),
      ConvCase("pointwise_batch4", 4, 16, 5, 5, 17, 1, 1, 0, 1, kS8, output_param(kS8, 16)),
      ConvCase("uint8_in_int8_out", 1, 3, 6, 6, 5, 3, 1, 1, 1, kU8, output_param(kS8, 27)),
      ConvCase("per_tensor_weights", 2, 3, 6, 6, 5, 3, 1, 1, 1, kU8, output_param(kU8, 27)).per_tensor_weights(),
      ConvCase("four_bit_weights", 1, 4, 6, 6, 5, 3, 1, 1, 1, kS8, output_param(kS8, 36)).four_bit_weights(),
      ConvCase("float_bias", 1, 3, 6, 6, 5, 3, 1, 1, 1, kU8, output_param(kU8, 27)).with_bias("float"),
      ConvCase("no_bias_no_act", 1, 3, 6, 6, 5, 3, 1, 1, 1, kS8, output_param(kS8, 27)).with_bias("").with_act(""),
      ConvCase("clip_0_6", 1, 3, 6, 6, 5, 3, 1, 1, 1, kU8, output_param(kU8, 27)).with_act("Clip"),
      ConvCase("dilation2", 1, 3, 9, 9, 4, 3, 1, 2, 1, kU8, output_param(kU8, 27)).with_dilation(2),
      ConvCase("conv1d", 2, 3, 1, 12, 4, 3, 1, 1, 1, kS8, output_param(kS8, 9)).as_1d(),
      ConvCase("same_upper_stride2", 1, 3, 7, 8, 4, 3, 2, 0, 1, kU8, output_param(kU8, 27)).with_auto_pad("SAME_UPPER"),
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(describe(c));
    const std::vector<std::int64_t> shape =
        c.one_d ? std::vector<std::int64_t>{c.batch, c.channels, c.width}
                : std::vector<std::int64_t>{c.batch, c.channels, c.height, c.width};
    const Captured fused = compare(conv_model(c), {{"x", random_input(shape, 3)}}, {"x_q", "y_q"}, kCodeTolerance,
                                   c.y.scale * kCodeTolerance);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QLinearConvAct DequantizeLinear");
  }
}

TEST(QdqFusion, Uint8WeightsWithZeroPointsMatchTheFloatGraph) {
  // uint8 weights with per-channel zero points far from 128: the kernels see
  // w − zw in −255..255 (qconv2d_nchw.h), which must stay exact.
  for (const bool per_channel : {true, false}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    const std::int64_t m = 5, c = 4;
    QdqModel b;
    b.input("x", {-1, c, 7, 6});
    const std::string v = b.dequantize(b.quantize("x", kU8, "x_q"), kU8, "x_dq");
    const std::size_t n = static_cast<std::size_t>(m * c * 9);
    std::vector<std::uint8_t> w(n);
    std::mt19937 gen(131);
    for (std::uint8_t& x : w) x = static_cast<std::uint8_t>(gen() % 256);
    const std::vector<std::uint8_t> zp = per_channel ? std::vector<std::uint8_t>{0, 255, 3, 200, 128}
                                                     : std::vector<std::uint8_t>{250};
    const std::vector<std::int64_t> param_shape =
        per_channel ? std::vector<std::int64_t>{m} : std::vector<std::int64_t>{};
    Node& dq = b.node("DequantizeLinear",
                      {b.constant("w_q", Tensor::from<std::uint8_t>({m, c, 3, 3}, w)),
                       b.constant("w_s", Tensor::from<float>(param_shape, std::vector<float>(zp.size(), 0.003f))),
                       b.constant("w_z", Tensor::from<std::uint8_t>(param_shape, zp))},
                      {"w"});
    if (per_channel) dq.attributes.push_back(int_attr("axis", 0));
    b.node("Conv", {v, "w"}, {"c"}, "conv").attributes = {ints_attr("pads", {1, 0, 1, 0})};
    const QParam y{0.05f, 120, DataType::uint8};
    b.dequantize(b.quantize("c", y, "y_q"), y, "y");
    b.output("y");
    const Captured fused = compare(b.model(), {{"x", random_input({2, c, 7, 6}, 137)}}, {"y_q"}, kCodeTolerance,
                                   y.scale * kCodeTolerance);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QLinearConvAct DequantizeLinear");
  }
}

TEST(QdqFusion, ConvWithASymbolicImageSizeRunsAtEverySize) {
  // Weights are packed at load time for an image size not known yet; runs at
  // two sizes must both match the float graph.
  ConvCase c("symbolic_size", 1, 3, 9, 9, 6, 3, 2, 1, 1, kS8, output_param(kS8, 27));
  Model m = conv_model(c);
  ValueInfo& x = m.graph.inputs.at(0);
  x.dims = {Dim{-1, "batch"}, Dim{3, ""}, Dim{-1, "height"}, Dim{-1, "width"}};
  for (const auto& [h, w] : {std::make_pair(9, 9), std::make_pair(6, 11)}) {
    SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w));
    compare(m, {{"x", random_input({2, 3, h, w}, 139)}}, {"y_q"}, kCodeTolerance, c.y.scale * kCodeTolerance);
  }
}

TEST(QdqFusion, ClipClampsAtTheCodesOfItsBounds) {
  // Sums of 108 products reach well beyond [0, 6]: the fused clamp must give
  // Q(0) = 30 (the zero point) and Q(6) = 6 / 0.03 + 30 = 230 exactly.
  const ConvCase c =
      ConvCase("clip", 1, 12, 5, 5, 8, 3, 1, 1, 1, kU8, {0.03f, 30, DataType::uint8}).with_act("Clip");
  const Captured fused = compare(conv_model(c), {{"x", random_input({1, 12, 5, 5}, 5, -2.0f, 3.0f)}}, {"y_q"},
                                 kCodeTolerance, c.y.scale * kCodeTolerance);
  const std::vector<double> y = fused.values.at("y_q").to_double();
  EXPECT_EQ(*std::min_element(y.begin(), y.end()), 30.0);
  EXPECT_EQ(*std::max_element(y.begin(), y.end()), 230.0);
}

// ============================================================================
// Gemm and MatMul
// ============================================================================

/// a [M, K] (or [2, 3, K] for MatMul) → Q → DQ → Gemm/MatMul(DQ(W), bias) → act → Q → y_q → DQ → y.
Model gemm_model(const std::string& op, std::int64_t k, std::int64_t n, bool trans_b, int weight_axis,
                 const std::string& bias, const std::string& act, QParam a, QParam y) {
  QdqModel b;
  b.input("a", op == "MatMul" ? std::vector<std::int64_t>{-1, 3, k} : std::vector<std::int64_t>{-1, k});
  const std::string adq = b.dequantize(b.quantize("a", a, "a_q"), a, "a_dq");
  std::vector<float> w_scales;
  const int axis = weight_axis < 0 ? -1 : (trans_b ? 0 : 1);
  const std::string w = b.weights("w", trans_b ? std::vector<std::int64_t>{n, k} : std::vector<std::int64_t>{k, n},
                                  axis, 127, 17, &w_scales);
  std::vector<std::string> inputs{adq, w};
  if (!bias.empty()) inputs.push_back(b.bias("bias", static_cast<std::size_t>(n), bias == "int32", a.scale, w_scales, 19));
  Node& node = b.node(op, inputs, {"g"}, "fc");
  if (op == "Gemm" && trans_b) node.attributes.push_back(int_attr("transB", 1));
  b.quantize(b.activation("g", act), y, "y_q");
  b.dequantize("y_q", y, "y");
  b.output("y");
  return b.model();
}

TEST(QdqFusion, GemmAndMatMulBecomeOneIntegerNode) {
  struct Case {
    std::string op;
    std::int64_t m, k, n;
    bool trans_b;
    int weight_axis;
    std::string bias, act;
    QParam a, y;
  };
  const std::vector<Case> cases = {
      {"Gemm", 1, 33, 10, true, 0, "int32", "", kU8, output_param(kS8, 33)},
      {"Gemm", 5, 64, 17, true, 0, "int32", "Relu", kS8, output_param(kU8, 64)},
      {"Gemm", 3, 31, 9, false, 0, "float", "Relu", kS8Asym, output_param(kS8, 31)},
      {"Gemm", 4, 16, 8, false, -1, "", "Clip", kU8, output_param(kU8, 16)},
      {"MatMul", 2, 20, 12, false, 0, "", "", kS8, output_param(kS8, 20)},
      {"MatMul", 1, 65, 3, false, -1, "", "Relu", kU8, output_param(kU8, 65)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op + " M=" + std::to_string(c.m) + " K=" + std::to_string(c.k) + " N=" + std::to_string(c.n) +
                 " transB=" + std::to_string(c.trans_b) + " axis=" + std::to_string(c.weight_axis) + " bias=" + c.bias +
                 " act=" + c.act);
    const Model m = gemm_model(c.op, c.k, c.n, c.trans_b, c.weight_axis, c.bias, c.act, c.a, c.y);
    const std::vector<std::int64_t> shape =
        c.op == "MatMul" ? std::vector<std::int64_t>{c.m, 3, c.k} : std::vector<std::int64_t>{c.m, c.k};
    const Captured fused =
        compare(m, {{"a", random_input(shape, 23)}}, {"a_q", "y_q"}, kCodeTolerance, c.y.scale * kCodeTolerance);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QLinearGemmAct DequantizeLinear");
    const NodeInfo* fc = find_node(fused, "QLinearGemmAct");
    ASSERT_NE(fc, nullptr);
    EXPECT_EQ(fc->name, "fc");
    EXPECT_EQ(fc->fused_from.at(0), c.op);
  }
}

TEST(QdqFusion, GemmWithScaledProductIsLeftAlone) {
  Model m = gemm_model("Gemm", 8, 4, true, 0, "int32", "", kU8, output_param(kU8, 8));
  for (Node& n : m.graph.nodes)
    if (n.op_type == "Gemm") {
      Attribute alpha;
      alpha.name = "alpha";
      alpha.kind = Attribute::Kind::float_;
      alpha.f = 0.5f;
      n.attributes.push_back(alpha);
    }
  const Captured fused = compare(m, {{"a", random_input({2, 8}, 29)}}, {"y_q"}, 0.0, 0.0);
  EXPECT_EQ(find_node(fused, "QLinearGemmAct"), nullptr);
  EXPECT_NE(find_node(fused, "Gemm"), nullptr);
}

// ============================================================================
// Add, pooling, data movement
// ============================================================================

/// a, b → Q → DQ → Add → [act] → Q → y_q → DQ → y, b of `b_shape` (broadcast).
Model add_model(const std::vector<std::int64_t>& a_shape, const std::vector<std::int64_t>& b_shape, QParam pa,
                QParam pb, QParam py, const std::string& act) {
  QdqModel b;
  b.input("a", a_shape);
  b.input("b", b_shape);
  const std::string adq = b.dequantize(b.quantize("a", pa, "a_q"), pa, "a_dq");
  const std::string bdq = b.dequantize(b.quantize("b", pb, "b_q"), pb, "b_dq");
  b.node("Add", {adq, bdq}, {"s"}, "add");
  b.quantize(b.activation("s", act), py, "y_q");
  b.dequantize("y_q", py, "y");
  b.output("y");
  return b.model();
}

TEST(QdqFusion, AddEqualsTheFloatGraphBitForBit) {
  // QLinearAddAct computes each element as DQ, Add and Q do, in float32: no tolerance.
  struct Case {
    std::vector<std::int64_t> a, b;
    QParam pa, pb, py;
    std::string act;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}, kU8, kS8, {0.04f, 90, DataType::uint8}, "Relu"},
      {{1, 6, 3, 3}, {1, 6, 1, 1}, kS8, kS8Asym, {0.03f, -5, DataType::int8}, ""},
      {{3, 7}, {7}, kS8Asym, kU8, {0.05f, 0, DataType::int8}, "Clip"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(shape_string(c.a) + " + " + shape_string(c.b) + " act " + c.act);
    const Captured fused = compare(add_model(c.a, c.b, c.pa, c.pb, c.py, c.act),
                                   {{"a", random_input(c.a, 31)}, {"b", random_input(c.b, 37)}}, {"y_q"}, 0.0, 0.0);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QuantizeLinear QLinearAddAct DequantizeLinear");
    EXPECT_EQ(find_node(fused, "QLinearAddAct")->name, "add");
  }
}

TEST(QdqFusion, MaxPoolAndDataMovementRunOnTheCodes) {
  // x → Q → DQ → MaxPool → Q → DQ → Transpose → Q → DQ → Reshape → Q → DQ → y,
  // every Q with x's parameters: the ops run on the int8 codes, exactly.
  for (const QParam& p : {kU8, kS8Asym}) {
    SCOPED_TRACE(type_name(p.type));
    QdqModel b;
    b.input("x", {-1, 3, 6, 7});
    std::string v = b.dequantize(b.quantize("x", p, "x_q"), p, "x_dq");
    Node& pool = b.node("MaxPool", {v}, {"pooled"}, "pool");
    pool.attributes = {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), ints_attr("pads", {1, 1, 1, 1})};
    v = b.dequantize(b.quantize("pooled", p, "pooled_q"), p, "pooled_dq");
    b.node("Transpose", {v}, {"moved"}, "transpose").attributes = {ints_attr("perm", {0, 2, 3, 1})};
    v = b.dequantize(b.quantize("moved", p, "moved_q"), p, "moved_dq");
    b.node("Reshape", {v, b.constant("shape", Tensor::from<std::int64_t>({2}, {0, -1}))}, {"flat"}, "reshape");
    v = b.dequantize(b.quantize("flat", p, "flat_q"), p, "flat_dq");
    b.node("Relu", {v}, {"y"});  // a float consumer at the end
    b.output("y");
    const Captured fused = compare(b.model(), {{"x", random_input({2, 3, 6, 7}, 41)}},
                                   {"pooled_q", "moved_q", "flat_q"}, 0.0, 0.0);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear MaxPool Transpose Reshape DequantizeLinear Relu");
    EXPECT_EQ(type_name(find_node(fused, "MaxPool")->output_types.at(0)), type_name(p.type));
    EXPECT_EQ(find_node(fused, "MaxPool")->fused_from, (std::vector<std::string>{"MaxPool"}));
  }
}

TEST(QdqFusion, MaxPoolWithOtherOutputParametersStaysFloat) {
  QdqModel b;
  b.input("x", {-1, 2, 4, 4});
  const std::string v = b.dequantize(b.quantize("x", kU8, "x_q"), kU8, "x_dq");
  b.node("MaxPool", {v}, {"pooled"}, "pool").attributes = {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})};
  QParam other = kU8;
  other.scale = 0.03f;
  b.dequantize(b.quantize("pooled", other, "pooled_q"), other, "y");
  b.output("y");
  const Captured fused = compare(b.model(), {{"x", random_input({1, 2, 4, 4}, 43)}}, {"pooled_q"}, 0.0, 0.0);
  EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear DequantizeLinear MaxPool QuantizeLinear DequantizeLinear");
}

TEST(QdqFusion, GlobalAveragePoolIsWithinOneCode) {
  // The integer pool sums codes exactly and scales once; the float graph sums
  // dequantized floats: they may differ by one code near a tie.
  for (const auto& [px, py] : {std::make_pair(kU8, kS8), std::make_pair(kS8Asym, kU8)}) {
    QdqModel b;
    b.input("x", {-1, 5, 7, 6});
    const std::string v = b.dequantize(b.quantize("x", px, "x_q"), px, "x_dq");
    b.node("GlobalAveragePool", {v}, {"avg"}, "gap");
    b.dequantize(b.quantize("avg", py, "avg_q"), py, "y");
    b.output("y");
    const Captured fused =
        compare(b.model(), {{"x", random_input({3, 5, 7, 6}, 47)}}, {"avg_q"}, kCodeTolerance, py.scale * kCodeTolerance);
    EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear QLinearGlobalAveragePool DequantizeLinear");
    EXPECT_EQ(find_node(fused, "QLinearGlobalAveragePool")->output_shapes.at(0), (std::vector<std::int64_t>{1, 5, 1, 1}));
  }
}

TEST(QdqFusion, RequantizationChainsCollapse) {
  // Q(p) → DQ(p) → Q(p): the second Q gives back the first's codes.
  QdqModel b;
  b.input("x", {-1, 8});
  const std::string q1 = b.quantize("x", kS8Asym, "q1");
  const std::string f = b.dequantize(q1, kS8Asym, "f");
  const std::string q2 = b.quantize(f, kS8Asym, "q2");
  b.dequantize(q2, kS8Asym, "y");
  b.output("y");
  const Captured fused = compare(b.model(), {{"x", random_input({2, 8}, 53)}}, {"q1"}, 0.0, 0.0);
  EXPECT_EQ(joined(op_types(fused)), "QuantizeLinear DequantizeLinear");
  EXPECT_EQ(fused.nodes.at(1).inputs.at(0), "q1");
}

TEST(QdqFusion, FlattenByShapeChainReadsTheCodes) {
  // PyTorch's x.view(x.size(0), -1) on a quantized x: Shape reads x's codes
  // (the same shape), Reshape runs on them, and no DequantizeLinear is left
  // running before the classifier.
  QdqModel b;
  b.input("x", {-1, 2, 3, 4});
  const std::string xdq = b.dequantize(b.quantize("x", kS8, "x_q"), kS8, "x_dq");
  b.node("Shape", {xdq}, {"shape"});
  b.node("Gather", {"shape", b.constant("zero", Tensor::scalar<std::int64_t>(0))}, {"n"});
  b.node("Unsqueeze", {"n", b.constant("axes", Tensor::from<std::int64_t>({1}, {0}))}, {"n1"});
  b.node("Concat", {"n1", b.constant("rest", Tensor::from<std::int64_t>({1}, {-1}))}, {"target"}).attributes = {
      int_attr("axis", 0)};
  b.node("Reshape", {xdq, "target"}, {"flat"}, "view");
  const std::string flat = b.dequantize(b.quantize("flat", kS8, "flat_q"), kS8, "flat_dq");
  std::vector<float> ws;
  const std::string w = b.weights("fc_w", {5, 24}, 0, 127, 149, &ws);
  b.node("Gemm", {flat, w, b.bias("fc_b", 5, true, kS8.scale, ws, 151)}, {"fc"}, "fc").attributes = {
      int_attr("transB", 1)};
  const QParam y = output_param(kS8, 24);
  b.dequantize(b.quantize("fc", y, "fc_q"), y, "y");
  b.output("y");
  const Captured fused =
      compare(b.model(), {{"x", random_input({3, 2, 3, 4}, 157)}}, {"flat_q", "fc_q"}, kCodeTolerance, y.scale);
  EXPECT_EQ(joined(op_types(fused)),
            "QuantizeLinear Shape Gather Unsqueeze Concat Reshape QLinearGemmAct DequantizeLinear");
  EXPECT_EQ(find_node(fused, "Shape")->inputs.at(0), "x_q");
}

// ============================================================================
// Patterns that must not fuse
// ============================================================================

TEST(QdqFusion, ValueWithTwoConsumersIsNotFused) {
  // The Conv's float output also feeds a graph output: the Conv must stay float.
  const ConvCase c("two_consumers", 1, 3, 6, 6, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27));
  Model m = conv_model(c);
  m.graph.nodes.push_back(Node{"sigmoid", "Sigmoid", "", {"c"}, {"side"}, {}});
  ValueInfo side;
  side.name = "side";
  side.type = DataType::float32;
  m.graph.outputs.push_back(side);
  const Captured fused = compare(m, {{"x", random_input({1, 3, 6, 6}, 59)}}, {"y_q"}, 0.0, 0.0);
  EXPECT_EQ(find_node(fused, "QLinearConvAct"), nullptr);
  EXPECT_NE(find_node(fused, "Conv"), nullptr);
}

TEST(QdqFusion, GraphOutputInTheMiddleIsNotFused) {
  const ConvCase c("conv_output_is_a_graph_output", 1, 3, 6, 6, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27));
  Model m = conv_model(c);
  ValueInfo out;
  out.name = "c";
  out.type = DataType::float32;
  m.graph.outputs.push_back(out);
  const Captured fused = compare(m, {{"x", random_input({1, 3, 6, 6}, 61)}}, {"y_q"}, 0.0, 0.0);
  EXPECT_EQ(find_node(fused, "QLinearConvAct"), nullptr);
  EXPECT_EQ(fused.outputs.size(), 2u);
}

TEST(QdqFusion, NonConstantWeightsAreNotFused) {
  // W is a graph input: nothing to pack at load time, the Conv stays float.
  const ConvCase c("weights_fed", 1, 3, 6, 6, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27));
  Model m = conv_model(c);
  const Tensor w = m.graph.initializers.at("w_quantized");
  m.graph.initializers.erase("w_quantized");
  ValueInfo in;
  in.name = "w_quantized";
  in.type = DataType::int8;
  in.has_shape = true;
  for (std::int64_t d : w.shape()) in.dims.push_back(Dim{d, ""});
  m.graph.inputs.push_back(in);
  const Captured fused =
      compare(m, {{"x", random_input({1, 3, 6, 6}, 67)}, {"w_quantized", w}}, {"y_q"}, 0.0, 0.0);
  EXPECT_EQ(find_node(fused, "QLinearConvAct"), nullptr);
}

TEST(QdqFusion, PerChannelAlongAnotherAxisOrPerChannelActivationIsNotFused) {
  {
    // Conv weights quantized per input channel (axis 1): not a per-output-channel multiplier.
    QdqModel b;
    b.input("x", {-1, 3, 5, 5});
    const std::string v = b.dequantize(b.quantize("x", kU8, "x_q"), kU8, "x_dq");
    const std::string w = b.weights("w", {4, 3, 3, 3}, 1, 127, 71);
    b.node("Conv", {v, w}, {"c"}, "conv").attributes = {ints_attr("pads", {1, 1, 1, 1})};
    b.dequantize(b.quantize("c", output_param(kU8, 27), "y_q"), output_param(kU8, 27), "y");
    b.output("y");
    const Captured fused = compare(b.model(), {{"x", random_input({1, 3, 5, 5}, 73)}}, {"y_q"}, 0.0, 0.0);
    EXPECT_EQ(find_node(fused, "QLinearConvAct"), nullptr);
  }
  {
    // Gemm weights per K row (transB = 1, axis 1).
    Model m = gemm_model("Gemm", 6, 4, true, 0, "", "", kU8, output_param(kU8, 6));
    for (Node& n : m.graph.nodes)
      if (n.outputs[0] == "w")
        for (Attribute& a : n.attributes)
          if (a.name == "axis") a.i = 1;
    Tensor& s = m.graph.initializers.at("w_scale");
    s = Tensor::from<float>({6}, std::vector<float>(6, 0.004f));
    m.graph.initializers.at("w_zero_point") = Tensor::from<std::int8_t>({6}, std::vector<std::int8_t>(6, 0));
    const Captured fused = compare(m, {{"a", random_input({2, 6}, 79)}}, {"y_q"}, 0.0, 0.0);
    EXPECT_EQ(find_node(fused, "QLinearGemmAct"), nullptr);
  }
  {
    // An activation dequantized per channel: the fused ops take one scale.
    const ConvCase c("per_channel_x", 1, 3, 5, 5, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27));
    Model m = conv_model(c);
    m.graph.initializers.at("x_dq_scale") = Tensor::from<float>({3}, {0.02f, 0.02f, 0.02f});
    m.graph.initializers.at("x_dq_zero_point") = Tensor::from<std::uint8_t>({3}, {100, 100, 100});
    const Captured fused = compare(m, {{"x", random_input({1, 3, 5, 5}, 83)}}, {"y_q"}, 0.0, 0.0);
    EXPECT_EQ(find_node(fused, "QLinearConvAct"), nullptr);
  }
}

// ============================================================================
// The Session around the rewrite
// ============================================================================

TEST(QdqFusion, FuseQdqFalseRunsTheGraphAsWritten) {
  const Model m = conv_model(ConvCase("plain", 1, 3, 6, 6, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27)));
  const Session s(m, SessionOptions{false});
  ASSERT_EQ(s.nodes().size(), m.graph.nodes.size());
  for (std::size_t i = 0; i < m.graph.nodes.size(); ++i) {
    EXPECT_EQ(s.nodes()[i].op_type, m.graph.nodes[i].op_type);
    EXPECT_TRUE(s.nodes()[i].fused_from.empty());
  }
}

TEST(QdqFusion, TheModelItselfIsUntouched) {
  const Model m = conv_model(ConvCase("model", 1, 3, 6, 6, 4, 3, 1, 1, 1, kU8, output_param(kU8, 27)));
  const Session s(m);
  EXPECT_EQ(s.model().graph.nodes.size(), m.graph.nodes.size());
  EXPECT_EQ(s.model().graph.initializers.size(), m.graph.initializers.size());
  EXPECT_EQ(s.model().opsets.size(), 1u);
  for (const Node& n : s.model().graph.nodes) EXPECT_NE(n.domain, "quantlab");
  EXPECT_LT(s.nodes().size(), m.graph.nodes.size());
}

TEST(QdqFusion, ObserverSeesTheInt8OutputOfEveryFusedLayer) {
  const Model m = conv_model(ConvCase("observed", 2, 3, 6, 6, 4, 3, 1, 1, 1, kS8, output_param(kS8, 27)));
  const Session s(m);
  std::vector<std::string> seen;
  s.run({{"x", random_input({2, 3, 6, 6}, 89)}}, [&](const NodeInfo& n, const std::vector<const Tensor*>& outs) {
    seen.push_back(n.op_type);
    if (n.op_type != "QLinearConvAct") return;
    ASSERT_EQ(outs.size(), 1u);
    EXPECT_EQ(type_name(outs[0]->type()), "int8");
    EXPECT_EQ(outs[0]->shape(), (std::vector<std::int64_t>{2, 4, 6, 6}));
  });
  EXPECT_EQ(joined(seen), "QuantizeLinear QLinearConvAct DequantizeLinear");
}

TEST(QdqFusion, PrivateOpsAreRefusedInFiles) {
  QdqModel b;
  b.model().opsets.push_back({"quantlab", 1});
  b.input("x", {1, 4}, DataType::int8);
  Node& n = b.node("QLinearAddAct", {"x", b.constant("s", Tensor::scalar<float>(1.0f)), "", "x", "s", "",
                                     "s", b.constant("z", Tensor::scalar<std::int8_t>(0))},
                   {"y"}, "add");
  n.domain = "quantlab";
  b.output("y", DataType::int8);
  const std::string msg = test::error_of<Unsupported>([&] { Session s(b.model()); });
  EXPECT_CONTAINS(msg, "quantlab.QLinearAddAct");
  for (const std::string& op : supported_ops()) EXPECT_EQ(op.find("quantlab."), std::string::npos) << op;
}

// ============================================================================
// A whole network
// ============================================================================

/// Layer errors compound through a network: an output that differs by one
/// code moves the next layer's sums. Logits of the small CNN below stay
/// within this many output steps of the float graph's.
constexpr double kNetworkLogitSteps = 4.0;

TEST(QdqFusion, SmallResidualCnnRunsOnIntegerKernelsOnly) {
  // conv3x3+Relu → MaxPool → [conv3x3+Relu → conv3x3] + skip → Relu →
  // GlobalAveragePool → Flatten → Gemm → logits, the skip sharing one
  // DequantizeLinear with the block's first conv.
  QdqModel b;
  b.input("x", {-1, 1, 10, 10});
  const QParam a1{0.03f, 0, DataType::int8}, a2{0.05f, 0, DataType::int8}, a3{0.04f, -128, DataType::int8};
  std::string v = b.dequantize(b.quantize("x", kS8, "x_q"), kS8, "x_dq");
  std::vector<float> ws;
  auto conv = [&](const std::string& in, const std::string& name, std::int64_t cin, std::int64_t cout, float x_scale,
                  std::uint32_t seed) {
    const std::string w = b.weights(name + "_w", {cout, cin, 3, 3}, 0, 127, seed, &ws);
    const std::string bias = b.bias(name + "_b", static_cast<std::size_t>(cout), true, x_scale, ws, seed + 1);
    b.node("Conv", {in, w, bias}, {name}, name).attributes = {ints_attr("pads", {1, 1, 1, 1})};
    return name;
  };
  b.quantize(b.activation(conv(v, "conv1", 1, 8, kS8.scale, 101), "Relu"), a1, "conv1_q");
  v = b.dequantize("conv1_q", a1, "conv1_dq");
  b.node("MaxPool", {v}, {"pool"}, "pool").attributes = {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})};
  const std::string skip = b.dequantize(b.quantize("pool", a1, "pool_q"), a1, "pool_dq");
  b.quantize(b.activation(conv(skip, "conv2", 8, 8, a1.scale, 103), "Relu"), a1, "conv2_q");
  b.quantize(conv(b.dequantize("conv2_q", a1, "conv2_dq"), "conv3", 8, 8, a1.scale, 105), a2, "conv3_q");
  b.node("Add", {b.dequantize("conv3_q", a2, "conv3_dq"), skip}, {"sum"}, "add");
  b.quantize(b.activation("sum", "Relu"), a2, "sum_q");
  b.node("GlobalAveragePool", {b.dequantize("sum_q", a2, "sum_dq")}, {"avg"}, "gap");
  b.node("Flatten", {b.dequantize(b.quantize("avg", a3, "avg_q"), a3, "avg_dq")}, {"flat"}, "flatten");
  const std::string flat = b.dequantize(b.quantize("flat", a3, "flat_q"), a3, "flat_dq");
  const std::string w = b.weights("fc_w", {10, 8}, 0, 127, 107, &ws);
  b.node("Gemm", {flat, w, b.bias("fc_b", 10, true, a3.scale, ws, 109)}, {"fc"}, "fc").attributes = {int_attr("transB", 1)};
  const QParam logits{0.02f, 0, DataType::int8};
  b.dequantize(b.quantize("fc", logits, "fc_q"), logits, "logits");
  b.output("logits");

  const Captured fused = compare(b.model(), {{"x", random_input({4, 1, 10, 10}, 113)}}, {"x_q", "conv1_q"},
                                 kCodeTolerance, kNetworkLogitSteps * logits.scale);
  EXPECT_EQ(joined(op_types(fused)),
            "QuantizeLinear QLinearConvAct MaxPool QLinearConvAct QLinearConvAct QLinearAddAct "
            "QLinearGlobalAveragePool Flatten QLinearGemmAct DequantizeLinear");
}

}  // namespace
}  // namespace quantlab::model
