// ptq::convert in dynamic mode (core/docs/ptq.md, P5) against PyTorch's
// quantize_dynamic (qnnpack) on tests/fixtures/ptq/linear_stack*, compiled in
// as linear_stack_fixture.inc (gen_linear_stack_fixture.py): the graph
// onnxruntime's quantize_dynamic writes, torch's weight codes, torch's
// per-batch activation parameters, and torch's outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq::test {
namespace {

/// One layer of one torch variant: int8 codes [out, in], weight scale(s),
/// and the activation parameters torch chose for this input batch.
struct TorchLayer {
  std::string name;
  std::int64_t out, in;
  std::vector<int> codes;
  std::vector<float> scale;  ///< 1 (per tensor) or `out` (per channel)
  float act_scale;
  int act_zero_point;
};

#include "ptq/linear_stack_fixture.inc"

/// Our output against torch's. Both compute, per layer,
///   y = fl(acc) · fl(s_x · s_w) + b,   acc = Σ (x_q − z_x)(w_q − 0)  (exact int32)
/// with the same activation parameters (checked exactly below) and the same
/// weight codes (checked below); the input codes agree too (checked below:
/// ONNX's DynamicQuantizeLinear divides x / s_x where ATen multiplies by
/// 1/s_x, and on this fixture no element lies where the two round apart).
/// What is left is float rounding in the output arithmetic: the README records
/// that numpy, repeating torch's arithmetic from the recorded numbers, differs
/// from torch by up to 5e-7 (torch's kernel orders its float ops differently).
/// So the tolerance is a few float32 ulps of the outputs (|y| ≤ 3):
/// 1e-6 · (1 + |y|). A single input code one step off would already move an
/// output by s_x · s_w · |w_q| ≈ 1e-3, and a wrong zero point or scale by far more.
constexpr double kTorchFloatSlack = 1e-6;

/// For comparison only (not asserted): one activation step of rounding in the
/// first layer, s_x · max_n ||ŵ_n||_1, the loosest bound one could argue for
/// (every input code one step off), is ~0.8 here: it would not catch a wrong zero point.

struct Run {
  std::vector<float> output;
  std::vector<float> act_scale;       ///< per DynamicQuantizeLinear, in order
  std::vector<int> act_zero_point;
  std::vector<std::vector<int>> codes;   ///< x_q of each DynamicQuantizeLinear
  std::vector<std::vector<float>> x;     ///< its float input
};

Model linear_stack() { return model::read_onnx(kLinearStackOnnx.data(), kLinearStackOnnx.size()); }

Tensor fixture_input() { return tensor({kRows, kInFeatures}, kInput); }

Run run_capturing(const Model& m) {
  const model::Session s(m);
  Run r;
  std::map<std::string, std::vector<float>> floats;
  floats["input"] = kInput;
  const auto out = s.run({{"input", fixture_input()}}, [&](const model::NodeInfo& n, const std::vector<const Tensor*>& outs) {
    for (std::size_t i = 0; i < outs.size(); ++i)
      if (outs[i] && outs[i]->type() == DataType::float32) floats[n.outputs[i]] = values(*outs[i]);
    if (n.op_type != "DynamicQuantizeLinear") return;
    r.x.push_back(floats.at(n.inputs[0]));
    const Tensor& q = *outs[0];
    std::vector<int> codes(q.data<std::uint8_t>(), q.data<std::uint8_t>() + q.size());
    r.codes.push_back(codes);
    r.act_scale.push_back(outs[1]->data<float>()[0]);
    r.act_zero_point.push_back(outs[2]->data<std::uint8_t>()[0]);
  });
  r.output = values(out.at("output"));
  return r;
}

/// ATen's quantize_val: z + round_half_even(x · fl(1/s)), clamped to 0..255.
int aten_code(float x, float s, int z) {
  const float inv = 1.0f / s;
  return static_cast<int>(std::clamp(std::nearbyint(x * inv) + z, 0.0f, 255.0f));
}

/// ONNX's DynamicQuantizeLinear / QuantizeLinear: saturate(round_half_even(x / s) + z).
int onnx_code(float x, float s, int z) {
  return static_cast<int>(std::clamp(std::nearbyint(x / s) + static_cast<float>(z), 0.0f, 255.0f));
}

Options dynamic_options(quant::Granularity g) {
  Options o;
  o.mode = Mode::dynamic_mode;
  o.weights.granularity = g;
  return o;
}

TEST(PtqDynamic, graph_is_dynamicquantizelinear_matmulinteger_cast_mul_add) {
  const Prepared p = prepare(linear_stack());
  ASSERT_EQ(p.layers.size(), 3u);
  const Model m = convert(p, dynamic_options(quant::Granularity::channel), Calibration{});
  std::vector<std::string> ops;
  for (const Node& n : m.graph.nodes) ops.push_back(n.op_type);
  const std::vector<std::string> layer = {"DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul", "Add"};
  std::vector<std::string> want;
  for (int i = 0; i < 3; ++i) {
    want.insert(want.end(), layer.begin(), layer.end());
    if (i < 2) want.push_back("Relu");
  }
  EXPECT_EQ(ops, want);

  for (const Layer& l : p.layers) {
    SCOPED_TRACE(l.name);
    const std::string fc = l.weight.substr(0, 3);  // fc1, fc2, fc3
    const Node* dql = node_named(m, l.name + "_DynamicQuantizeLinear");
    const Node* mmi = node_named(m, l.name + "_MatMulInteger");
    const Node* cast = node_named(m, l.name + "_Cast");
    const Node* scale = node_named(m, l.name + "_scale_Mul");
    const Node* mul = node_named(m, l.name + "_Mul");
    const Node* add = node_named(m, l.name + "_bias_Add");
    ASSERT_TRUE(dql && mmi && cast && scale && mul && add);
    EXPECT_EQ(dql->inputs, std::vector<std::string>{l.input});
    EXPECT_EQ(mmi->inputs, (std::vector<std::string>{dql->outputs[0], l.weight + "_q", dql->outputs[2], l.weight + "_zp"}));
    EXPECT_EQ(cast->inputs[0], mmi->outputs[0]);
    EXPECT_EQ(cast->get_int("to", 0), static_cast<std::int64_t>(DataType::float32));
    EXPECT_EQ(scale->inputs, (std::vector<std::string>{dql->outputs[1], l.weight + "_scale"}));
    EXPECT_EQ(mul->inputs, (std::vector<std::string>{cast->outputs[0], scale->outputs[0]}));
    EXPECT_EQ(add->inputs, (std::vector<std::string>{mul->outputs[0], l.bias}));
    // Weights as MatMulInteger's B: int8 [K, N] (the Gemm's [N, K] transposed), per-column parameters.
    const Tensor& wq = m.graph.initializers.at(l.weight + "_q");
    const Tensor& wf = p.model.graph.initializers.at(l.weight);
    EXPECT_EQ(wq.type(), DataType::int8);
    EXPECT_EQ(wq.shape(), (std::vector<std::int64_t>{wf.dim(1), wf.dim(0)}));
    EXPECT_EQ(m.graph.initializers.at(l.weight + "_scale").shape(), std::vector<std::int64_t>{wf.dim(0)});
    EXPECT_EQ(m.graph.initializers.at(l.bias).type(), DataType::float32) << "the bias stays float";
    EXPECT_EQ(m.graph.initializers.count(l.weight), 0u) << "the float weight is gone";
  }
  EXPECT_EQ(producer(m, "output")->op_type, "Add");
}

/// Our weight codes, in torch's [out, in] layout.
std::vector<int> our_codes(const Model& m, const std::string& weight, std::int64_t out, std::int64_t in) {
  const Tensor& wq = m.graph.initializers.at(weight + "_q");  // [in, out]
  std::vector<int> codes(static_cast<std::size_t>(out * in));
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t k = 0; k < in; ++k) codes[static_cast<std::size_t>(o * in + k)] = wq.data<std::int8_t>()[k * out + o];
  return codes;
}

void check_weights_against_torch(quant::Granularity g, const std::vector<TorchLayer>& torch,
                                 int readme_division_differences) {
  const Prepared p = prepare(linear_stack());
  const Model m = convert(p, dynamic_options(g), Calibration{});
  int division_differences = 0;
  for (std::size_t li = 0; li < torch.size(); ++li) {
    const TorchLayer& t = torch[li];
    SCOPED_TRACE(t.name);
    const std::string weight = t.name + ".weight";
    const std::vector<float> wf = values(p.model.graph.initializers.at(weight));
    const Tensor& scale = m.graph.initializers.at(weight + "_scale");
    ASSERT_EQ(static_cast<std::size_t>(scale.size()), t.scale.size()) << "one scale, or one per output row";
    EXPECT_EQ(scale.rank(), g == quant::Granularity::tensor ? 0u : 1u);
    for (std::size_t o = 0; o < t.scale.size(); ++o) EXPECT_EQ(scale.data<float>()[o], t.scale[o]) << "scale " << o;
    const std::vector<int> ours = our_codes(m, weight, t.out, t.in);
    int differing = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const float s = t.scale[t.scale.size() == 1 ? 0 : i / static_cast<std::size_t>(t.in)];
      const float q_div = std::clamp(std::nearbyint(wf[i] / s), -128.0f, 127.0f);
      const float q_mul = std::clamp(std::nearbyint(wf[i] * (1.0f / s)), -128.0f, 127.0f);
      division_differences += q_div != q_mul;
      // Where dividing and multiplying by the reciprocal round alike, torch's code is the only answer.
      if (q_div == q_mul) {
        EXPECT_EQ(ours[i], t.codes[i]) << "weight " << i;
      }
      differing += ours[i] != t.codes[i];
    }
    EXPECT_EQ(differing, 0) << "quant::quantize multiplies by 1/s as ATen does: every code is torch's";
  }
  // The README's −127/−128 case(s) in fc1: where a division would have disagreed with torch.
  EXPECT_EQ(division_differences, readme_division_differences);
}

TEST(PtqDynamic, weight_codes_and_scales_are_torchs) {
  check_weights_against_torch(quant::Granularity::tensor, kTorchPerTensor, 1);
  check_weights_against_torch(quant::Granularity::channel, kTorchPerChannel, 2);
}

void check_outputs_against_torch(quant::Granularity g, const std::vector<TorchLayer>& torch,
                                 const std::vector<float>& torch_output) {
  const Prepared p = prepare(linear_stack());
  const Run r = run_capturing(convert(p, dynamic_options(g), Calibration{}));
  ASSERT_EQ(r.act_scale.size(), 3u);
  for (std::size_t li = 0; li < 3; ++li) {
    SCOPED_TRACE(torch[li].name);
    // The per-batch parameters: torch's ChooseQuantizationParams (double) and
    // ONNX's (float) formulas give the same float32 values on this data.
    EXPECT_EQ(r.act_scale[li], torch[li].act_scale);
    EXPECT_EQ(r.act_zero_point[li], torch[li].act_zero_point);
    // Our codes are ONNX's, and equal ATen's on every element of this fixture.
    int onnx_off = 0, aten_off = 0;
    for (std::size_t i = 0; i < r.codes[li].size(); ++i) {
      onnx_off += r.codes[li][i] != onnx_code(r.x[li][i], r.act_scale[li], r.act_zero_point[li]);
      aten_off += r.codes[li][i] != aten_code(r.x[li][i], torch[li].act_scale, torch[li].act_zero_point);
    }
    EXPECT_EQ(onnx_off, 0);
    EXPECT_EQ(aten_off, 0);
  }
  ASSERT_EQ(r.output.size(), torch_output.size());
  double worst = 0, worst_float = 0;
  for (std::size_t i = 0; i < r.output.size(); ++i) {
    const double d = std::abs(static_cast<double>(r.output[i]) - torch_output[i]);
    worst = std::max(worst, d);
    worst_float = std::max(worst_float, std::abs(static_cast<double>(r.output[i]) - kFloatOutput[i]));
    EXPECT_LE(d, kTorchFloatSlack * (1 + std::abs(torch_output[i]))) << "output " << i;
  }
  // And it is a quantized model: as far from float as torch's (README: 0.119 / 0.135).
  EXPECT_GT(worst_float, 0.05);
  EXPECT_LT(worst_float, 0.2);
  ::testing::Test::RecordProperty("max_abs_diff_vs_torch", std::to_string(worst));
}

TEST(PtqDynamic, per_tensor_outputs_match_torch_quantize_dynamic) {
  check_outputs_against_torch(quant::Granularity::tensor, kTorchPerTensor, kTorchPerTensorOutput);
}

TEST(PtqDynamic, per_channel_outputs_match_torch_quantize_dynamic) {
  check_outputs_against_torch(quant::Granularity::channel, kTorchPerChannel, kTorchPerChannelOutput);
}

TEST(PtqDynamic, convolutions_stay_float_and_keep_float_is_honoured) {
  Builder m;
  m.input("x", {1, 4, 4}).output("y");
  m.node("Conv", {"x", m.constant("conv.weight", {2, 1, 3, 3}, uniform(18, -1, 1, 201))}, {"c"}, "conv");
  m.node("Flatten", {"c"}, {"f"}, "flat");
  m.node("Gemm", {"f", m.constant("fc.weight", {3, 8}, uniform(24, -1, 1, 202))}, {"g"}, "fc", {int_attr("transB", 1)});
  m.node("MatMul", {"g", m.constant("mm.weight", {3, 2}, uniform(6, -1, 1, 203))}, {"y"}, "mm");
  const Prepared p = prepare(m.model());
  Options o = dynamic_options(quant::Granularity::channel);
  EXPECT_EQ(quantized_layers(p, o), (std::vector<std::string>{"fc", "mm"}));
  Model q = convert(p, o, Calibration{});
  EXPECT_EQ(count_op(q, "Conv"), 1);
  EXPECT_EQ(count_op(q, "MatMulInteger"), 2);
  EXPECT_EQ(count_op(q, "Add"), 0) << "no bias, no Add";
  EXPECT_EQ(producer(q, "y")->op_type, "Mul");
  o.keep_float = {"mm"};
  q = convert(p, o, Calibration{});
  EXPECT_EQ(count_op(q, "MatMulInteger"), 1);
  EXPECT_EQ(count_op(q, "MatMul"), 1);
  const Tensor x = tensor({2, 1, 4, 4}, uniform(32, -1, 1, 204));
  const std::vector<float> yf = values(run_first_output(p.model, "x", x));
  const std::vector<float> yq = values(run_first_output(q, "x", x));
  ASSERT_EQ(yf.size(), yq.size());
  // A sanity bound, not a reference: one 8-bit Gemm (plus the float MatMul)
  // after a float Conv, outputs of size ~1–3; 8-bit steps give errors of ~1 %
  // of that. 0.1 leaves room and still fails for wrong weights or scales.
  constexpr double kNearFloat = 0.1;
  for (std::size_t i = 0; i < yf.size(); ++i) EXPECT_NEAR(yq[i], yf[i], kNearFloat) << i;
}

}  // namespace
}  // namespace quantlab::ptq::test
