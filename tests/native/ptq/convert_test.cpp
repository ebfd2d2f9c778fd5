// ptq::convert in static mode (core/docs/ptq.md, "Convert", P3–P4): the QDQ
// model's structure — which activations get QuantizeLinear/DequantizeLinear,
// MaxPool/Flatten reusing their input's parameters, per-channel weights on the
// output-channel axis, int32 biases round(b / (s_x·s_w)) — keep_float, the
// errors, and the converted model running fused on the integer kernels
// against the same graph run as written (dequantize, float op, quantize).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/report.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"

namespace quantlab::ptq::test {
namespace {

/// Fused and unfused runs of the same QDQ model may give codes one apart: the
/// unfused graph rounds every float product and sum where the integer kernels
/// sum exactly, so a value within float rounding of a half step can land on
/// either side. Their outputs are both dequantized codes, so one step is s_y.
constexpr double kFusedCodeTolerance = 1.0;
/// ...and such near-ties are rare: a wrong zero point or scale moves most codes.
constexpr double kMaxDifferingShare = 0.05;
/// The quantized model against the float one, as a sanity bound: 8-bit
/// activations and weights on this tiny model give ~40 dB (measured); a
/// wrong axis, bias or zero point gives < 15 dB.
constexpr double kMinOutputSqnrDb = 25.0;
/// With 4-bit weights (16 levels) the same model gives ~21 dB (measured).
constexpr double kMinOutputSqnrDb4Bit = 18.0;

Tensor images(std::int64_t n, std::uint32_t seed) { return conv_images(n, seed); }

struct Converted {
  Prepared prepared;
  Calibration calibration;
  Model model;
};

Converted convert_with(const Model& float_model, const Options& options) {
  Converted c;
  c.prepared = prepare(float_model);
  c.calibration = calibrate(c.prepared, options, {images(8, 1), images(8, 2), images(5, 3)});
  c.model = convert(c.prepared, options, c.calibration);
  return c;
}

const Node& require_node(const Model& m, const std::string& name) {
  const Node* n = node_named(m, name);
  if (n == nullptr) throw std::runtime_error("no node '" + name + "' in the converted model");
  return *n;
}

const Tensor& init(const Model& m, const std::string& name) {
  auto it = m.graph.initializers.find(name);
  if (it == m.graph.initializers.end()) throw std::runtime_error("no initializer '" + name + "'");
  return it->second;
}

std::int64_t axis_of(const Node& n) { return n.get_int("axis", 1); }

TEST(PtqConvert, static_qdq_structure) {
  const Options options;
  const Converted c = convert_with(conv_pool_fc().model(), options);
  const Model& m = c.model;
  EXPECT_EQ(c.calibration.samples, 21);

  // Activations with parameters of their own: the input, the layers' outputs
  // (after the fused Relu). Conv's own output c is never quantized.
  std::set<std::string> calibrated;
  for (const auto& [name, a] : c.calibration.activations) calibrated.insert(name);
  EXPECT_EQ(calibrated, (std::set<std::string>{"x", "r", "y"}));
  EXPECT_EQ(node_named(m, "c_Q"), nullptr);

  // Q/DQ pairs, and the parameters each reads: MaxPool's and Flatten's outputs reuse Relu's.
  const std::vector<std::pair<std::string, std::string>> qdq = {{"x", "x"}, {"r", "r"}, {"p", "r"}, {"f", "r"}, {"y", "y"}};
  for (const auto& [v, src] : qdq) {
    SCOPED_TRACE(v);
    const Node& q = require_node(m, v + "_Q");
    const Node& dq = require_node(m, v + "_DQ");
    EXPECT_EQ(q.op_type, "QuantizeLinear");
    EXPECT_EQ(dq.op_type, "DequantizeLinear");
    EXPECT_EQ(q.inputs[0], v == "y" ? "y_float" : v);
    EXPECT_EQ(q.inputs[1], src + "_scale");
    EXPECT_EQ(q.inputs[2], src + "_zp");
    EXPECT_EQ(q.outputs[0], quantized_name(v));
    EXPECT_EQ(dq.inputs, (std::vector<std::string>{quantized_name(v), src + "_scale", src + "_zp"}));
    // A graph output keeps its name on the DequantizeLinear.
    EXPECT_EQ(dq.outputs[0], v == "y" ? "y" : v + "_dq");
  }
  for (const std::string src : {"x", "r", "y"}) {
    const ActivationParams& a = c.calibration.activations.at(src);
    EXPECT_EQ(init(m, src + "_scale").data<float>()[0], a.scale) << src;
    EXPECT_EQ(init(m, src + "_zp").type(), DataType::int8) << src;
    EXPECT_EQ(init(m, src + "_zp").data<std::int8_t>()[0], a.zero_point) << src;
    EXPECT_EQ(init(m, src + "_scale").rank(), 0u) << "per-tensor activation parameters are scalars";
  }
  EXPECT_EQ(m.graph.initializers.count("p_scale"), 0u);
  EXPECT_EQ(m.graph.initializers.count("f_scale"), 0u);
  // The Relu is fused: r is quantized, and the ops read the dequantized values.
  EXPECT_EQ(require_node(m, "conv").inputs, (std::vector<std::string>{"x_dq", "conv.weight_dq", "conv.bias_dq"}));
  EXPECT_EQ(require_node(m, "pool").inputs[0], "r_dq");
  EXPECT_EQ(require_node(m, "flat").inputs[0], "p_dq");
  EXPECT_EQ(require_node(m, "fc").inputs, (std::vector<std::string>{"f_dq", "fc.weight_dq", "fc.bias_dq"}));
  EXPECT_EQ(require_node(m, "fc").outputs[0], "y_float");
  EXPECT_EQ(count_op(m, "QuantizeLinear"), 5);
  // Float weights and biases are gone from the file.
  for (const std::string w : {"conv.weight", "conv.bias", "fc.weight", "fc.bias"})
    EXPECT_EQ(m.graph.initializers.count(w), 0u) << w;
  EXPECT_EQ(m.producer_name, "quantlab");
  EXPECT_NE(std::find(m.metadata.begin(), m.metadata.end(), std::pair<std::string, std::string>{"quantlab.ptq.mode", "static"}),
            m.metadata.end());
}

/// Per-channel weights: codes, scales max|w[c]|/127.5 on the output-channel
/// axis, and int32 biases exactly round_half_even(b[c] / fl(s_x · s_w[c])) (P4).
void check_layer_weights(const Converted& c, const std::string& layer, std::int64_t axis, std::int64_t channels) {
  SCOPED_TRACE(layer);
  const Model& m = c.model;
  const Tensor& wf = init(c.prepared.model, layer + ".weight");
  const Tensor& bf = init(c.prepared.model, layer + ".bias");
  const Node& wdq = require_node(m, layer + ".weight_DQ");
  // Symmetric weights: no zero point (ONNX's absent zero point is 0).
  EXPECT_EQ(wdq.inputs, (std::vector<std::string>{layer + ".weight_q", layer + ".weight_scale"}));
  EXPECT_EQ(m.graph.initializers.count(layer + ".weight_zp"), 0u);
  EXPECT_EQ(axis_of(wdq), axis);
  const Tensor& wq = init(m, layer + ".weight_q");
  const Tensor& ws = init(m, layer + ".weight_scale");
  ASSERT_EQ(wq.type(), DataType::int8);
  EXPECT_EQ(wq.shape(), wf.shape());
  ASSERT_EQ(ws.shape(), std::vector<std::int64_t>{channels});

  // Scales: max |w| over each output channel / 127.5 (PyTorch's symmetric observer).
  std::vector<float> max_abs(static_cast<std::size_t>(channels), 0.0f);
  const std::int64_t per = wf.size() / channels;
  auto channel_of = [&](std::int64_t i) { return axis == 0 ? i / per : i % channels; };
  for (std::int64_t i = 0; i < wf.size(); ++i) {
    float& mx = max_abs[static_cast<std::size_t>(channel_of(i))];
    mx = std::max(mx, std::abs(wf.data<float>()[i]));
  }
  for (std::int64_t ch = 0; ch < channels; ++ch)
    EXPECT_EQ(ws.data<float>()[ch], max_abs[static_cast<std::size_t>(ch)] / 127.5f) << "channel " << ch;

  // Codes: each within half a step of its weight, and what quant::quantize gives.
  quant::QuantParams qp;
  qp.scale.assign(ws.data<float>(), ws.data<float>() + channels);
  qp.zero_point.assign(static_cast<std::size_t>(channels), 0);
  qp.qmin = -128;
  qp.qmax = 127;
  qp.granularity = quant::Granularity::channel;
  qp.axis = static_cast<int>(axis);
  std::vector<std::size_t> shape(wf.shape().begin(), wf.shape().end());
  const xt::xarray<float> wx = xt::adapt(values(wf), shape);
  const xt::xarray<std::int32_t> want = quant::quantize(wx, qp);
  int codes_off = 0;
  for (std::int64_t i = 0; i < wf.size(); ++i) {
    const int q = wq.data<std::int8_t>()[i];
    codes_off += q != want.data()[i];
    const float s = ws.data<float>()[channel_of(i)];
    // Half a step, plus the float32 rounding of w · (1/s) (|w/s| ≤ 127.5: a few 2^-17 steps).
    EXPECT_LE(std::abs(static_cast<double>(q) * s - wf.data<float>()[i]), (0.5 + 1e-4) * s) << "weight " << i;
  }
  EXPECT_EQ(codes_off, 0);

  // Bias: int32, scale fl(s_x · s_w[c]) per channel (axis 0), zero point absent (0).
  const Node& bdq = require_node(m, layer + ".bias_DQ");
  EXPECT_EQ(bdq.inputs, (std::vector<std::string>{layer + ".bias_q", layer + ".bias_scale"}));
  EXPECT_EQ(axis_of(bdq), 0);
  const Tensor& bq = init(m, layer + ".bias_q");
  const Tensor& bs = init(m, layer + ".bias_scale");
  ASSERT_EQ(bq.type(), DataType::int32);
  ASSERT_EQ(bq.shape(), std::vector<std::int64_t>{channels});
  const std::string input = layer == "conv" ? "x" : "r";  // fc reads Flatten(MaxPool(r)): r's parameters
  const float sx = c.calibration.activations.at(input).scale;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    const float sb = sx * ws.data<float>()[ch];
    EXPECT_EQ(bs.data<float>()[ch], sb) << "bias scale " << ch;
    const double exact = static_cast<double>(bf.data<float>()[ch]) / static_cast<double>(sb);
    EXPECT_EQ(bq.data<std::int32_t>()[ch], static_cast<std::int32_t>(std::nearbyint(exact))) << "bias code " << ch;
    EXPECT_GT(std::abs(bq.data<std::int32_t>()[ch]), 10) << "a bias worth testing";
  }
}

TEST(PtqConvert, per_channel_weights_and_int32_biases) {
  const Converted c = convert_with(conv_pool_fc().model(), Options{});
  check_layer_weights(c, "conv", 0, kCout);
  check_layer_weights(c, "fc", 1, kFcOut);
}

TEST(PtqConvert, per_tensor_weights_have_scalar_parameters_and_no_axis) {
  Options options;
  options.weights.granularity = quant::Granularity::tensor;
  const Converted c = convert_with(conv_pool_fc().model(), options);
  const Node& wdq = require_node(c.model, "conv.weight_DQ");
  EXPECT_EQ(wdq.find("axis"), nullptr);
  EXPECT_EQ(init(c.model, "conv.weight_scale").rank(), 0u);
  EXPECT_EQ(require_node(c.model, "conv.bias_DQ").find("axis"), nullptr);
  EXPECT_EQ(init(c.model, "conv.bias_scale").rank(), 0u);
}

TEST(PtqConvert, asymmetric_weights_keep_their_zero_points) {
  Options options;
  options.weights.scheme = quant::Scheme::asymmetric;
  const Converted c = convert_with(conv_pool_fc().model(), options);
  const Node& wdq = require_node(c.model, "conv.weight_DQ");
  ASSERT_EQ(wdq.inputs.size(), 3u);
  EXPECT_EQ(wdq.inputs[2], "conv.weight_zp");
  const Tensor& wz = init(c.model, "conv.weight_zp");
  EXPECT_EQ(wz.type(), DataType::int8);
  EXPECT_EQ(wz.shape(), std::vector<std::int64_t>{kCout});
}

TEST(PtqConvert, uint8_activations_get_uint8_zero_points) {
  Options options;
  options.activations.is_signed = false;
  const Converted c = convert_with(conv_pool_fc().model(), options);
  for (const std::string src : {"x", "r", "y"}) {
    const Tensor& z = init(c.model, src + "_zp");
    ASSERT_EQ(z.type(), DataType::uint8) << src;
    EXPECT_EQ(z.data<std::uint8_t>()[0], c.calibration.activations.at(src).zero_point) << src;
  }
  // Relu's output range starts at 0: its zero point is the lowest code.
  EXPECT_EQ(c.calibration.activations.at("r").zero_point, 0);
}

TEST(PtqConvert, keep_float_leaves_the_named_layer_float) {
  Options options;
  options.keep_float = {"fc"};
  const Converted c = convert_with(conv_pool_fc().model(), options);
  const Model& m = c.model;
  const Node& fc = require_node(m, "fc");
  // Flatten's output is still quantized (its input is); fc reads its dequantized value and float parameters.
  EXPECT_EQ(fc.inputs, (std::vector<std::string>{"f_dq", "fc.weight", "fc.bias"}));
  EXPECT_EQ(fc.outputs[0], "y");
  EXPECT_EQ(init(m, "fc.weight").type(), DataType::float32);
  EXPECT_EQ(node_named(m, "y_Q"), nullptr);
  EXPECT_EQ(node_named(m, "fc.weight_DQ"), nullptr);
  EXPECT_EQ(m.graph.initializers.count("fc.weight_q"), 0u);
  EXPECT_NE(node_named(m, "conv.weight_DQ"), nullptr);
  EXPECT_EQ(quantized_layers(c.prepared, options), std::vector<std::string>{"conv"});
}

TEST(PtqConvert, keep_float_of_a_data_movement_node_reuses_the_full_plans_parameters) {
  Options options;
  options.keep_float = {"pool"};  // a node, not a layer
  const Converted c = convert_with(conv_pool_fc().model(), options);
  const Model& m = c.model;
  EXPECT_EQ(node_named(m, "p_Q"), nullptr);
  EXPECT_EQ(require_node(m, "pool").inputs[0], "r_dq");
  EXPECT_EQ(require_node(m, "flat").inputs[0], "p");
  // fc's input f now needs a Q/DQ of its own; it takes the parameters calibration chose for it (r's).
  const Node& q = require_node(m, "f_Q");
  EXPECT_EQ(q.inputs, (std::vector<std::string>{"f", "r_scale", "r_zp"}));
}

TEST(PtqConvert, an_unknown_keep_float_name_is_refused_by_name) {
  const Prepared p = prepare(conv_pool_fc().model());
  const Calibration cal = calibrate(p, Options{}, {images(4, 5)});
  for (Mode mode : {Mode::static_mode, Mode::dynamic_mode}) {
    Options options;
    options.mode = mode;
    options.keep_float = {"conv", "no_such_layer"};
    const std::string msg = message_of<InvalidArgument>([&] { (void)convert(p, options, cal); });
    EXPECT_NE(msg.find("'no_such_layer'"), std::string::npos) << msg;
  }
}

TEST(PtqConvert, per_channel_weights_below_opset_13_are_unsupported) {
  const Model m12 = conv_pool_fc(12).model();
  const Prepared p = prepare(m12);
  const Calibration cal = calibrate(p, Options{}, {images(4, 6)});
  const std::string msg = message_of<Unsupported>([&] { (void)convert(p, Options{}, cal); });
  EXPECT_NE(msg.find("opset 12"), std::string::npos) << msg;
  EXPECT_NE(msg.find("per-channel"), std::string::npos) << msg;
  // Per-tensor weights convert, and the model runs.
  Options per_tensor;
  per_tensor.weights.granularity = quant::Granularity::tensor;
  const Model q = convert(p, per_tensor, cal);
  EXPECT_EQ(run_first_output(q, "x", images(2, 7)).shape(), (std::vector<std::int64_t>{2, kFcOut}));
}

TEST(PtqConvert, a_calibration_without_a_needed_activation_is_refused_by_name) {
  const Prepared p = prepare(conv_pool_fc().model());
  Calibration cal = calibrate(p, Options{}, {images(4, 8)});
  cal.activations.erase("r");
  const std::string msg = message_of<InvalidArgument>([&] { (void)convert(p, Options{}, cal); });
  EXPECT_NE(msg.find("'r'"), std::string::npos) << msg;
}

double sqnr_db(const std::vector<float>& x, const std::vector<float>& xhat) {
  double s = 0, n = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    s += static_cast<double>(x[i]) * x[i];
    n += (static_cast<double>(xhat[i]) - x[i]) * (static_cast<double>(xhat[i]) - x[i]);
  }
  return 10 * std::log10(s / n);
}

/// Fused (integer kernels) against unfused (the QDQ graph as written).
void expect_fused_matches_unfused(const Converted& c, const std::vector<std::string>& fused_ops,
                                  double min_sqnr_db = kMinOutputSqnrDb) {
  const model::Session fused(c.model);
  std::set<std::string> ops;
  for (const model::NodeInfo& n : fused.nodes()) ops.insert(n.op_type);
  for (const std::string& op : fused_ops) EXPECT_TRUE(ops.count(op)) << "the executor fuses into " << op;
  EXPECT_FALSE(ops.count("Conv")) << "no float Conv left";

  const Tensor x = images(16, 99);
  const std::vector<float> a = values(fused.run({{"x", x}}).at("y"));
  const std::vector<float> b = values(run_first_output(c.model, "x", x, model::SessionOptions{false}));
  const std::vector<float> f = values(run_first_output(c.prepared.model, "x", x));
  ASSERT_EQ(a.size(), b.size());
  const float step = c.calibration.activations.at("y").scale;
  int differing = 0;
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(static_cast<double>(a[i]) - b[i]);
    worst = std::max(worst, d);
    differing += d > 0;
  }
  EXPECT_LE(worst, kFusedCodeTolerance * step * (1 + 1e-6)) << "output step " << step;
  EXPECT_LE(differing, kMaxDifferingShare * static_cast<double>(a.size()));
  const double sqnr = sqnr_db(f, a);
  EXPECT_GE(sqnr, min_sqnr_db);
  ::testing::Test::RecordProperty("output_sqnr_db", std::to_string(sqnr));
  ::testing::Test::RecordProperty("fused_unfused_differing", std::to_string(differing) + " of " + std::to_string(a.size()));
}

TEST(PtqConvert, the_converted_model_runs_fused_and_matches_the_qdq_graph_within_one_output_step) {
  expect_fused_matches_unfused(convert_with(conv_pool_fc().model(), Options{}), {"QLinearConvAct", "QLinearGemmAct"});
  Options u8;
  u8.activations.is_signed = false;
  expect_fused_matches_unfused(convert_with(conv_pool_fc().model(), u8), {"QLinearConvAct", "QLinearGemmAct"});
  Options per_tensor;
  per_tensor.weights.granularity = quant::Granularity::tensor;
  expect_fused_matches_unfused(convert_with(conv_pool_fc().model(), per_tensor), {"QLinearConvAct", "QLinearGemmAct"});
}

/// A tensor's values as bytes in memory (int4 holds one sign-extended value per byte).
std::vector<std::int8_t> values_of_bytes(const Tensor& t) {
  const std::int8_t* p = reinterpret_cast<const std::int8_t*>(t.bytes());
  return std::vector<std::int8_t>(p, p + t.size());
}

void expect_message_mentions(const std::string& msg, const std::vector<std::string>& parts) {
  for (const std::string& part : parts) EXPECT_NE(msg.find(part), std::string::npos) << "'" << msg << "' should mention " << part;
}

/// The model with its int4 initializers in int8 and the opset it had before.
Model with_int8_containers(Model m, std::int64_t opset) {
  for (auto& [name, t] : m.graph.initializers) {
    if (t.type() != DataType::int4) continue;
    Tensor wide(DataType::int8, t.shape());
    if (t.size() > 0) std::memcpy(wide.bytes(), t.bytes(), t.byte_size());
    t = wide;
  }
  m.opsets = {{"", opset}};
  return m;
}

TEST(PtqConvert, four_bit_weights_are_int4_at_opset_21_and_run_fused) {
  for (const quant::Scheme scheme : {quant::Scheme::symmetric, quant::Scheme::asymmetric}) {
    SCOPED_TRACE(scheme == quant::Scheme::symmetric ? "symmetric" : "asymmetric");
    Options o;
    o.weights.bits = 4;
    o.weights.scheme = scheme;
    const Converted c = convert_with(conv_pool_fc().model(), o);
    EXPECT_EQ(c.model.opset(), 21) << "int4 needs DequantizeLinear of opset 21";
    EXPECT_GE(c.model.ir_version, 10);
    for (const char* w : {"conv.weight_q", "fc.weight_q"})
      EXPECT_EQ(c.model.graph.initializers.at(w).type(), DataType::int4) << w;
    if (scheme == quant::Scheme::asymmetric) {
      EXPECT_EQ(c.model.graph.initializers.at("conv.weight_zp").type(), DataType::int4);
    }
    // Half a byte per weight in the file.
    const std::int64_t fc_weights = kCout * (kSide / 2) * (kSide / 2) * kFcOut;
    EXPECT_EQ(size_breakdown(c.model).weights, (kCout * kCin * 9 + 1) / 2 + (fc_weights + 1) / 2);

    // Written and read back, and with the same codes in int8 at opset 13: the same outputs.
    const std::vector<std::uint8_t> bytes = model::write_onnx(c.model);
    const Model back = model::read_onnx(bytes.data(), bytes.size());
    const Tensor x = images(8, 7);
    const std::vector<float> y = values(run_first_output(c.model, "x", x));
    EXPECT_EQ(values(run_first_output(back, "x", x)), y);
    EXPECT_EQ(values(run_first_output(with_int8_containers(c.model, 13), "x", x)), y);
    expect_fused_matches_unfused(c, {"QLinearConvAct", "QLinearGemmAct"}, kMinOutputSqnrDb4Bit);
  }
}

TEST(PtqConvert, layer_bits_put_one_layer_at_4_bits_and_leave_the_others_at_8) {
  Options o;
  o.weights.layer_bits = {{"fc", 4}};
  const Converted c = convert_with(conv_pool_fc().model(), o);
  EXPECT_EQ(c.model.opset(), 21);
  EXPECT_EQ(c.model.graph.initializers.at("fc.weight_q").type(), DataType::int4);
  EXPECT_EQ(c.model.graph.initializers.at("conv.weight_q").type(), DataType::int8);
  const std::int64_t fc_weights = kCout * (kSide / 2) * (kSide / 2) * kFcOut;
  EXPECT_EQ(size_breakdown(c.model).weights, kCout * kCin * 9 + (fc_weights + 1) / 2);
  // The same as quantizing everything at 4 bits and taking fc's codes, and as
  // everything at 8 bits and taking conv's.
  Options all4;
  all4.weights.bits = 4;
  const Converted four = convert_with(conv_pool_fc().model(), all4);
  const Converted eight = convert_with(conv_pool_fc().model(), Options{});
  EXPECT_EQ(values_of_bytes(c.model.graph.initializers.at("fc.weight_q")),
            values_of_bytes(four.model.graph.initializers.at("fc.weight_q")));
  EXPECT_EQ(values_of_bytes(c.model.graph.initializers.at("conv.weight_q")),
            values_of_bytes(eight.model.graph.initializers.at("conv.weight_q")));
  expect_fused_matches_unfused(c, {"QLinearConvAct", "QLinearGemmAct"}, kMinOutputSqnrDb4Bit);
  // An 8 in layer_bits undoes weights.bits = 4 for that layer.
  Options back;
  back.weights.bits = 4;
  back.weights.layer_bits = {{"conv", 8}};
  const Converted mixed = convert_with(conv_pool_fc().model(), back);
  EXPECT_EQ(mixed.model.graph.initializers.at("conv.weight_q").type(), DataType::int8);
  EXPECT_EQ(mixed.model.graph.initializers.at("fc.weight_q").type(), DataType::int4);
}

TEST(PtqConvert, layer_bits_naming_no_layer_or_out_of_range_are_refused) {
  const Prepared p = prepare(conv_pool_fc().model());
  const Calibration cal = calibrate(p, Options{}, {images(4, 9)});
  Options unknown;
  unknown.weights.layer_bits = {{"pool", 4}};
  expect_message_mentions(message_of<InvalidArgument>([&] { (void)convert(p, unknown, cal); }), {"layer_bits", "'pool'"});
  Options wide;
  wide.weights.layer_bits = {{"fc", 9}};
  expect_message_mentions(message_of<InvalidArgument>([&] { validate(wide); }), {"'fc'", "2..8", "9"});
  Options dyn = unknown;
  dyn.mode = Mode::dynamic_mode;
  EXPECT_THROW((void)convert(p, dyn, Calibration{}), InvalidArgument);
}

TEST(PtqConvert, four_bit_weights_stay_in_int8_below_opset_13_and_in_dynamic_mode) {
  Options o;
  o.weights.bits = 4;
  o.weights.granularity = quant::Granularity::tensor;
  const Converted old = convert_with(conv_pool_fc(12).model(), o);
  EXPECT_EQ(old.model.opset(), 12);
  EXPECT_EQ(old.model.graph.initializers.at("conv.weight_q").type(), DataType::int8);
  Options d;
  d.mode = Mode::dynamic_mode;
  d.weights.bits = 4;
  const Model dyn = convert(prepare(conv_pool_fc().model()), d, Calibration{});
  EXPECT_EQ(dyn.opset(), 13) << "MatMulInteger takes 8-bit weights";
  EXPECT_EQ(dyn.graph.initializers.at("fc.weight_q").type(), DataType::int8);
}

TEST(PtqConvert, invalid_options_are_refused) {
  const Prepared p = prepare(conv_pool_fc().model());
  const Calibration cal = calibrate(p, Options{}, {images(4, 9)});
  Options bits;
  bits.weights.bits = 9;
  EXPECT_NE(message_of<InvalidArgument>([&] { (void)convert(p, bits, cal); }).find("9"), std::string::npos);
  Options group;
  group.weights.granularity = quant::Granularity::group;
  EXPECT_THROW((void)convert(p, group, cal), InvalidArgument);
  EXPECT_THROW((void)parse_mode("semi"), InvalidArgument);
  EXPECT_EQ(parse_mode("dynamic"), Mode::dynamic_mode);
  EXPECT_STREQ(to_string(Mode::static_mode), "static");
}

}  // namespace
}  // namespace quantlab::ptq::test
