// ptq::prepare (core/docs/ptq.md, "Prepare"): BatchNormalization folding (P1)
// against a hand computation, what is not folded, weight names, the layers
// found (P2) with their fused Relu/Clip, and the float model with BN folded
// computing what the original computes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq::test {
namespace {

/// The folded float model computes the same function with other roundings:
/// each folded weight is within half an ulp of a·W, and the original's
/// BatchNormalization rounds (y − μ)·a + β in four float ops of its own, after
/// a convolution of at most 18 products here. Both sides' errors are a few
/// float32 ulps (2^-24 ≈ 6e-8) of the magnitudes involved, ~|y|; 1e-5·(1 + max|y|)
/// leaves two orders of magnitude of room and still fails for a wrong channel
/// (an error of the size of y itself).
constexpr double kFoldTolerance = 1e-5;

/// (P1) by hand: a = γ / sqrt(σ² + ε) in double, W'[c] = fl(a·W[c]), b' = fl(a·(b − μ) + β).
struct Folded {
  std::vector<float> w, b;
};

Folded fold_by_hand(const std::vector<float>& w, int axis, std::int64_t channels, const std::vector<float>& b,
                    const std::vector<float>& gamma, const std::vector<float>& beta, const std::vector<float>& mean,
                    const std::vector<float>& var, float eps) {
  Folded f;
  std::vector<double> a(static_cast<std::size_t>(channels));
  for (std::size_t c = 0; c < a.size(); ++c)
    a[c] = static_cast<double>(gamma[c]) / std::sqrt(static_cast<double>(var[c]) + static_cast<double>(eps));
  const std::size_t per = w.size() / static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::size_t c = axis == 0 ? i / per : i % static_cast<std::size_t>(channels);
    f.w.push_back(static_cast<float>(a[c] * static_cast<double>(w[i])));
  }
  for (std::size_t c = 0; c < a.size(); ++c) {
    const double bias = b.empty() ? 0.0 : static_cast<double>(b[c]);
    f.b.push_back(static_cast<float>(a[c] * (bias - static_cast<double>(mean[c])) + static_cast<double>(beta[c])));
  }
  return f;
}

void expect_same_floats(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int differing = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      if (++differing <= 5) ADD_FAILURE() << what << "[" << i << "] = " << got[i] << ", (P1) gives " << want[i];
    }
  }
  EXPECT_EQ(differing, 0) << what;
}

void expect_outputs_close(const Model& a, const Model& b, const std::string& input, const Tensor& x) {
  const std::vector<float> ya = values(run_first_output(a, input, x));
  const std::vector<float> yb = values(run_first_output(b, input, x));
  ASSERT_EQ(ya.size(), yb.size());
  double scale = 0, worst = 0;
  for (std::size_t i = 0; i < ya.size(); ++i) {
    scale = std::max(scale, std::abs(static_cast<double>(ya[i])));
    worst = std::max(worst, std::abs(static_cast<double>(ya[i]) - yb[i]));
  }
  EXPECT_LE(worst, kFoldTolerance * (1 + scale)) << "max |folded - original| over outputs of size up to " << scale;
  EXPECT_GT(scale, 0.1) << "the check needs outputs that are not all zero";
}

// Channel statistics with a spread of scales a = γ/sqrt(σ²+ε) (0.2 .. 4).
struct BnParams {
  std::vector<float> gamma, beta, mean, var;
};

BnParams bn_params(std::size_t c, std::uint32_t seed) {
  BnParams p;
  p.gamma = uniform(c, 0.5f, 2.0f, seed);
  p.beta = uniform(c, -1.0f, 1.0f, seed + 1);
  p.mean = uniform(c, -0.5f, 0.5f, seed + 2);
  p.var = uniform(c, 0.05f, 3.0f, seed + 3);
  p.gamma[0] = -p.gamma[0];  // a negative scale flips the channel
  return p;
}

TEST(PtqPrepare, conv_bn_relu_folds_exactly_as_p1) {
  const std::int64_t cin = 2, cout = 3;
  const std::vector<float> w = uniform(static_cast<std::size_t>(cout * cin * 9), -0.5f, 0.5f, 11);
  const std::vector<float> b = uniform(static_cast<std::size_t>(cout), -0.3f, 0.3f, 12);
  const BnParams bn = bn_params(static_cast<std::size_t>(cout), 13);
  const float eps = 1e-3f;
  Builder m;
  m.input("x", {cin, 5, 5}).output("y");
  m.node("Conv", {"x", m.constant("conv.weight", {cout, cin, 3, 3}, w), m.constant("conv.bias", {cout}, b)}, {"c"},
         "conv", {ints_attr("pads", {1, 1, 1, 1})});
  m.batchnorm("c", "n", "bn", bn.gamma, bn.beta, bn.mean, bn.var, eps);
  m.node("Relu", {"n"}, {"y"}, "relu");

  const Prepared p = prepare(m.model());
  EXPECT_EQ(p.folded, std::vector<std::string>{"bn"});
  EXPECT_EQ(count_op(p.model, "BatchNormalization"), 0);
  ASSERT_EQ(p.layers.size(), 1u);
  const Layer& l = p.layers[0];
  EXPECT_EQ(l.name, "conv");
  EXPECT_EQ(l.op_type, "Conv");
  EXPECT_EQ(l.activation, "Relu");
  EXPECT_EQ(l.input, "x");
  EXPECT_EQ(l.output, "y");
  EXPECT_EQ(l.weight_axis, 0);
  // The folded tensors keep the names: nothing else reads them.
  EXPECT_EQ(l.weight, "conv.weight");
  EXPECT_EQ(l.bias, "conv.bias");
  EXPECT_EQ(l.weight_elements, cout * cin * 9);
  EXPECT_EQ(p.input, "x");
  EXPECT_EQ(p.output, "y");
  // Only the layer's tensors are left: BN's parameters are dropped.
  EXPECT_EQ(p.model.graph.initializers.size(), 2u);
  EXPECT_GT(p.float_size.total, 0);

  const Folded want = fold_by_hand(w, 0, cout, b, bn.gamma, bn.beta, bn.mean, bn.var, eps);
  expect_same_floats(values(p.model.graph.initializers.at("conv.weight")), want.w, "W'");
  expect_same_floats(values(p.model.graph.initializers.at("conv.bias")), want.b, "b'");
  // The original model is not touched.
  expect_same_floats(values(m.model().graph.initializers.at("conv.weight")), w, "original W");

  expect_outputs_close(m.model(), p.model, "x", tensor({4, cin, 5, 5}, uniform(4 * 50, -2, 2, 14)));
}

TEST(PtqPrepare, gemm_bn_folds_on_the_output_channel_axis_of_either_layout) {
  // fc1: Gemm transB = 1, W [out, in] (axis 0), with a bias.
  // fc2: Gemm transB = 0, W [in, out] (axis 1), no bias: folding creates one.
  const std::vector<float> w1 = uniform(4 * 6, -1, 1, 21), b1 = uniform(4, -0.5f, 0.5f, 22);
  const std::vector<float> w2 = uniform(4 * 5, -1, 1, 23);
  const BnParams bn1 = bn_params(4, 24), bn2 = bn_params(5, 25);
  Builder m;
  m.input("x", {6}).output("y");
  m.node("Gemm", {"x", m.constant("fc1.weight", {4, 6}, w1), m.constant("fc1.bias", {4}, b1)}, {"g1"}, "fc1",
         {int_attr("transB", 1)});
  m.batchnorm("g1", "n1", "bn1", bn1.gamma, bn1.beta, bn1.mean, bn1.var);
  m.node("Relu", {"n1"}, {"r1"}, "relu1");
  m.node("Gemm", {"r1", m.constant("fc2.weight", {4, 5}, w2)}, {"g2"}, "fc2");
  m.batchnorm("g2", "y", "bn2", bn2.gamma, bn2.beta, bn2.mean, bn2.var);

  const Prepared p = prepare(m.model());
  EXPECT_EQ(p.folded, (std::vector<std::string>{"bn1", "bn2"}));
  ASSERT_EQ(p.layers.size(), 2u);
  EXPECT_EQ(p.layers[0].weight_axis, 0);
  EXPECT_EQ(p.layers[0].activation, "Relu");
  EXPECT_EQ(p.layers[1].weight_axis, 1);
  EXPECT_EQ(p.layers[1].activation, "");
  EXPECT_EQ(p.layers[1].output, "y");
  // A bias made by folding is named after the weight ("fc2.weight" -> "fc2.bias").
  EXPECT_EQ(p.layers[1].bias, "fc2.bias");
  const Folded f1 = fold_by_hand(w1, 0, 4, b1, bn1.gamma, bn1.beta, bn1.mean, bn1.var, 1e-5f);
  const Folded f2 = fold_by_hand(w2, 1, 5, {}, bn2.gamma, bn2.beta, bn2.mean, bn2.var, 1e-5f);
  expect_same_floats(values(p.model.graph.initializers.at(p.layers[0].weight)), f1.w, "fc1 W'");
  expect_same_floats(values(p.model.graph.initializers.at(p.layers[0].bias)), f1.b, "fc1 b'");
  expect_same_floats(values(p.model.graph.initializers.at(p.layers[1].weight)), f2.w, "fc2 W'");
  expect_same_floats(values(p.model.graph.initializers.at(p.layers[1].bias)), f2.b, "fc2 b'");
  expect_outputs_close(m.model(), p.model, "x", tensor({8, 6}, uniform(48, -2, 2, 26)));
}

TEST(PtqPrepare, a_batchnorm_whose_input_has_another_consumer_is_not_folded) {
  const BnParams bn = bn_params(3, 31);
  Builder m;
  m.input("x", {2, 4, 4}).output("y");
  m.node("Conv", {"x", m.constant("conv.weight", {3, 2, 1, 1}, uniform(6, -1, 1, 32))}, {"c"}, "conv");
  m.batchnorm("c", "n", "bn", bn.gamma, bn.beta, bn.mean, bn.var);
  m.node("Relu", {"c"}, {"r"}, "relu");  // the conv output's second reader
  m.node("Add", {"n", "r"}, {"y"}, "add");

  const Prepared p = prepare(m.model());
  EXPECT_TRUE(p.folded.empty());
  EXPECT_EQ(count_op(p.model, "BatchNormalization"), 1);
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].activation, "") << "two consumers: no Relu fused either";
  EXPECT_EQ(p.layers[0].output, "c");
  expect_same_floats(values(p.model.graph.initializers.at("conv.weight")),
                     values(m.model().graph.initializers.at("conv.weight")), "unchanged weight");
}

TEST(PtqPrepare, a_weight_shared_by_two_convs_is_folded_into_two_tensors_with_unique_names) {
  const std::vector<float> w = uniform(3 * 2 * 9, -0.5f, 0.5f, 41);
  const BnParams bna = bn_params(3, 42), bnb = bn_params(3, 43);
  Builder m;
  m.input("x", {2, 5, 5}).output("y");
  m.constant("conv.weight", {3, 2, 3, 3}, w);
  m.node("Conv", {"x", "conv.weight"}, {"ca"}, "conv_a", {ints_attr("pads", {1, 1, 1, 1})});
  m.batchnorm("ca", "na", "bn_a", bna.gamma, bna.beta, bna.mean, bna.var);
  m.node("Conv", {"x", "conv.weight"}, {"cb"}, "conv_b", {ints_attr("pads", {1, 1, 1, 1})});
  m.batchnorm("cb", "nb", "bn_b", bnb.gamma, bnb.beta, bnb.mean, bnb.var);
  m.node("Add", {"na", "nb"}, {"y"}, "add");

  const Prepared p = prepare(m.model());
  EXPECT_EQ(p.folded, (std::vector<std::string>{"bn_a", "bn_b"}));
  ASSERT_EQ(p.layers.size(), 2u);
  const Layer& a = p.layers[0];
  const Layer& b = p.layers[1];
  EXPECT_NE(a.weight, b.weight);
  EXPECT_FALSE(a.bias.empty());
  EXPECT_FALSE(b.bias.empty());
  EXPECT_NE(a.bias, b.bias);
  std::set<std::string> names{a.weight, b.weight, a.bias, b.bias};
  EXPECT_EQ(names.size(), 4u);
  const Folded fa = fold_by_hand(w, 0, 3, {}, bna.gamma, bna.beta, bna.mean, bna.var, 1e-5f);
  const Folded fb = fold_by_hand(w, 0, 3, {}, bnb.gamma, bnb.beta, bnb.mean, bnb.var, 1e-5f);
  expect_same_floats(values(p.model.graph.initializers.at(a.weight)), fa.w, "conv_a W'");
  expect_same_floats(values(p.model.graph.initializers.at(b.weight)), fb.w, "conv_b W'");
  expect_same_floats(values(p.model.graph.initializers.at(a.bias)), fa.b, "conv_a b'");
  expect_same_floats(values(p.model.graph.initializers.at(b.bias)), fb.b, "conv_b b'");
  expect_outputs_close(m.model(), p.model, "x", tensor({3, 2, 5, 5}, uniform(150, -2, 2, 44)));
}

TEST(PtqPrepare, layers_with_fused_relu_and_clip_and_their_weight_axes) {
  Builder m;
  m.input("x", {6}).output("y");
  // Unnamed: the layer is called "<op_type>_<index>".
  m.node("Gemm", {"x", m.constant("a.w", {8, 6}, uniform(48, -1, 1, 51)), m.constant("a.b", {8}, uniform(8, -1, 1, 52))},
         {"ga"}, "", {int_attr("transB", 1)});
  m.node("Relu", {"ga"}, {"ra"}, "relu_a");
  m.node("Gemm", {"ra", m.constant("b.w", {8, 7}, uniform(56, -1, 1, 53)), m.constant("b.b", {7}, uniform(7, -1, 1, 54))},
         {"gb"}, "fc_b");
  m.node("Clip", {"gb", m.constant("lo", {}, {-1.0f}), m.constant("hi", {}, {1.5f})}, {"cb"}, "clip_b");
  m.node("MatMul", {"cb", m.constant("c.w", {7, 4}, uniform(28, -1, 1, 55))}, {"mc"}, "mm_c");
  // Two readers of mm_c: the Relu is not fused.
  m.node("Relu", {"mc"}, {"rc"}, "relu_c");
  m.node("Add", {"mc", "rc"}, {"y"}, "add");

  const Prepared p = prepare(m.model());
  ASSERT_EQ(p.layers.size(), 3u);
  const Layer& a = p.layers[0];
  EXPECT_EQ(a.name, "Gemm_0");
  EXPECT_EQ(a.op_type, "Gemm");
  EXPECT_EQ(a.activation, "Relu");
  EXPECT_EQ(a.output, "ra");
  EXPECT_EQ(a.weight_axis, 0);
  EXPECT_EQ(a.bias, "a.b");
  EXPECT_EQ(a.node, 0u);
  const Layer& b = p.layers[1];
  EXPECT_EQ(b.name, "fc_b");
  EXPECT_EQ(b.activation, "Clip");
  EXPECT_EQ(b.input, "ra");
  EXPECT_EQ(b.output, "cb");
  EXPECT_EQ(b.weight_axis, 1);
  const Layer& c = p.layers[2];
  EXPECT_EQ(c.name, "mm_c");
  EXPECT_EQ(c.op_type, "MatMul");
  EXPECT_EQ(c.activation, "");
  EXPECT_EQ(c.output, "mc");
  EXPECT_EQ(c.weight_axis, 1);
  EXPECT_TRUE(c.bias.empty());
  EXPECT_EQ(c.weight_elements, 28);
  for (const Layer& l : p.layers) EXPECT_GT(l.flops, 0) << l.name;
  // Static mode observes the input, every layer's output, and the Add of two
  // activations: its inputs (mc is observed once, though read twice) and output.
  std::set<std::string> observed(p.observed.begin(), p.observed.end());
  EXPECT_EQ(observed, (std::set<std::string>{"x", "ra", "cb", "mc", "rc", "y"}));
  EXPECT_EQ(observed.size(), p.observed.size()) << "no activation observed twice";
}

TEST(PtqPrepare, a_clip_with_computed_bounds_is_not_fused) {
  Builder m;
  m.input("x", {4}).output("y");
  m.node("Gemm", {"x", m.constant("w", {3, 4}, uniform(12, -1, 1, 61))}, {"g"}, "fc", {int_attr("transB", 1)});
  // The lower bound is a node's output, not an initializer.
  m.node("Neg", {m.constant("one", {}, {1.0f})}, {"lo"}, "neg");
  m.node("Clip", {"g", "lo"}, {"y"}, "clip");
  const Prepared p = prepare(m.model());
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].activation, "");
  EXPECT_EQ(p.layers[0].output, "g");
}

TEST(PtqPrepare, a_model_with_two_inputs_is_refused) {
  Builder m;
  m.input("a", {4}).input("b", {4}).output("y");
  m.node("Add", {"a", "b"}, {"y"}, "add");
  const std::string msg = message_of<InvalidArgument>([&] { (void)prepare(m.model()); });
  EXPECT_NE(msg.find("one input"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2"), std::string::npos) << msg;
}

}  // namespace
}  // namespace quantlab::ptq::test
