// size_breakdown: where an ONNX file's bytes go. The roles are checked against
// what each test model is known to hold (counted here from the shapes, or from
// the converter's naming), and the parts always add up to the written file.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ptq/ptq_test_util.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/report.h"

namespace quantlab::ptq::test {
namespace {

std::int64_t file_bytes(const Model& m) { return static_cast<std::int64_t>(model::write_onnx(m).size()); }

void expect_parts_add_up(const SizeBreakdown& b, const Model& m) {
  EXPECT_EQ(b.total, file_bytes(m));
  EXPECT_EQ(b.weights + b.biases + b.quant_params + b.other_tensors + b.graph, b.total);
  EXPECT_GT(b.graph, 0) << "nodes and names take bytes";
}

/// Sum of the payloads of the initializers whose names end with `suffix` and
/// start with one of `prefixes` (the converter's naming: W_q, W_scale, ...).
std::int64_t named_bytes(const Model& m, const std::vector<std::string>& prefixes, const std::string& suffix) {
  std::int64_t sum = 0;
  for (const auto& [name, t] : m.graph.initializers)
    for (const std::string& p : prefixes)
      if (name == p + suffix) sum += static_cast<std::int64_t>(t.byte_size());
  return sum;
}

std::int64_t suffixed_bytes(const Model& m, const std::string& suffix) {
  std::int64_t sum = 0;
  for (const auto& [name, t] : m.graph.initializers)
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      sum += static_cast<std::int64_t>(t.byte_size());
  return sum;
}

/// conv_pool_fc with a BatchNormalization after the convolution, which folds away.
Model conv_bn_pool_fc() {
  Builder m = conv_pool_fc();
  Model& model = m.model();
  for (Node& n : model.graph.nodes)
    if (n.name == "relu") n.inputs[0] = "bn_out";
  const std::vector<float> ones(kCout, 1.0f), zeros(kCout, 0.0f);
  Node bn = m.batchnorm("c", "bn_out", "bn", uniform(kCout, 0.5f, 1.5f, 11), uniform(kCout, -0.1f, 0.1f, 12), zeros,
                        ones);
  model.graph.nodes.pop_back();
  model.graph.nodes.insert(model.graph.nodes.begin() + 1, bn);
  return model;
}

constexpr std::int64_t kFcIn = kCout * (kSide / 2) * (kSide / 2);
constexpr std::int64_t kWeights = kCout * kCin * 9 + kFcIn * kFcOut;

TEST(PtqSize, float_model_weights_biases_and_batchnorm) {
  const Model m = conv_bn_pool_fc();
  const SizeBreakdown b = size_breakdown(m);
  expect_parts_add_up(b, m);
  EXPECT_EQ(b.weights, 4 * kWeights);
  EXPECT_EQ(b.biases, 4 * (kCout + kFcOut));
  EXPECT_EQ(b.quant_params, 0);
  EXPECT_EQ(b.other_tensors, 4 * 4 * kCout) << "gamma, beta, mean, var";
  EXPECT_EQ(prepare(m).float_size.total, b.total);
}

TEST(PtqSize, static_qdq_per_channel) {
  const Model m = conv_bn_pool_fc();
  const Prepared p = prepare(m);
  const Calibration cal = calibrate(p, Options{}, {conv_images(6, 21)});
  const Model q = convert(p, Options{}, cal);
  const SizeBreakdown b = size_breakdown(q);
  expect_parts_add_up(b, q);
  EXPECT_EQ(b.weights, kWeights) << "one byte per int8 code";
  EXPECT_EQ(b.biases, 4 * (kCout + kFcOut)) << "int32 codes (the folded BatchNormalization gave the conv its bias)";
  // Per-channel weight scales, the biases' scales, and each activation's scale and zero point.
  EXPECT_EQ(b.quant_params, suffixed_bytes(q, "_scale") + suffixed_bytes(q, "_zp"));
  EXPECT_EQ(named_bytes(q, {"conv.weight", "fc.weight"}, "_scale"), 4 * (kCout + kFcOut));
  EXPECT_EQ(b.other_tensors, 0);

  const Report r = numeric_report(p, Options{}, cal, {{{"x", conv_images(2, 22)}}});
  EXPECT_EQ(r.float_size.total, file_bytes(m));
  EXPECT_EQ(r.float_size.other_tensors, 4 * 4 * kCout);
  EXPECT_EQ(r.quantized_size.total, b.total);
  EXPECT_EQ(r.quantized_size.weights, b.weights);
}

TEST(PtqSize, layers_kept_float_keep_their_float_weights) {
  const Model m = conv_bn_pool_fc();
  const Prepared p = prepare(m);
  Options o;
  o.keep_float = {"fc"};
  const Calibration cal = calibrate(p, o, {conv_images(6, 23)});
  const Model q = convert(p, o, cal);
  const SizeBreakdown b = size_breakdown(q);
  expect_parts_add_up(b, q);
  EXPECT_EQ(b.weights, kCout * kCin * 9 + 4 * kFcIn * kFcOut);
  EXPECT_EQ(b.biases, 4 * kCout + 4 * kFcOut);
}

TEST(PtqSize, dynamic_matmulinteger_scales_and_added_biases) {
  const Model m = conv_bn_pool_fc();
  const Prepared p = prepare(m);
  Options o;
  o.mode = Mode::dynamic_mode;
  o.weights.granularity = quant::Granularity::channel;
  const Model q = convert(p, o, Calibration{});
  ASSERT_EQ(count_op(q, "MatMulInteger"), 1);
  const SizeBreakdown b = size_breakdown(q);
  expect_parts_add_up(b, q);
  // The convolution stays float; the Gemm's weight is int8 behind MatMulInteger.
  EXPECT_EQ(b.weights, 4 * kCout * kCin * 9 + kFcIn * kFcOut);
  EXPECT_EQ(b.biases, 4 * (kCout + kFcOut)) << "the Gemm's bias is added after the rescale";
  // Per-column float scale (the Mul with the activation's scale) and int8 zero point.
  EXPECT_EQ(b.quant_params, 4 * kFcOut + kFcOut);
  EXPECT_EQ(b.other_tensors, 0);
}

TEST(PtqSize, qoperator_slots_and_unused_initializers) {
  // QLinearConv x, xs, xz, w, ws, wz, ys, yz, B and QLinearMatMul a, as, az, b, bs, bz, ys, yz.
  Model m;
  m.opsets = {{"", 13}};
  m.graph.name = "qop";
  auto& init = m.graph.initializers;
  init["xs"] = Tensor::scalar<float>(0.5f);
  init["xz"] = Tensor::scalar<std::uint8_t>(3);
  init["w"] = Tensor(DataType::int8, {8, 2, 3, 3});
  init["ws"] = Tensor(DataType::float32, {8});
  init["wz"] = Tensor(DataType::int8, {8});
  init["b"] = Tensor(DataType::int32, {8});
  init["mw"] = Tensor(DataType::int8, {8, 4});
  init["shape"] = Tensor(DataType::int64, {2});
  init["unused"] = Tensor(DataType::float32, {5});
  Node conv;
  conv.op_type = "QLinearConv";
  conv.inputs = {"x", "xs", "xz", "w", "ws", "wz", "xs", "xz", "b"};
  conv.outputs = {"c"};
  Node reshape;
  reshape.op_type = "Reshape";
  reshape.inputs = {"c", "shape"};
  reshape.outputs = {"r"};
  Node mm;
  mm.op_type = "QLinearMatMul";
  mm.inputs = {"r", "xs", "xz", "mw", "xs", "xz", "xs", "xz"};
  mm.outputs = {"y"};
  m.graph.nodes = {conv, reshape, mm};
  const SizeBreakdown b = size_breakdown(m);
  expect_parts_add_up(b, m);
  EXPECT_EQ(b.weights, 8 * 2 * 9 + 8 * 4);
  EXPECT_EQ(b.biases, 4 * 8);
  EXPECT_EQ(b.quant_params, 4 + 1 + 4 * 8 + 8) << "shared scalars count once";
  EXPECT_EQ(b.other_tensors, 8 * 2 + 4 * 5);
}

}  // namespace
}  // namespace quantlab::ptq::test
