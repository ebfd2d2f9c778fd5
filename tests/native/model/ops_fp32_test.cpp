// The fp32 ONNX ops (core/src/model/ops): small hand-computed cases, awkward
// shapes (odd sizes, broadcasting across ranks, negative axes), unknown dims
// in shape inference, the refusals by name, and sweeps of Conv, Gemm, MatMul
// and the pools against naive double-precision references written here.
//
// Every case goes through the op's three steps (infer, build, run) twice: once
// with all inputs as run-time values and once with all of them constant (so
// weights are packed in build()); both must agree bit for bit, and the
// inferred types and known dims must match what the run produced.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

// The op interface is internal to the core (core/src): reached by path.
#include "../../../core/src/model/ops/conv_f32.h"
#include "../../../core/src/model/ops/op.h"
#include "quantlab/error.h"
#include "quantlab/kernels/isa.h"

namespace quantlab::model {
namespace {

using Shape = std::vector<std::int64_t>;
using Floats = std::vector<float>;

// ============================================================================
// Harness
// ============================================================================

Attribute attr_i(const std::string& name, std::int64_t v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::int_;
  a.i = v;
  return a;
}
Attribute attr_is(const std::string& name, std::vector<std::int64_t> v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::ints;
  a.ints = std::move(v);
  return a;
}
Attribute attr_f(const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::float_;
  a.f = v;
  return a;
}
Attribute attr_fs(const std::string& name, std::vector<float> v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::floats;
  a.floats = std::move(v);
  return a;
}
Attribute attr_s(const std::string& name, const std::string& v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::string;
  a.s = v;
  return a;
}
Attribute attr_t(const std::string& name, Tensor v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::tensor;
  a.t = std::move(v);
  return a;
}

/// A node of `op_type` with `inputs` inputs (names in0, in1, ...; absent ones
/// are marked with kAbsent at run) and `outputs` outputs.
Node make_node(const std::string& op_type, std::size_t inputs, std::vector<Attribute> attrs = {},
               std::size_t outputs = 1) {
  Node n;
  n.name = "t";
  n.op_type = op_type;
  for (std::size_t i = 0; i < inputs; ++i) n.inputs.push_back("in" + std::to_string(i));
  for (std::size_t i = 0; i < outputs; ++i) n.outputs.push_back("out" + std::to_string(i));
  n.attributes = std::move(attrs);
  return n;
}

Tensor F(Shape shape, const Floats& v) { return Tensor::from<float>(std::move(shape), v); }
Tensor I64(Shape shape, const std::vector<std::int64_t>& v) { return Tensor::from<std::int64_t>(std::move(shape), v); }
Tensor I32(Shape shape, const std::vector<std::int32_t>& v) { return Tensor::from<std::int32_t>(std::move(shape), v); }
/// An absent optional input.
const Tensor kAbsent;

/// 0, 1, 2, ... as floats.
Floats iota(std::size_t n, float start = 0.0f) {
  Floats v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

Floats random_floats(std::size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  Floats v(n);
  for (float& x : v) x = d(rng);
  return v;
}

Floats values(const Tensor& t) {
  const float* p = t.data<float>();
  return Floats(p, p + t.size());
}

/// Checks the inferred type and known dims against a run's output.
void expect_inferred(const TypeShape& inferred, const Tensor& actual, std::size_t index) {
  EXPECT_EQ(inferred.type, actual.type()) << "output " << index;
  if (!inferred.rank_known) return;
  ASSERT_EQ(inferred.shape.size(), actual.rank()) << "output " << index << ": inferred " << shape_string(inferred.shape)
                                                  << ", got " << shape_string(actual.shape());
  for (std::size_t d = 0; d < actual.rank(); ++d) {
    if (inferred.shape[d] >= 0) {
      EXPECT_EQ(inferred.shape[d], actual.dim(d)) << "output " << index << " dim " << d << ": inferred "
                                                 << shape_string(inferred.shape) << ", got " << shape_string(actual.shape());
    }
  }
}

/// Infers, builds and runs `node` once; inputs are constants (value set) when `constant`.
std::vector<Tensor> run_once(const Node& node, const std::vector<Tensor>& inputs, std::int64_t opset, bool constant) {
  const OpDef* def = find_op(node.domain, node.op_type);
  if (def == nullptr) {
    ADD_FAILURE() << node.op_type << " is not registered";
    return {};
  }
  std::vector<TypeShape> shapes(inputs.size());
  std::vector<const TypeShape*> shape_ptrs(inputs.size(), nullptr);
  std::vector<const Tensor*> tensor_ptrs(inputs.size(), nullptr);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].empty()) continue;
    shapes[i] = TypeShape::of(inputs[i]);
    if (!constant) shapes[i].value = nullptr;
    shape_ptrs[i] = &shapes[i];
    tensor_ptrs[i] = &inputs[i];
  }
  InferContext ictx{node, opset, shape_ptrs, {}};
  def->infer(ictx);
  BuildContext bctx{node, opset, shape_ptrs};
  const std::unique_ptr<Kernel> kernel = def->build(bctx);
  RunContext rctx{node, tensor_ptrs, std::vector<Tensor>(node.outputs.size())};
  kernel->run(rctx);
  for (std::size_t i = 0; i < rctx.outputs.size() && i < ictx.outputs.size(); ++i)
    if (!node.outputs[i].empty()) expect_inferred(ictx.outputs[i], rctx.outputs[i], i);
  return std::move(rctx.outputs);
}

/// Runs `node` with run-time inputs and again with constant inputs; both
/// must give the same bytes. Returns the outputs.
std::vector<Tensor> run_op(const Node& node, const std::vector<Tensor>& inputs, std::int64_t opset = 17) {
  std::vector<Tensor> dynamic = run_once(node, inputs, opset, false);
  const std::vector<Tensor> constant = run_once(node, inputs, opset, true);
  EXPECT_EQ(dynamic.size(), constant.size());
  for (std::size_t i = 0; i < dynamic.size() && i < constant.size(); ++i) {
    EXPECT_EQ(dynamic[i].type(), constant[i].type());
    EXPECT_EQ(dynamic[i].shape(), constant[i].shape());
    if (dynamic[i].byte_size() == constant[i].byte_size() && dynamic[i].byte_size() > 0) {
      EXPECT_EQ(0, std::memcmp(dynamic[i].bytes(), constant[i].bytes(), dynamic[i].byte_size()))
          << node.op_type << " output " << i << " differs between constant and run-time inputs";
    }
  }
  return dynamic;
}

Tensor run1(const Node& node, const std::vector<Tensor>& inputs, std::int64_t opset = 17) {
  std::vector<Tensor> out = run_op(node, inputs, opset);
  return out.empty() ? Tensor() : std::move(out[0]);
}

/// Shape inference alone, from hand-made input types.
std::vector<TypeShape> infer(const Node& node, const std::vector<TypeShape>& inputs, std::int64_t opset = 17) {
  const OpDef* def = find_op(node.domain, node.op_type);
  EXPECT_NE(def, nullptr);
  std::vector<const TypeShape*> ptrs;
  for (const TypeShape& t : inputs) ptrs.push_back(t.type == DataType::undefined ? nullptr : &t);
  InferContext ctx{node, opset, ptrs, {}};
  def->infer(ctx);
  return ctx.outputs;
}

TypeShape ts(DataType type, Shape shape) { return TypeShape::make(type, std::move(shape)); }
TypeShape ts_unknown_rank(DataType type) { return TypeShape{type, false, {}, nullptr}; }

void expect_floats_near(const Tensor& t, const Shape& shape, const Floats& expected, float tol = 1e-6f) {
  ASSERT_EQ(t.type(), DataType::float32);
  ASSERT_EQ(t.shape(), shape);
  const Floats got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0f, std::fabs(expected[i]))) << "at " << i;
}

/// The message of the exception `f` throws as E ("" when it does not throw E).
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

// Float results against double references: the sum of K products is off by at
// most (K + 1)·2^-24 of the sum of magnitudes (eq. K2 of core/docs/kernels.md);
// a factor 4 covers the reference's own rounding to float.
float sum_tolerance(std::size_t terms, double magnitude) {
  return static_cast<float>(4.0 * static_cast<double>(terms + 1) * std::ldexp(1.0, -24) * magnitude) + 1e-7f;
}

// ============================================================================
// Registry
// ============================================================================

TEST(OpsF32Registry, EveryOpIsRegisteredWithItsEarliestOpset) {
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"Conv", 1}, {"ConvTranspose", 1}, {"Gemm", 1}, {"MatMul", 1}, {"Add", 1}, {"Sub", 1}, {"Mul", 1}, {"Div", 1}, {"Pow", 1},
      {"PRelu", 1}, {"Relu", 1}, {"LeakyRelu", 1}, {"Clip", 1}, {"Sigmoid", 1}, {"Tanh", 1}, {"Erf", 9},
      {"Sqrt", 1}, {"Exp", 1}, {"Log", 1}, {"Neg", 1}, {"Abs", 1}, {"Reciprocal", 1}, {"MaxPool", 1},
      {"AveragePool", 1}, {"GlobalAveragePool", 1}, {"GlobalMaxPool", 1}, {"BatchNormalization", 1},
      {"Flatten", 1}, {"Reshape", 5}, {"Transpose", 1}, {"Concat", 1}, {"Squeeze", 1}, {"Unsqueeze", 1},
      {"Gather", 1}, {"Shape", 1}, {"Constant", 1}, {"Identity", 1}, {"Dropout", 1}, {"Softmax", 1},
      {"LogSoftmax", 1}};
  for (const auto& [op, min_opset] : expected) {
    const OpDef* def = find_op("", op);
    ASSERT_NE(def, nullptr) << op;
    EXPECT_EQ(def->min_opset, min_opset) << op;
    EXPECT_EQ(find_op("ai.onnx", op), def) << op;
  }
}

// ============================================================================
// Conv
// ============================================================================

struct ConvCase {
  std::int64_t batch = 1, in_c = 1, in_h = 5, in_w = 5, out_c = 1, groups = 1;
  std::int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  std::int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  bool bias = true;
  std::int64_t out_h() const { return (in_h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  std::int64_t out_w() const { return (in_w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
  std::string str() const {
    return "N" + std::to_string(batch) + " C" + std::to_string(in_c) + " " + std::to_string(in_h) + "x" +
           std::to_string(in_w) + " O" + std::to_string(out_c) + " g" + std::to_string(groups) + " k" +
           std::to_string(kh) + "x" + std::to_string(kw) + " s" + std::to_string(sh) + "," + std::to_string(sw) +
           " d" + std::to_string(dh) + "," + std::to_string(dw) + " p" + std::to_string(pt) + "," +
           std::to_string(pl) + "," + std::to_string(pb) + "," + std::to_string(pr);
  }
};

/// Naive NCHW convolution in double; `magnitude` gets Σ|w·x| + |b| per output.
std::vector<double> reference_conv(const ConvCase& c, const Floats& x, const Floats& w, const Floats& b,
                                   std::vector<double>* magnitude) {
  const std::int64_t oh = c.out_h(), ow = c.out_w(), cg = c.in_c / c.groups, og = c.out_c / c.groups;
  std::vector<double> y(static_cast<std::size_t>(c.batch * c.out_c * oh * ow));
  if (magnitude) magnitude->assign(y.size(), 0.0);
  for (std::int64_t n = 0; n < c.batch; ++n)
    for (std::int64_t o = 0; o < c.out_c; ++o)
      for (std::int64_t oy = 0; oy < oh; ++oy)
        for (std::int64_t ox = 0; ox < ow; ++ox) {
          double acc = c.bias ? b[static_cast<std::size_t>(o)] : 0.0, mag = std::fabs(acc);
          const std::int64_t g = o / og;
          for (std::int64_t ci = 0; ci < cg; ++ci)
            for (std::int64_t ky = 0; ky < c.kh; ++ky)
              for (std::int64_t kx = 0; kx < c.kw; ++kx) {
                const std::int64_t iy = oy * c.sh + ky * c.dh - c.pt, ix = ox * c.sw + kx * c.dw - c.pl;
                if (iy < 0 || ix < 0 || iy >= c.in_h || ix >= c.in_w) continue;
                const double xv = x[static_cast<std::size_t>(((n * c.in_c + g * cg + ci) * c.in_h + iy) * c.in_w + ix)];
                const double wv = w[static_cast<std::size_t>(((o * cg + ci) * c.kh + ky) * c.kw + kx)];
                acc += xv * wv;
                mag += std::fabs(xv * wv);
              }
          const auto i = static_cast<std::size_t>(((n * c.out_c + o) * oh + oy) * ow + ox);
          y[i] = acc;
          if (magnitude) (*magnitude)[i] = mag;
        }
  return y;
}

Node conv_node(const ConvCase& c, bool one_d = false) {
  std::vector<Attribute> attrs;
  if (one_d) {
    attrs = {attr_is("kernel_shape", {c.kw}), attr_is("strides", {c.sw}), attr_is("dilations", {c.dw}),
             attr_is("pads", {c.pl, c.pr}), attr_i("group", c.groups)};
  } else {
    attrs = {attr_is("kernel_shape", {c.kh, c.kw}), attr_is("strides", {c.sh, c.sw}),
             attr_is("dilations", {c.dh, c.dw}), attr_is("pads", {c.pt, c.pl, c.pb, c.pr}), attr_i("group", c.groups)};
  }
  return make_node("Conv", c.bias ? 3 : 2, attrs);
}

/// Runs one convolution case through the op and checks it against the reference.
void check_conv(const ConvCase& c, std::mt19937& rng) {
  SCOPED_TRACE(c.str());
  const Floats x = random_floats(static_cast<std::size_t>(c.batch * c.in_c * c.in_h * c.in_w), rng);
  const Floats w = random_floats(static_cast<std::size_t>(c.out_c * (c.in_c / c.groups) * c.kh * c.kw), rng);
  const Floats b = random_floats(static_cast<std::size_t>(c.out_c), rng);
  std::vector<Tensor> inputs{F({c.batch, c.in_c, c.in_h, c.in_w}, x), F({c.out_c, c.in_c / c.groups, c.kh, c.kw}, w)};
  if (c.bias) inputs.push_back(F({c.out_c}, b));
  const Tensor y = run1(conv_node(c), inputs);
  ASSERT_EQ(y.shape(), (Shape{c.batch, c.out_c, c.out_h(), c.out_w()}));
  std::vector<double> magnitude;
  const std::vector<double> ref = reference_conv(c, x, w, b, &magnitude);
  const Floats got = values(y);
  const auto terms = static_cast<std::size_t>((c.in_c / c.groups) * c.kh * c.kw);
  for (std::size_t i = 0; i < ref.size(); ++i)
    ASSERT_NEAR(got[i], ref[i], sum_tolerance(terms, magnitude[i])) << "output " << i;
}

TEST(OpsF32Conv, Padded3x3OfOnesSumsNeighbourhoods) {
  // ONNX backend test test_basic_conv_with_padding: x = 0..24, W = ones.
  const Node node = make_node("Conv", 2, {attr_is("kernel_shape", {3, 3}), attr_is("pads", {1, 1, 1, 1})});
  const Tensor y = run1(node, {F({1, 1, 5, 5}, iota(25)), F({1, 1, 3, 3}, Floats(9, 1.0f))});
  expect_floats_near(y, {1, 1, 5, 5}, {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81,
                                       93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
}

TEST(OpsF32Conv, UnpaddedAndStridedWithAsymmetricPads) {
  const Tensor ones = F({1, 1, 3, 3}, Floats(9, 1.0f));
  const Tensor y = run1(make_node("Conv", 2, {attr_is("kernel_shape", {3, 3})}), {F({1, 1, 5, 5}, iota(25)), ones});
  expect_floats_near(y, {1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162});
  // test_conv_with_strides_and_asymmetric_padding: 7×5 input, pads (1, 0, 1, 0), strides 2.
  const Node strided = make_node("Conv", 2, {attr_is("strides", {2, 2}), attr_is("pads", {1, 0, 1, 0})});
  expect_floats_near(run1(strided, {F({1, 1, 7, 5}, iota(35)), ones}), {1, 1, 4, 2}, {21, 33, 99, 117, 189, 207, 171, 183});
}

TEST(OpsF32Conv, AutoPadSameLowerSameUpperAndValid) {
  const Tensor x = F({1, 1, 5, 5}, iota(25));
  const Tensor ones = F({1, 1, 3, 3}, Floats(9, 1.0f));
  // test_conv_with_autopad_same: SAME_LOWER, stride 2 → 3×3 (total padding 2, split evenly).
  const Node lower = make_node("Conv", 2, {attr_s("auto_pad", "SAME_LOWER"), attr_is("strides", {2, 2})});
  expect_floats_near(run1(lower, {x, ones}), {1, 1, 3, 3}, {12, 27, 24, 63, 108, 81, 72, 117, 84});
  // A 2×2 kernel on 5×5 with stride 1 needs one row/column of padding:
  // SAME_UPPER puts it at the end, SAME_LOWER at the start.
  const Tensor ones2 = F({1, 1, 2, 2}, Floats(4, 1.0f));
  const Tensor upper = run1(make_node("Conv", 2, {attr_s("auto_pad", "SAME_UPPER")}), {x, ones2});
  const Tensor lower2 = run1(make_node("Conv", 2, {attr_s("auto_pad", "SAME_LOWER")}), {x, ones2});
  ASSERT_EQ(upper.shape(), (Shape{1, 1, 5, 5}));
  EXPECT_FLOAT_EQ(values(upper)[0], 0 + 1 + 5 + 6);   // window at rows 0-1, cols 0-1
  EXPECT_FLOAT_EQ(values(upper)[24], 24);              // bottom-right: only x[4][4]
  EXPECT_FLOAT_EQ(values(lower2)[0], 0);               // top-left: only x[0][0]
  EXPECT_FLOAT_EQ(values(lower2)[24], 18 + 19 + 23 + 24);
  const Tensor valid = run1(make_node("Conv", 2, {attr_s("auto_pad", "VALID"), attr_is("strides", {2, 2})}), {x, ones});
  expect_floats_near(valid, {1, 1, 2, 2}, {54, 72, 144, 162});
}

TEST(OpsF32Conv, BiasIsAddedPerOutputChannel) {
  // 1×1 kernel, two output channels: y[o] = w[o]·x + b[o].
  const Node node = make_node("Conv", 3);
  const Tensor y = run1(node, {F({1, 1, 1, 3}, {1, 2, 3}), F({2, 1, 1, 1}, {2, -1}), F({2}, {10, 100})});
  expect_floats_near(y, {1, 2, 1, 3}, {12, 14, 16, 99, 98, 97});
}

TEST(OpsF32Conv, SweepMatchesReference) {
  std::mt19937 rng(7);
  // Odd sizes, non-square kernels, strides, dilations, asymmetric pads,
  // several images, channel counts around the 4-row tile and the 8-pixel panel.
  const std::vector<ConvCase> cases = {
      {1, 1, 5, 5, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},
      {2, 3, 7, 5, 4, 1, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, true},     // test_Conv2d's shape
      {2, 3, 8, 8, 2, 1, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, false},    // dilated and strided
      {1, 5, 9, 11, 9, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},    // 9 output channels: partial row tile
      {3, 2, 6, 13, 17, 1, 5, 3, 2, 1, 1, 2, 2, 0, 1, 3, true},   // 13 wide, asymmetric pads
      {1, 8, 4, 4, 8, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true},     // pointwise
      {2, 16, 3, 5, 5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false},   // pointwise, 15 pixels
      {1, 4, 7, 7, 6, 2, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, true},     // groups = 2
      {2, 6, 6, 5, 9, 3, 3, 3, 2, 1, 1, 1, 1, 2, 0, 1, true},     // groups = 3, strides (2, 1)
      {1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true},     // a single pixel
      {1, 3, 2, 3, 4, 1, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, true},     // padding wider than the input
      {1, 2, 31, 33, 3, 1, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, true},   // stride 3, odd sizes
      {1, 64, 5, 6, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},    // deep K (577 with the bias row)
  };
  for (const ConvCase& c : cases) check_conv(c, rng);
}

TEST(OpsF32Conv, DepthwiseMultipliersAndSingleInputChannels) {
  // Depthwise with multipliers 1..3 takes the direct path, 4 and more (and a
  // single input channel with 16 outputs) the GEMM path with K = kh·kw + 1.
  std::mt19937 rng(11);
  const std::vector<ConvCase> cases = {
      {2, 4, 6, 6, 4, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, true},     // test_Conv2d_depthwise
      {2, 4, 6, 6, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},     // ..._padded
      {2, 4, 6, 6, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, true},     // ..._strided
      {2, 4, 6, 6, 8, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, true},     // ..._with_multiplier
      {1, 7, 13, 11, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false},  // 3×3 stride 2, odd sizes
      {1, 3, 9, 10, 3, 3, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, true},    // 5×5 (generic rows)
      {1, 3, 9, 10, 6, 3, 3, 3, 1, 3, 2, 2, 2, 1, 0, 3, true},    // dilated, stride (1, 3)
      {3, 1, 28, 28, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},  // a first layer: one input channel
      {1, 1, 9, 9, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},     // one input channel, 3 outputs: direct
      {2, 2, 7, 8, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},     // multiplier 3
      {1, 3, 7, 5, 12, 3, 3, 3, 2, 1, 1, 1, 0, 1, 2, 1, true},    // multiplier 4: per-group GEMM
      {1, 2, 5, 5, 2, 2, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0, true},     // 3×1 kernel
  };
  for (const ConvCase& c : cases) check_conv(c, rng);
}

TEST(OpsF32Conv, OneDimensionalRunsAsHeightOne) {
  std::mt19937 rng(3);
  for (const ConvCase& c : std::vector<ConvCase>{
           {2, 4, 1, 10, 5, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, true},   // test_Conv1d
           {2, 4, 1, 10, 5, 1, 1, 3, 1, 1, 1, 2, 0, 0, 0, 0, true},   // dilated
           {2, 4, 1, 6, 6, 2, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, true},    // groups
           {1, 4, 1, 1, 4, 1, 1, 5, 1, 1, 1, 1, 0, 2, 0, 2, true},    // pad2size1
           {2, 4, 1, 10, 5, 1, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, true},   // stride 2, padded
       }) {
    SCOPED_TRACE(c.str());
    const Floats x = random_floats(static_cast<std::size_t>(c.batch * c.in_c * c.in_w), rng);
    const Floats w = random_floats(static_cast<std::size_t>(c.out_c * (c.in_c / c.groups) * c.kw), rng);
    const Floats b = random_floats(static_cast<std::size_t>(c.out_c), rng);
    const Tensor y = run1(conv_node(c, true), {F({c.batch, c.in_c, c.in_w}, x), F({c.out_c, c.in_c / c.groups, c.kw}, w), F({c.out_c}, b)});
    ASSERT_EQ(y.shape(), (Shape{c.batch, c.out_c, c.out_w()}));
    std::vector<double> magnitude;
    const std::vector<double> ref = reference_conv(c, x, w, b, &magnitude);
    for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(values(y)[i], ref[i], sum_tolerance(12, magnitude[i]));
  }
}

TEST(OpsF32Conv, KernelShapeMayBeOmitted) {
  const Tensor y = run1(make_node("Conv", 2, {attr_is("pads", {1, 1, 1, 1})}),
                        {F({1, 1, 5, 5}, iota(25)), F({1, 1, 3, 3}, Floats(9, 1.0f))});
  EXPECT_FLOAT_EQ(values(y)[12], 108);
}

TEST(OpsF32Conv, InfersShapesWithUnknownBatchAndSize) {
  const Node node = make_node("Conv", 3, {attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1})});
  std::vector<TypeShape> out = infer(node, {ts(DataType::float32, {-1, 3, 28, -1}), ts(DataType::float32, {16, 3, 3, 3}),
                                            ts(DataType::float32, {16})});
  ASSERT_TRUE(out[0].rank_known);
  EXPECT_EQ(out[0].shape, (Shape{-1, 16, 14, -1}));
  out = infer(make_node("Conv", 2, {attr_s("auto_pad", "SAME_UPPER")}),
              {ts(DataType::float32, {1, 3, -1, 9}), ts(DataType::float32, {8, 3, 3, 3})});
  EXPECT_EQ(out[0].shape, (Shape{1, 8, -1, 9}));
  out = infer(make_node("Conv", 2), {ts_unknown_rank(DataType::float32), ts_unknown_rank(DataType::float32)});
  EXPECT_FALSE(out[0].rank_known);
  EXPECT_EQ(out[0].type, DataType::float32);
}

TEST(OpsF32Conv, RefusesThreeDimensionalKernelsByName) {
  const Node node = make_node("Conv", 2, {attr_is("kernel_shape", {2, 2, 2})});
  const std::vector<Tensor> in{F({1, 1, 3, 3, 3}, Floats(27, 1.0f)), F({1, 1, 2, 2, 2}, Floats(8, 1.0f))};
  const std::string msg = error_of<Unsupported>([&] { run_op(node, in); });
  EXPECT_NE(msg.find("3-D convolution"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel_shape"), std::string::npos) << msg;
}

TEST(OpsF32Conv, RejectsMismatchedChannelsAndBias) {
  const Node node = make_node("Conv", 3, {attr_i("group", 2)});
  EXPECT_THROW(run_op(node, {F({1, 3, 3, 3}, Floats(27)), F({2, 1, 1, 1}, Floats(2)), F({2}, Floats(2))}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Conv", 3), {F({1, 1, 3, 3}, Floats(9)), F({2, 1, 1, 1}, Floats(2)), F({3}, Floats(3))}),
               InvalidArgument);
  EXPECT_THROW(run_op(make_node("Conv", 2, {attr_is("kernel_shape", {3, 3})}), {F({1, 1, 2, 2}, Floats(4)), F({1, 1, 3, 3}, Floats(9))}),
               InvalidArgument);  // the kernel does not fit
  EXPECT_THROW(run_op(make_node("Conv", 2, {attr_s("auto_pad", "SAME")}), {F({1, 1, 3, 3}, Floats(9)), F({1, 1, 1, 1}, Floats(1))}),
               InvalidArgument);
}

TEST(OpsF32Conv, ScalarAndSimdKernelsAgreeBitForBit) {
  // Both instruction sets of the GEMM path (the direct path has no ISA variants).
  std::mt19937 rng(5);
  ops::ConvGeometry g;
  g.batch = 2;
  g.in_channels = 6;
  g.in_h = 9;
  g.in_w = 7;
  g.out_channels = 10;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  g.out_h = 9;
  g.out_w = 7;
  const Floats x = random_floats(g.batch * g.in_channels * g.in_h * g.in_w, rng);
  const Floats w = random_floats(g.out_channels * g.in_channels * 9, rng);
  const Floats b = random_floats(g.out_channels, rng);
  const ops::ConvWeightsF32 packed = ops::pack_conv_weights_f32(g, w.data(), b.data());
  std::vector<Floats> results;
  for (kernels::Isa isa : kernels::available_isas()) {
    Floats y(g.batch * g.out_channels * g.out_h * g.out_w, -7.0f);
    ops::conv2d_f32_nchw(g, packed, x.data(), y.data(), kernels::F32MinMax{-0.5f, 0.5f}, isa);
    for (float v : y) ASSERT_TRUE(v >= -0.5f && v <= 0.5f);  // the fused clamp
    results.push_back(y);
  }
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i], results[0]);
}

// ============================================================================
// ConvTranspose
// ============================================================================

struct TransposeCase {
  std::int64_t batch = 1, in_c = 1, in_h = 3, in_w = 3, out_per_group = 2, groups = 1;
  std::int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  std::int64_t pt = 0, pl = 0, pb = 0, pr = 0, oph = 0, opw = 0;
  std::int64_t out_h() const { return sh * (in_h - 1) + oph + (kh - 1) * dh + 1 - pt - pb; }
  std::int64_t out_w() const { return sw * (in_w - 1) + opw + (kw - 1) * dw + 1 - pl - pr; }
};

/// Naive transposed convolution: every input value scattered over its window.
std::vector<double> reference_conv_transpose(const TransposeCase& c, const Floats& x, const Floats& w, const Floats& b) {
  const std::int64_t oc = c.out_per_group * c.groups, oh = c.out_h(), ow = c.out_w(), cg = c.in_c / c.groups;
  std::vector<double> y(static_cast<std::size_t>(c.batch * oc * oh * ow));
  for (std::int64_t n = 0; n < c.batch; ++n)
    for (std::int64_t o = 0; o < oc; ++o)
      for (std::int64_t i = 0; i < oh * ow; ++i) y[static_cast<std::size_t>((n * oc + o) * oh * ow + i)] = b[static_cast<std::size_t>(o)];
  for (std::int64_t n = 0; n < c.batch; ++n)
    for (std::int64_t ci = 0; ci < c.in_c; ++ci)
      for (std::int64_t iy = 0; iy < c.in_h; ++iy)
        for (std::int64_t ix = 0; ix < c.in_w; ++ix) {
          const double v = x[static_cast<std::size_t>(((n * c.in_c + ci) * c.in_h + iy) * c.in_w + ix)];
          const std::int64_t g = ci / cg;
          for (std::int64_t co = 0; co < c.out_per_group; ++co)
            for (std::int64_t ky = 0; ky < c.kh; ++ky)
              for (std::int64_t kx = 0; kx < c.kw; ++kx) {
                const std::int64_t oy = iy * c.sh - c.pt + ky * c.dh, ox = ix * c.sw - c.pl + kx * c.dw;
                if (oy < 0 || ox < 0 || oy >= oh || ox >= ow) continue;
                const double wv = w[static_cast<std::size_t>(((ci * c.out_per_group + co) * c.kh + ky) * c.kw + kx)];
                y[static_cast<std::size_t>(((n * oc + g * c.out_per_group + co) * oh + oy) * ow + ox)] += v * wv;
              }
        }
  return y;
}

TEST(OpsF32ConvTranspose, HandCaseFromTheBackendTests) {
  // test_convtranspose: x = 0..8 (3×3), W = ones (1×2×3×3): each output sums the inputs whose window covers it.
  const Tensor y = run1(make_node("ConvTranspose", 2), {F({1, 1, 3, 3}, iota(9)), F({1, 2, 3, 3}, Floats(18, 1.0f))});
  const Floats plane = {0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
  Floats both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  expect_floats_near(y, {1, 2, 5, 5}, both);
  // test_convtranspose_autopad_same: SAME_UPPER, stride 2 → 6×6, the odd padding at the end.
  const Tensor same = run1(make_node("ConvTranspose", 2, {attr_s("auto_pad", "SAME_UPPER"), attr_is("strides", {2, 2})}),
                           {F({1, 1, 3, 3}, iota(9)), F({1, 2, 3, 3}, Floats(18, 1.0f))});
  ASSERT_EQ(same.shape(), (Shape{1, 2, 6, 6}));
  const Floats got = values(same);
  EXPECT_EQ(Floats(got.begin(), got.begin() + 6), (Floats{0, 0, 1, 1, 3, 2}));
}

TEST(OpsF32ConvTranspose, SweepMatchesReference) {
  std::mt19937 rng(12);
  const std::vector<TransposeCase> cases = {
      {1, 3, 7, 6, 4, 1, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1},  // test_ConvTranspose2d
      {2, 4, 5, 4, 3, 2, 2, 3, 2, 1, 1, 2, 0, 1, 1, 0, 1, 0},  // groups, dilation, output_padding
      {1, 2, 1, 1, 5, 1, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0},  // one pixel
      {1, 6, 4, 3, 1, 3, 3, 1, 1, 3, 1, 1, 1, 0, 1, 0, 0, 2},
  };
  for (const TransposeCase& c : cases) {
    const Floats x = random_floats(static_cast<std::size_t>(c.batch * c.in_c * c.in_h * c.in_w), rng);
    const Floats w = random_floats(static_cast<std::size_t>(c.in_c * c.out_per_group * c.kh * c.kw), rng);
    const Floats b = random_floats(static_cast<std::size_t>(c.out_per_group * c.groups), rng);
    const Node node = make_node("ConvTranspose", 3, {attr_is("strides", {c.sh, c.sw}), attr_is("dilations", {c.dh, c.dw}),
                                                    attr_is("pads", {c.pt, c.pl, c.pb, c.pr}), attr_is("output_padding", {c.oph, c.opw}),
                                                    attr_i("group", c.groups)});
    const Tensor y = run1(node, {F({c.batch, c.in_c, c.in_h, c.in_w}, x), F({c.in_c, c.out_per_group, c.kh, c.kw}, w),
                                 F({c.out_per_group * c.groups}, b)});
    ASSERT_EQ(y.shape(), (Shape{c.batch, c.out_per_group * c.groups, c.out_h(), c.out_w()}));
    const std::vector<double> ref = reference_conv_transpose(c, x, w, b);
    for (std::size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(values(y)[i], ref[i], 1e-5) << i;
  }
}

TEST(OpsF32ConvTranspose, OutputShapeOneDimensionalAndRefusals) {
  // test_convtranspose_output_shape: output_shape 10×8 one beyond the full 9×7 output.
  const Node node = make_node("ConvTranspose", 2, {attr_is("strides", {3, 2}), attr_is("output_shape", {10, 8})});
  const Tensor y = run1(node, {F({1, 1, 3, 3}, iota(9)), F({1, 2, 3, 3}, Floats(18, 1.0f))});
  ASSERT_EQ(y.shape(), (Shape{1, 2, 10, 8}));
  EXPECT_FLOAT_EQ(values(y)[9 * 8], 0.0f);  // the extra row holds only the (absent) bias
  // 1-D (test_convtranspose_1d): x = 0, 1, 2, W = ones (1×2×3).
  expect_floats_near(run1(make_node("ConvTranspose", 2), {F({1, 1, 3}, {0, 1, 2}), F({1, 2, 3}, Floats(6, 1.0f))}), {1, 2, 5},
                     {0, 1, 3, 3, 2, 0, 1, 3, 3, 2});
  const std::string msg = error_of<Unsupported>(
      [&] { run_op(make_node("ConvTranspose", 2), {F({1, 1, 2, 2, 2}, Floats(8)), F({1, 1, 2, 2, 2}, Floats(8))}); });
  EXPECT_NE(msg.find("3-D"), std::string::npos) << msg;
  const std::vector<TypeShape> out = infer(make_node("ConvTranspose", 2, {attr_is("strides", {2, 2})}),
                                           {ts(DataType::float32, {-1, 4, 7, -1}), ts(DataType::float32, {4, 3, 3, 3})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 3, 15, -1}));
}

// ============================================================================
// Gemm, MatMul
// ============================================================================

/// Naive C = alpha·A'·B' + beta·C in double.
std::vector<double> reference_gemm(std::size_t m, std::size_t k, std::size_t n, const Floats& a, bool ta, const Floats& b,
                                   bool tb, float alpha, float beta, const Floats& c, const Shape& c_shape) {
  std::vector<double> y(m * n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) s += double(ta ? a[p * m + i] : a[i * k + p]) * double(tb ? b[j * k + p] : b[p * n + j]);
      double cv = 0;
      if (!c.empty()) {
        const std::size_t ci = c_shape.size() == 2 ? (c_shape[0] == 1 ? 0 : i) : 0;
        const std::size_t cj = c_shape.empty() || c_shape.back() == 1 ? 0 : j;
        cv = c[ci * (c_shape.empty() || c_shape.back() == 1 ? 1 : n) + cj];
      }
      y[i * n + j] = alpha * s + beta * cv;
    }
  return y;
}

TEST(OpsF32Gemm, HandComputedWithTransposesAlphaAndBeta) {
  // A = [[1,2],[3,4]], B = [[5,6],[7,8]]: A·B = [[19,22],[43,50]].
  const Tensor a = F({2, 2}, {1, 2, 3, 4}), b = F({2, 2}, {5, 6, 7, 8});
  expect_floats_near(run1(make_node("Gemm", 2), {a, b}), {2, 2}, {19, 22, 43, 50});
  // Aᵀ·B = [[26,30],[38,44]]; A·Bᵀ = [[17,23],[39,53]].
  expect_floats_near(run1(make_node("Gemm", 2, {attr_i("transA", 1)}), {a, b}), {2, 2}, {26, 30, 38, 44});
  expect_floats_near(run1(make_node("Gemm", 2, {attr_i("transB", 1)}), {a, b}), {2, 2}, {17, 23, 39, 53});
  // 0.5·A·B + 2·[10, 20]
  const Node scaled = make_node("Gemm", 3, {attr_f("alpha", 0.5f), attr_f("beta", 2.0f)});
  expect_floats_near(run1(scaled, {a, b, F({2}, {10, 20})}), {2, 2}, {29.5f, 51, 41.5f, 65});
}

TEST(OpsF32Gemm, EveryBiasShapeBroadcasts) {
  std::mt19937 rng(1);
  const std::size_t m = 5, k = 7, n = 11;
  const Floats a = random_floats(m * k, rng), b = random_floats(k * n, rng);
  for (const Shape& c_shape : std::vector<Shape>{{}, {1}, {11}, {1, 1}, {1, 11}, {5, 1}, {5, 11}}) {
    SCOPED_TRACE(shape_string(c_shape));
    const Floats c = random_floats(static_cast<std::size_t>(element_count(c_shape)), rng);
    const Node node = make_node("Gemm", 3, {attr_f("beta", 0.75f)});
    const Tensor y = run1(node, {F({5, 7}, a), F({7, 11}, b), F(c_shape, c)});
    const std::vector<double> ref = reference_gemm(m, k, n, a, false, b, false, 1.0f, 0.75f, c, c_shape);
    for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(values(y)[i], ref[i], 1e-5);
  }
}

TEST(OpsF32Gemm, SweepOfShapesAndTransposes) {
  std::mt19937 rng(2);
  for (std::size_t m : {1, 3, 4, 9}) {
    for (std::size_t n : {1, 7, 8, 33}) {
      for (std::size_t k : {1, 5, 16, 67}) {
        for (int t = 0; t < 4; ++t) {
          const bool ta = t & 1, tb = t & 2;
          SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + " transA " + std::to_string(ta) +
                       " transB " + std::to_string(tb));
          const Floats a = random_floats(m * k, rng), b = random_floats(k * n, rng), c = random_floats(n, rng);
          const auto M = static_cast<std::int64_t>(m), K = static_cast<std::int64_t>(k), N = static_cast<std::int64_t>(n);
          const Node node = make_node("Gemm", 3, {attr_i("transA", ta), attr_i("transB", tb), attr_f("alpha", 1.5f), attr_f("beta", -1.0f)});
          const Tensor y = run1(node, {F(ta ? Shape{K, M} : Shape{M, K}, a), F(tb ? Shape{N, K} : Shape{K, N}, b), F({N}, c)});
          const std::vector<double> ref = reference_gemm(m, k, n, a, ta, b, tb, 1.5f, -1.0f, c, {N});
          ASSERT_EQ(y.shape(), (Shape{M, N}));
          for (std::size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(values(y)[i], ref[i], 1e-4) << i;
        }
      }
    }
  }
}

TEST(OpsF32Gemm, OpsetSixBroadcastZeroNeedsAnMByNBias) {
  // broadcast = 0 with C already M×N (test_operator_addmm) needs no broadcasting.
  const Node node = make_node("Gemm", 3, {attr_i("broadcast", 0)});
  expect_floats_near(run1(node, {F({2, 1}, {1, 2}), F({1, 2}, {3, 4}), F({2, 2}, {1, 2, 3, 4})}, 6), {2, 2}, {4, 6, 9, 12});
  // Any other C would need the broadcasting the attribute turns off: refused by name.
  const std::vector<Tensor> in{F({1, 2}, {1, 2}), F({2, 3}, Floats(6)), F({3}, {5, 6, 7})};
  const std::string msg = error_of<Unsupported>([&] { run_op(node, in, 6); });
  EXPECT_NE(msg.find("'broadcast'"), std::string::npos) << msg;
  // broadcast = 1 (PyTorch's Linear export at opset 6) works.
  const Node linear = make_node("Gemm", 3, {attr_i("broadcast", 1), attr_i("transB", 1)});
  expect_floats_near(run1(linear, {F({1, 2}, {1, 2}), F({1, 2}, {3, 4}), F({1}, {5})}, 6), {1, 1}, {16});
}

TEST(OpsF32Gemm, RejectsMismatchedInnerDims) {
  EXPECT_THROW(run_op(make_node("Gemm", 2), {F({2, 3}, Floats(6)), F({2, 3}, Floats(6))}), InvalidArgument);
  const std::vector<TypeShape> out = infer(make_node("Gemm", 2, {attr_i("transA", 1)}),
                                           {ts(DataType::float32, {7, -1}), ts(DataType::float32, {7, 4})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 4}));
}

/// Naive numpy matmul of row-major a (batch_a × m × k) and b, broadcasting batches.
std::vector<double> reference_matmul(const Shape& as, const Floats& a, const Shape& bs, const Floats& b, const Shape& ys) {
  Shape a2 = as, b2 = bs;
  if (a2.size() == 1) a2.insert(a2.begin(), 1);
  if (b2.size() == 1) b2.push_back(1);
  const std::int64_t m = a2[a2.size() - 2], k = a2.back(), n = b2.back();
  const std::size_t rank = std::max(a2.size(), b2.size()) - 2;
  Shape batch(rank, 1);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a2.size() - 2 >= rank ? a2[i + a2.size() - 2 - rank] : 1;
    const std::int64_t db = i + b2.size() - 2 >= rank ? b2[i + b2.size() - 2 - rank] : 1;
    batch[i] = std::max(da, db);
  }
  std::vector<double> y;
  const std::int64_t batches = element_count(batch);
  for (std::int64_t t = 0; t < batches; ++t) {
    // Index of batch t in a and in b (broadcast dims read index 0).
    std::int64_t rest = t, ia = 0, ib = 0, sa = 1, sb = 1;
    for (std::size_t i = rank; i-- > 0;) {
      const std::int64_t idx = rest % batch[i];
      rest /= batch[i];
      const std::int64_t da = i + a2.size() - 2 >= rank ? a2[i + a2.size() - 2 - rank] : 1;
      const std::int64_t db = i + b2.size() - 2 >= rank ? b2[i + b2.size() - 2 - rank] : 1;
      ia += (da == 1 ? 0 : idx) * sa;
      ib += (db == 1 ? 0 : idx) * sb;
      sa *= da;
      sb *= db;
    }
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::int64_t p = 0; p < k; ++p)
          s += double(a[static_cast<std::size_t>((ia * m + i) * k + p)]) * double(b[static_cast<std::size_t>((ib * k + p) * n + j)]);
        y.push_back(s);
      }
  }
  EXPECT_EQ(static_cast<std::int64_t>(y.size()), element_count(ys));
  return y;
}

TEST(OpsF32MatMul, NumpyShapesIncludingVectorsAndBroadcastBatches) {
  std::mt19937 rng(4);
  const std::vector<std::tuple<Shape, Shape, Shape>> cases = {
      {{3, 4}, {4, 3}, {3, 3}},              // test_matmul_2d
      {{2, 3, 4}, {2, 4, 3}, {2, 3, 3}},     // test_matmul_3d
      {{1, 2, 3, 4}, {1, 2, 4, 3}, {1, 2, 3, 3}},
      {{4}, {4, 5}, {5}},                    // vector · matrix
      {{5, 4}, {4}, {5}},                    // matrix · vector
      {{7}, {7}, {}},                        // dot product: a scalar
      {{2, 5, 3}, {3, 9}, {2, 5, 9}},        // batch folds into M (one packed B)
      {{2, 1, 3, 4}, {3, 4, 5}, {2, 3, 3, 5}},  // batch dims broadcast both ways
      {{3, 4}, {2, 4, 6}, {2, 3, 6}},        // A broadcast over B's batch
      {{2, 3, 4}, {4}, {2, 3}},
      {{1, 9}, {9, 17}, {1, 17}},            // batch 1: the matrix-vector kernel
  };
  for (const auto& [as, bs, ys] : cases) {
    SCOPED_TRACE(shape_string(as) + " · " + shape_string(bs));
    const Floats a = random_floats(static_cast<std::size_t>(element_count(as)), rng);
    const Floats b = random_floats(static_cast<std::size_t>(element_count(bs)), rng);
    const Tensor y = run1(make_node("MatMul", 2), {F(as, a), F(bs, b)});
    ASSERT_EQ(y.shape(), ys);
    const std::vector<double> ref = reference_matmul(as, a, bs, b, ys);
    for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(values(y)[i], ref[i], 1e-5) << i;
  }
}

TEST(OpsF32MatMul, InfersUnknownBatchAndRejectsBadShapes) {
  std::vector<TypeShape> out = infer(make_node("MatMul", 2), {ts(DataType::float32, {-1, 8, 16}), ts(DataType::float32, {16, 4})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 8, 4}));
  out = infer(make_node("MatMul", 2), {ts_unknown_rank(DataType::float32), ts(DataType::float32, {16, 4})});
  EXPECT_FALSE(out[0].rank_known);
  EXPECT_THROW(run_op(make_node("MatMul", 2), {F({2, 3}, Floats(6)), F({2, 3}, Floats(6))}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("MatMul", 2), {F({2, 2, 3}, Floats(12)), F({3, 3, 1}, Floats(9))}), InvalidArgument);
}

TEST(OpsF32MatMul, EmptyInnerDimGivesZeros) {
  const Tensor y = run1(make_node("MatMul", 2), {F({2, 0}, {}), F({0, 3}, {})});
  expect_floats_near(y, {2, 3}, Floats(6, 0.0f));
}

// ============================================================================
// Elementwise binary ops
// ============================================================================

TEST(OpsF32Elementwise, SameShapeAndScalar) {
  const Tensor a = F({2, 3}, {1, 2, 3, 4, 5, 6}), b = F({2, 3}, {6, 5, 4, 3, 2, 1});
  expect_floats_near(run1(make_node("Add", 2), {a, b}), {2, 3}, Floats(6, 7));
  expect_floats_near(run1(make_node("Sub", 2), {a, b}), {2, 3}, {-5, -3, -1, 1, 3, 5});
  expect_floats_near(run1(make_node("Mul", 2), {a, b}), {2, 3}, {6, 10, 12, 12, 10, 6});
  expect_floats_near(run1(make_node("Div", 2), {a, F({}, {2})}), {2, 3}, {0.5f, 1, 1.5f, 2, 2.5f, 3});
  expect_floats_near(run1(make_node("Sub", 2), {F({1}, {10}), a}), {2, 3}, {9, 8, 7, 6, 5, 4});
}

TEST(OpsF32Elementwise, BroadcastsAcrossRanksBothWays) {
  // [2,1,3] + [4,1]: out[i][j][k] = a[i][0][k] + b[j][0].
  const Tensor a = F({2, 1, 3}, {0, 1, 2, 10, 11, 12}), b = F({4, 1}, {100, 200, 300, 400});
  Floats expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) expected.push_back(float(i * 10 + k + (j + 1) * 100));
  expect_floats_near(run1(make_node("Add", 2), {a, b}), {2, 4, 3}, expected);
  // Per-channel (N×C×H×W with C×1×1), the BatchNorm-like pattern.
  const Tensor x = F({2, 3, 2, 2}, iota(24));
  const Tensor y = run1(make_node("Mul", 2), {x, F({3, 1, 1}, {1, 10, 100})});
  for (std::size_t i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(values(y)[i], float(i) * std::pow(10.0f, float((i / 4) % 3)));
  // Last-dim vector (test_add_bcast) and a middle-dim one.
  const Tensor z = run1(make_node("Sub", 2), {F({2, 3, 2}, iota(12)), F({3, 1}, {1, 2, 3})});
  expect_floats_near(z, {2, 3, 2}, {-1, 0, 0, 1, 1, 2, 5, 6, 6, 7, 7, 8});
}

TEST(OpsF32Elementwise, Int64ShapeArithmeticAndWrapping) {
  const Tensor a = I64({3}, {7, -7, 9}), b = I64({3}, {2, 2, -3});
  EXPECT_EQ(run1(make_node("Add", 2), {a, b}).to_int64(), (std::vector<std::int64_t>{9, -5, 6}));
  EXPECT_EQ(run1(make_node("Mul", 2), {a, b}).to_int64(), (std::vector<std::int64_t>{14, -14, -27}));
  EXPECT_EQ(run1(make_node("Div", 2), {a, b}).to_int64(), (std::vector<std::int64_t>{3, -3, -3}));  // truncates
  EXPECT_EQ(run1(make_node("Sub", 2), {a, I64({}, {1})}).to_int64(), (std::vector<std::int64_t>{6, -8, 8}));
  const Tensor big = I32({2}, {std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min()});
  EXPECT_EQ(run1(make_node("Add", 2), {big, I32({}, {1})}).to_int64(),
            (std::vector<std::int64_t>{std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::min() + 1}));
  EXPECT_EQ(run1(make_node("Div", 2), {big, I32({}, {-1})}).to_int64()[1], std::numeric_limits<std::int32_t>::min());
  const Tensor u8 = Tensor::from<std::uint8_t>({2}, {250, 3});
  EXPECT_EQ(run1(make_node("Add", 2), {u8, Tensor::from<std::uint8_t>({2}, {10, 4})}).to_int64(), (std::vector<std::int64_t>{4, 7}));
  EXPECT_EQ(run1(make_node("Mul", 2), {u8, Tensor::from<std::uint8_t>({2}, {2, 4})}).to_int64(), (std::vector<std::int64_t>{244, 12}));
}

TEST(OpsF32Elementwise, RejectsZeroDivisorMixedTypesAndBadShapes) {
  EXPECT_THROW(run_op(make_node("Div", 2), {I64({2}, {1, 2}), I64({2}, {1, 0})}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Add", 2), {F({2}, {1, 2}), I64({2}, {1, 2})}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Add", 2), {F({2, 3}, Floats(6)), F({2}, Floats(2))}), InvalidArgument);
  const Tensor h = Tensor(DataType::float16, {1});
  const std::string msg = error_of<Unsupported>([&] { run_op(make_node("Mul", 2), {h, h}); });
  EXPECT_NE(msg.find("float16"), std::string::npos) << msg;
  // double is supported (PyTorch's operator tests use it).
  EXPECT_EQ(run1(make_node("Mul", 2), {Tensor::from<double>({2}, {1.5, 2}), Tensor::from<double>({}, {2})}).to_double(),
            (std::vector<double>{3, 4}));
  // Float division by zero is IEEE.
  EXPECT_TRUE(std::isinf(values(run1(make_node("Div", 2), {F({1}, {1}), F({1}, {0})}))[0]));
}

TEST(OpsF32Elementwise, RefusesOutputsTooLargeToAllocate) {
  // 2^21 × 2^21 = 2^42 elements: refused before any allocation (the sizes
  // would wrap a 32-bit size_t in WebAssembly).
  const Tensor column(DataType::float32, {std::int64_t{1} << 21, 1});
  const Tensor row(DataType::float32, {1, std::int64_t{1} << 21});
  EXPECT_THROW(run_op(make_node("Add", 2), {column, row}), InvalidArgument);
  // Window attributes are bounded (2^20) for the same reason.
  const Node huge_pads = make_node("Conv", 2, {attr_is("pads", {0, 0, 0, std::int64_t{1} << 40})});
  EXPECT_THROW(run_op(huge_pads, {F({1, 1, 1, 1}, {1}), F({1, 1, 1, 1}, {1})}), InvalidArgument);
}

TEST(OpsF32Elementwise, OpsetSixBroadcastAlongAnAxis) {
  // Legacy broadcasting: B = [3] aligned with A's axis 1 (of [2,3,2]).
  const Node node = make_node("Add", 2, {attr_i("broadcast", 1), attr_i("axis", 1)});
  expect_floats_near(run1(node, {F({2, 3, 2}, Floats(12, 0)), F({3}, {1, 2, 3})}, 6), {2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
  // Without broadcast = 1 the shapes must be equal.
  EXPECT_THROW(run_op(make_node("Add", 2), {F({2, 3}, Floats(6)), F({3}, Floats(3))}, 6), InvalidArgument);
  expect_floats_near(run1(make_node("Mul", 2, {attr_i("broadcast", 1)}), {F({2, 2}, {1, 2, 3, 4}), F({2}, {10, 100})}, 6), {2, 2},
                     {10, 200, 30, 400});
}

TEST(OpsF32Elementwise, InfersBroadcastWithUnknownDims) {
  std::vector<TypeShape> out = infer(make_node("Add", 2), {ts(DataType::float32, {-1, 3, 1}), ts(DataType::float32, {4})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 3, 4}));
  out = infer(make_node("Mul", 2), {ts(DataType::int64, {1}), ts(DataType::int64, {-1})});
  EXPECT_EQ(out[0].shape, (Shape{-1}));
  EXPECT_EQ(out[0].type, DataType::int64);
  out = infer(make_node("Add", 2), {ts_unknown_rank(DataType::float32), ts(DataType::float32, {4})});
  EXPECT_FALSE(out[0].rank_known);
}

TEST(OpsF32Elementwise, PowSquaresRootsAndMixedTypes) {
  const Tensor x = F({3}, {1, 2, 3});
  expect_floats_near(run1(make_node("Pow", 2), {x, F({}, {2})}), {3}, {1, 4, 9});
  expect_floats_near(run1(make_node("Pow", 2), {F({2}, {4, 9}), F({1}, {0.5f})}), {2}, {2, 3});
  expect_floats_near(run1(make_node("Pow", 2), {x, F({3}, {4, 5, 6})}), {3}, {1, 32, 729});  // test_pow_example
  expect_floats_near(run1(make_node("Pow", 2), {F({2, 3}, {1, 2, 3, 4, 5, 6}), F({3}, {1, 2, 3})}), {2, 3}, {1, 4, 27, 4, 25, 216});
  expect_floats_near(run1(make_node("Pow", 2), {x, I64({3}, {4, 5, 6})}), {3}, {1, 32, 729});
  expect_floats_near(run1(make_node("Pow", 2), {x, Tensor::from<std::uint32_t>({3}, {4, 5, 6})}), {3}, {1, 32, 729});
  EXPECT_EQ(run1(make_node("Pow", 2), {I64({3}, {1, 2, 3}), F({3}, {4, 5, 6})}).to_int64(), (std::vector<std::int64_t>{1, 32, 729}));
}

TEST(OpsF32Elementwise, PReluPerChannelAndBroadcast) {
  const Tensor x = F({1, 2, 2}, {-1, 2, -3, 4});
  expect_floats_near(run1(make_node("PRelu", 2), {x, F({1}, {0.5f})}), {1, 2, 2}, {-0.5f, 2, -1.5f, 4});
  // Opset 6: a 1-D slope of C values is per channel (test_PReLU_1d_multiparam).
  expect_floats_near(run1(make_node("PRelu", 2), {x, F({2}, {0.1f, 0.2f})}, 6), {1, 2, 2}, {-0.1f, 2, -0.6f, 4});
  // Opset 16: numpy broadcasting against the last dim.
  expect_floats_near(run1(make_node("PRelu", 2), {x, F({2}, {0.1f, 0.2f})}), {1, 2, 2}, {-0.1f, 2, -0.3f, 4});
}

// ============================================================================
// Activations
// ============================================================================

TEST(OpsF32Activation, ReluLeakyReluSigmoidTanhErf) {
  const Tensor x = F({5}, {-2, -0.5f, 0, 0.5f, 1});
  expect_floats_near(run1(make_node("Relu", 1), {x}), {5}, {0, 0, 0, 0.5f, 1});
  expect_floats_near(run1(make_node("LeakyRelu", 1), {x}), {5}, {-0.02f, -0.005f, 0, 0.5f, 1});
  expect_floats_near(run1(make_node("LeakyRelu", 1, {attr_f("alpha", 0.1f)}), {x}), {5}, {-0.2f, -0.05f, 0, 0.5f, 1});
  expect_floats_near(run1(make_node("Sigmoid", 1), {x}), {5}, {0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.73105858f}, 1e-6f);
  expect_floats_near(run1(make_node("Tanh", 1), {x}), {5}, {-0.96402758f, -0.46211716f, 0, 0.46211716f, 0.76159416f}, 1e-6f);
  expect_floats_near(run1(make_node("Erf", 1), {x}), {5}, {-0.99532227f, -0.52049988f, 0, 0.52049988f, 0.84270079f}, 1e-6f);
  EXPECT_EQ(run1(make_node("Relu", 1), {I64({3}, {-5, 0, 5})}).to_int64(), (std::vector<std::int64_t>{0, 0, 5}));
  // Sigmoid saturates without NaN.
  const Floats s = values(run1(make_node("Sigmoid", 1), {F({2}, {-200, 200})}));
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_EQ(s[1], 1.0f);
}

TEST(OpsF32Activation, SqrtExpLogNegAbsReciprocal) {
  const Tensor x = F({3}, {0.25f, 1, 4});
  expect_floats_near(run1(make_node("Sqrt", 1), {x}), {3}, {0.5f, 1, 2});
  expect_floats_near(run1(make_node("Exp", 1), {x}), {3}, {1.2840254f, 2.7182818f, 54.59815f}, 1e-6f);
  expect_floats_near(run1(make_node("Log", 1), {x}), {3}, {-1.3862944f, 0, 1.3862944f}, 1e-6f);
  expect_floats_near(run1(make_node("Reciprocal", 1), {x}), {3}, {4, 1, 0.25f});
  expect_floats_near(run1(make_node("Neg", 1), {x}), {3}, {-0.25f, -1, -4});
  expect_floats_near(run1(make_node("Abs", 1), {F({2}, {-3, 2})}), {2}, {3, 2});
  EXPECT_EQ(run1(make_node("Abs", 1), {I64({2}, {-3, 2})}).to_int64(), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(run1(make_node("Neg", 1), {I64({2}, {-3, 2})}).to_int64(), (std::vector<std::int64_t>{3, -2}));
}

TEST(OpsF32Activation, ClipBoundsFromInputsOrAttributes) {
  const Tensor x = F({5}, {-3, -1, 0, 1, 3});
  // Opset 11+: optional inputs; an absent one leaves that side open.
  expect_floats_near(run1(make_node("Clip", 3), {x, F({}, {-1.5f}), F({}, {2})}), {5}, {-1.5f, -1, 0, 1, 2});
  expect_floats_near(run1(make_node("Clip", 3), {x, kAbsent, F({}, {0})}), {5}, {-3, -1, 0, 0, 0});
  expect_floats_near(run1(make_node("Clip", 2), {x, F({}, {0})}), {5}, {0, 0, 0, 1, 3});
  expect_floats_near(run1(make_node("Clip", 1), {x}), {5}, {-3, -1, 0, 1, 3});
  // min > max gives max everywhere (onnxruntime's min(max(x, lo), hi)).
  expect_floats_near(run1(make_node("Clip", 3), {x, F({}, {2}), F({}, {1})}), {5}, Floats(5, 1));
  // Opset 6: attributes (a ReLU6).
  expect_floats_near(run1(make_node("Clip", 1, {attr_f("min", 0), attr_f("max", 6)}), {F({3}, {-1, 3, 9})}, 6), {3}, {0, 3, 6});
  // Integer clip (test_clip_default_int8_min).
  const Tensor i8 = Tensor::from<std::int8_t>({3}, {-128, 5, 127});
  EXPECT_EQ(run1(make_node("Clip", 2), {i8, Tensor::from<std::int8_t>({}, {0})}).to_int64(), (std::vector<std::int64_t>{0, 5, 127}));
  EXPECT_THROW(run_op(make_node("Clip", 2), {x, F({2}, {0, 1})}), InvalidArgument);  // bound not a scalar
}

TEST(OpsF32Activation, FloatOnlyOpsRefuseIntegers) {
  EXPECT_THROW(run_op(make_node("Sigmoid", 1), {I64({1}, {1})}), Unsupported);
  const std::vector<TypeShape> out = infer(make_node("Tanh", 1), {ts(DataType::float32, {-1, 7})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 7}));
}

// ============================================================================
// Pooling
// ============================================================================

struct PoolCase {
  std::int64_t n = 1, c = 1, h = 5, w = 5, kh = 2, kw = 2, sh = 1, sw = 1, dh = 1, dw = 1;
  std::int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  bool ceil = false;
};

std::int64_t pool_out(std::int64_t in, std::int64_t pa, std::int64_t pb, std::int64_t k, std::int64_t s, std::int64_t d, bool ceil) {
  const std::int64_t room = in + pa + pb - d * (k - 1) - 1;
  std::int64_t out = (ceil ? (room + s - 1) / s : room / s) + 1;
  if (ceil && (out - 1) * s >= in + pa) --out;
  return out;
}

/// Naive max (average when `average`) pooling in double.
std::vector<double> reference_pool(const PoolCase& p, const Floats& x, bool average, bool include_pad) {
  const std::int64_t oh = pool_out(p.h, p.pt, p.pb, p.kh, p.sh, p.dh, p.ceil);
  const std::int64_t ow = pool_out(p.w, p.pl, p.pr, p.kw, p.sw, p.dw, p.ceil);
  std::vector<double> y;
  for (std::int64_t plane = 0; plane < p.n * p.c; ++plane)
    for (std::int64_t oy = 0; oy < oh; ++oy)
      for (std::int64_t ox = 0; ox < ow; ++ox) {
        double m = -INFINITY, sum = 0;
        std::int64_t count = 0, padded_count = 0;
        for (std::int64_t ky = 0; ky < p.kh; ++ky)
          for (std::int64_t kx = 0; kx < p.kw; ++kx) {
            const std::int64_t iy = oy * p.sh + ky * p.dh - p.pt, ix = ox * p.sw + kx * p.dw - p.pl;
            if (iy >= -p.pt && iy < p.h + p.pb && ix >= -p.pl && ix < p.w + p.pr) ++padded_count;
            if (iy < 0 || ix < 0 || iy >= p.h || ix >= p.w) continue;
            const double v = x[static_cast<std::size_t>((plane * p.h + iy) * p.w + ix)];
            m = std::max(m, v);
            sum += v;
            ++count;
          }
        y.push_back(average ? sum / double(include_pad ? padded_count : count) : m);
      }
  return y;
}

std::vector<Attribute> pool_attrs(const PoolCase& p) {
  return {attr_is("kernel_shape", {p.kh, p.kw}), attr_is("strides", {p.sh, p.sw}), attr_is("dilations", {p.dh, p.dw}),
          attr_is("pads", {p.pt, p.pl, p.pb, p.pr}), attr_i("ceil_mode", p.ceil)};
}

TEST(OpsF32Pool, MaxPoolHandCases) {
  // 2×2 stride 2 (the fast path) on a 4×5 plane: the last column is dropped.
  const Tensor x = F({1, 1, 4, 5}, iota(20));
  const Node node = make_node("MaxPool", 1, {attr_is("kernel_shape", {2, 2}), attr_is("strides", {2, 2})});
  expect_floats_near(run1(node, {x}), {1, 1, 2, 2}, {6, 8, 16, 18});
  // test_maxpool_2d_ceil and test_maxpool_2d_dilations, x = 1..16 as 4×4.
  const Tensor x16 = F({1, 1, 4, 4}, iota(16, 1));
  const Node ceil = make_node("MaxPool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_i("ceil_mode", 1)});
  expect_floats_near(run1(ceil, {x16}), {1, 1, 2, 2}, {11, 12, 15, 16});
  const Node dilated = make_node("MaxPool", 1, {attr_is("kernel_shape", {2, 2}), attr_is("dilations", {2, 2})});
  expect_floats_near(run1(dilated, {x16}), {1, 1, 2, 2}, {11, 12, 15, 16});
  // test_maxpool_2d_precomputed_same_upper: 5×5, 3×3 stride 2.
  const Node same = make_node("MaxPool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_s("auto_pad", "SAME_UPPER")});
  expect_floats_near(run1(same, {F({1, 1, 5, 5}, iota(25, 1))}), {1, 1, 3, 3}, {7, 9, 10, 17, 19, 20, 22, 24, 25});
  // Negative inputs next to padding: padding never wins.
  const Node padded = make_node("MaxPool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("pads", {1, 1, 1, 1})});
  expect_floats_near(run1(padded, {F({1, 1, 2, 2}, {-4, -3, -2, -1})}), {1, 1, 2, 2}, {-1, -1, -1, -1});
}

TEST(OpsF32Pool, MaxPoolSweepMatchesReference) {
  std::mt19937 rng(9);
  const std::vector<PoolCase> cases = {
      {2, 3, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false},  // test_MaxPool2d
      {1, 2, 9, 11, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, true},  // odd sizes, ceil
      {1, 1, 8, 7, 3, 2, 3, 1, 2, 1, 2, 0, 1, 1, false},  // dilated, asymmetric pads
      {2, 2, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false},  // the fast path
      {1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, false},  // test_maxpool_2d_precomputed_pads
      {1, 3, 10, 10, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, true},
  };
  for (const PoolCase& p : cases) {
    const Floats x = random_floats(static_cast<std::size_t>(p.n * p.c * p.h * p.w), rng);
    const Tensor y = run1(make_node("MaxPool", 1, pool_attrs(p)), {F({p.n, p.c, p.h, p.w}, x)});
    const std::vector<double> ref = reference_pool(p, x, false, false);
    ASSERT_EQ(static_cast<std::size_t>(y.size()), ref.size());
    for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(values(y)[i], static_cast<float>(ref[i])) << i;
  }
}

TEST(OpsF32Pool, MaxPoolOnUint8AndOneDimensional) {
  const Tensor u8 = Tensor::from<std::uint8_t>({1, 1, 2, 3}, {1, 200, 3, 4, 5, 255});
  const Tensor y = run1(make_node("MaxPool", 1, {attr_is("kernel_shape", {2, 2})}), {u8});
  EXPECT_EQ(y.type(), DataType::uint8);
  EXPECT_EQ(y.to_int64(), (std::vector<std::int64_t>{200, 255}));
  // test_maxpool_1d_default's shape: [1, 3, 32], kernel 2 → 31.
  const Tensor y1 = run1(make_node("MaxPool", 1, {attr_is("kernel_shape", {2})}), {F({1, 3, 32}, iota(96))});
  ASSERT_EQ(y1.shape(), (Shape{1, 3, 31}));
  EXPECT_FLOAT_EQ(values(y1)[0], 1);
  EXPECT_FLOAT_EQ(values(y1)[31], 33);  // second channel starts at 32
}

TEST(OpsF32Pool, RefusesIndicesStorageOrderAndThreeD) {
  const Tensor x = F({1, 1, 4, 4}, iota(16));
  std::string msg = error_of<Unsupported>([&] { run_op(make_node("MaxPool", 1, {attr_is("kernel_shape", {2, 2})}, 2), {x}); });
  EXPECT_NE(msg.find("Indices"), std::string::npos) << msg;
  msg = error_of<Unsupported>([&] { run_op(make_node("MaxPool", 1, {attr_is("kernel_shape", {2, 2}), attr_i("storage_order", 1)}), {x}); });
  EXPECT_NE(msg.find("'storage_order'"), std::string::npos) << msg;
  msg = error_of<Unsupported>([&] { run_op(make_node("AveragePool", 1, {attr_is("kernel_shape", {2, 2, 2})}), {F({1, 1, 2, 2, 2}, Floats(8))}); });
  EXPECT_NE(msg.find("kernel_shape"), std::string::npos) << msg;
  EXPECT_THROW(run_op(make_node("MaxPool", 1), {x}), InvalidArgument);  // kernel_shape is required
}

TEST(OpsF32Pool, AveragePoolPaddingCountsAndCeil) {
  const Tensor x = F({1, 1, 5, 5}, iota(25, 1));
  // test_averagepool_2d_precomputed_pads (padding excluded) and ..._count_include_pad.
  const Node excl = make_node("AveragePool", 1, {attr_is("kernel_shape", {5, 5}), attr_is("pads", {2, 2, 2, 2})});
  expect_floats_near(run1(excl, {x}), {1, 1, 5, 5}, {7, 7.5f, 8, 8.5f, 9, 9.5f, 10, 10.5f, 11, 11.5f, 12, 12.5f, 13,
                                                     13.5f, 14, 14.5f, 15, 15.5f, 16, 16.5f, 17, 17.5f, 18, 18.5f, 19});
  const Node incl = make_node("AveragePool", 1, {attr_is("kernel_shape", {5, 5}), attr_is("pads", {2, 2, 2, 2}), attr_i("count_include_pad", 1)});
  expect_floats_near(run1(incl, {x}), {1, 1, 5, 5}, {2.52f, 3.6f, 4.8f, 4.08f, 3.24f, 4.56f, 6.4f, 8.4f, 7.04f, 5.52f, 7.2f, 10, 13,
                                                     10.8f, 8.4f, 6.96f, 9.6f, 12.4f, 10.24f, 7.92f, 6.12f, 8.4f, 10.8f, 8.88f, 6.84f}, 1e-5f);
  // test_averagepool_2d_ceil: the last windows hang over the input.
  const Node ceil = make_node("AveragePool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_i("ceil_mode", 1)});
  expect_floats_near(run1(ceil, {F({1, 1, 4, 4}, iota(16, 1))}), {1, 1, 2, 2}, {6, 7.5f, 12, 13.5f});
  // test_averagepool_2d_precomputed_same_upper
  const Node same = make_node("AveragePool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_s("auto_pad", "SAME_UPPER")});
  expect_floats_near(run1(same, {x}), {1, 1, 3, 3}, {4, 5.5f, 7, 11.5f, 13, 14.5f, 19, 20.5f, 22});
}

TEST(OpsF32Pool, AveragePoolSweepMatchesReference) {
  std::mt19937 rng(10);
  const std::vector<PoolCase> cases = {
      {2, 3, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false},  // test_AvgPool2d
      {1, 2, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true},  // ceil with pads
      {1, 1, 8, 7, 3, 2, 3, 1, 2, 1, 2, 0, 1, 1, false},  // dilated, asymmetric
      {1, 1, 7, 7, 4, 4, 3, 3, 1, 1, 1, 2, 0, 1, true},
  };
  for (const PoolCase& p : cases) {
    for (int include = 0; include < 2; ++include) {
      const Floats x = random_floats(static_cast<std::size_t>(p.n * p.c * p.h * p.w), rng);
      std::vector<Attribute> attrs = pool_attrs(p);
      attrs.push_back(attr_i("count_include_pad", include));
      const Tensor y = run1(make_node("AveragePool", 1, attrs), {F({p.n, p.c, p.h, p.w}, x)}, 19);
      const std::vector<double> ref = reference_pool(p, x, true, include == 1);
      ASSERT_EQ(static_cast<std::size_t>(y.size()), ref.size());
      for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(values(y)[i], ref[i], 1e-6) << i;
    }
  }
}

TEST(OpsF32Pool, GlobalPoolsReduceEverySpatialDim) {
  const Tensor x = F({2, 2, 3}, {1, 2, 3, -1, -5, 0, 4, 4, 4, 7, 8, 9});
  expect_floats_near(run1(make_node("GlobalAveragePool", 1), {x}), {2, 2, 1}, {2, -2, 4, 8});
  expect_floats_near(run1(make_node("GlobalMaxPool", 1), {x}), {2, 2, 1}, {3, 0, 4, 9});
  const Tensor y = run1(make_node("GlobalAveragePool", 1), {F({1, 3, 5, 5}, iota(75))});
  expect_floats_near(y, {1, 3, 1, 1}, {12, 37, 62});
  const std::vector<TypeShape> out = infer(make_node("GlobalAveragePool", 1), {ts(DataType::float32, {-1, 32, -1, -1})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 32, 1, 1}));
}

TEST(OpsF32Pool, InfersCeilAndUnknownSizes) {
  const Node node = make_node("MaxPool", 1, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_i("ceil_mode", 1)});
  const std::vector<TypeShape> out = infer(node, {ts(DataType::float32, {-1, 8, 28, -1})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 8, 14, -1}));
}

// ============================================================================
// BatchNormalization
// ============================================================================

TEST(OpsF32BatchNorm, NormalizesPerChannel) {
  // y = scale · (x - mean) / sqrt(var + eps) + B, eps = 0 here... with the default 1e-5.
  const Tensor x = F({1, 2, 1, 3}, {-1, 0, 1, 2, 3, 4});
  const Tensor scale = F({2}, {1, 1.5f}), bias = F({2}, {0, 1}), mean = F({2}, {0, 3}), var = F({2}, {1, 1.5f});
  const Tensor y = run1(make_node("BatchNormalization", 5), {x, scale, bias, mean, var});
  const float s0 = 1.0f / std::sqrt(1.0f + 1e-5f), s1 = 1.5f / std::sqrt(1.5f + 1e-5f);
  expect_floats_near(y, {1, 2, 1, 3}, {-s0, 0, s0, 1 - s1, 1, 1 + s1}, 1e-6f);
  // epsilon attribute, rank-2 and rank-3 inputs.
  const Node eps = make_node("BatchNormalization", 5, {attr_f("epsilon", 3.0f)});
  expect_floats_near(run1(eps, {F({2, 2}, {1, 2, 3, 4}), F({2}, {2, 2}), F({2}, {0, 0}), F({2}, {1, 2}), F({2}, {1, 1})}), {2, 2},
                     {0, 0, 2, 2});
  EXPECT_EQ(run1(eps, {F({2, 2, 3}, Floats(12, 1)), scale, bias, mean, var}).shape(), (Shape{2, 2, 3}));
}

TEST(OpsF32BatchNorm, OpsetSixInferenceExportWorks) {
  // PyTorch's eval-mode export at opset 6: is_test = 1, momentum, spatial default.
  const Node node = make_node("BatchNormalization", 5, {attr_f("epsilon", 1e-5f), attr_i("is_test", 1), attr_f("momentum", 0.9f)});
  const Tensor y = run1(node, {F({1, 1, 1, 2}, {2, 4}), F({1}, {1}), F({1}, {0}), F({1}, {3}), F({1}, {1})}, 6);
  expect_floats_near(y, {1, 1, 1, 2}, {-1, 1}, 1e-4f);
}

TEST(OpsF32BatchNorm, RefusesTrainingByName) {
  const std::vector<Tensor> in{F({1, 1, 1, 1}, {1}), F({1}, {1}), F({1}, {0}), F({1}, {0}), F({1}, {1})};
  std::string msg = error_of<Unsupported>([&] { run_op(make_node("BatchNormalization", 5, {attr_i("training_mode", 1)}), in, 15); });
  EXPECT_NE(msg.find("'training_mode'"), std::string::npos) << msg;
  msg = error_of<Unsupported>([&] { run_op(make_node("BatchNormalization", 5, {}, 3), in, 15); });
  EXPECT_NE(msg.find("output 1"), std::string::npos) << msg;
  msg = error_of<Unsupported>([&] { run_op(make_node("BatchNormalization", 5, {attr_i("spatial", 0)}), in, 7); });
  EXPECT_NE(msg.find("'spatial'"), std::string::npos) << msg;
  EXPECT_THROW(run_op(make_node("BatchNormalization", 5), {F({1, 2, 1, 1}, {1, 2}), in[1], in[2], in[3], in[4]}), InvalidArgument);
}

// ============================================================================
// Shape ops
// ============================================================================

TEST(OpsF32Shape, ReshapeZeroMinusOneAndAllowzero) {
  const Tensor x = F({2, 3, 4}, iota(24));
  EXPECT_EQ(run1(make_node("Reshape", 2), {x, I64({3}, {2, -1, 2})}).shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(run1(make_node("Reshape", 2), {x, I64({4}, {2, 0, 1, -1})}).shape(), (Shape{2, 3, 1, 4}));
  EXPECT_EQ(run1(make_node("Reshape", 2), {x, I64({1}, {-1})}).shape(), (Shape{24}));
  EXPECT_EQ(values(run1(make_node("Reshape", 2), {x, I64({2}, {4, 6})})), iota(24));
  // test_reshape_allowzero_reordered: [0,3,4] → [3,4,0] with allowzero.
  EXPECT_EQ(run1(make_node("Reshape", 2, {attr_i("allowzero", 1)}), {F({0, 3, 4}, {}), I64({3}, {3, 4, 0})}).shape(), (Shape{3, 4, 0}));
  EXPECT_THROW(run_op(make_node("Reshape", 2), {x, I64({2}, {5, -1})}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Reshape", 2), {x, I64({2}, {-1, -1})}), InvalidArgument);
  // int64 data (shape subgraphs).
  EXPECT_EQ(run1(make_node("Reshape", 2), {I64({2, 2}, {1, 2, 3, 4}), I64({1}, {4})}).to_int64(), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST(OpsF32Shape, ReshapeInfersFromConstantShapeAndUnknownBatch) {
  const Tensor spec = I64({2}, {0, -1});
  TypeShape shape_input = TypeShape::of(spec);
  std::vector<TypeShape> out = infer(make_node("Reshape", 2), {ts(DataType::float32, {-1, 32, 7, 7}), shape_input});
  EXPECT_EQ(out[0].shape, (Shape{-1, -1}));  // -1 stays unknown while the batch is
  out = infer(make_node("Reshape", 2), {ts(DataType::float32, {8, 32, 7, 7}), shape_input});
  EXPECT_EQ(out[0].shape, (Shape{8, 1568}));
  shape_input.value = nullptr;  // computed shape: only its length is known
  out = infer(make_node("Reshape", 2), {ts(DataType::float32, {8, 32, 7, 7}), shape_input});
  EXPECT_EQ(out[0].shape, (Shape{-1, -1}));
}

TEST(OpsF32Shape, FlattenWithNegativeAndZeroAxis) {
  const Tensor x = F({2, 3, 4, 5}, iota(120));
  EXPECT_EQ(run1(make_node("Flatten", 1), {x}).shape(), (Shape{2, 60}));
  EXPECT_EQ(run1(make_node("Flatten", 1, {attr_i("axis", 0)}), {x}).shape(), (Shape{1, 120}));
  EXPECT_EQ(run1(make_node("Flatten", 1, {attr_i("axis", -1)}), {x}).shape(), (Shape{24, 5}));
  EXPECT_EQ(run1(make_node("Flatten", 1, {attr_i("axis", 4)}), {x}).shape(), (Shape{120, 1}));
  EXPECT_THROW(run_op(make_node("Flatten", 1, {attr_i("axis", 5)}), {x}), InvalidArgument);
  const std::vector<TypeShape> out = infer(make_node("Flatten", 1), {ts(DataType::float32, {-1, 32, 7, 7})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 1568}));
}

TEST(OpsF32Shape, TransposeEveryPermutationOfThreeDims) {
  const Tensor x = F({2, 3, 4}, iota(24));
  const std::vector<Shape> perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (const Shape& perm : perms) {
    const Tensor y = run1(make_node("Transpose", 1, {attr_is("perm", perm)}), {x});
    const Shape in{2, 3, 4};
    ASSERT_EQ(y.shape(), (Shape{in[perm[0]], in[perm[1]], in[perm[2]]}));
    // y[i][j][k] = x at the index whose perm[d]-th coordinate is (i, j, k)[d].
    std::size_t at = 0;
    for (std::int64_t i = 0; i < y.dim(0); ++i)
      for (std::int64_t j = 0; j < y.dim(1); ++j)
        for (std::int64_t k = 0; k < y.dim(2); ++k) {
          std::int64_t idx[3];
          idx[perm[0]] = i;
          idx[perm[1]] = j;
          idx[perm[2]] = k;
          EXPECT_EQ(values(y)[at++], float((idx[0] * 3 + idx[1]) * 4 + idx[2]));
        }
  }
  // Default: reversed dims; int64 data; NCHW → NHWC.
  EXPECT_EQ(run1(make_node("Transpose", 1), {x}).shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(run1(make_node("Transpose", 1), {I64({2, 2}, {1, 2, 3, 4})}).to_int64(), (std::vector<std::int64_t>{1, 3, 2, 4}));
  const Tensor nhwc = run1(make_node("Transpose", 1, {attr_is("perm", {0, 2, 3, 1})}), {F({1, 2, 2, 2}, iota(8))});
  EXPECT_EQ(values(nhwc), (Floats{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_THROW(run_op(make_node("Transpose", 1, {attr_is("perm", {0, 0, 1})}), {x}), InvalidArgument);
}

TEST(OpsF32Shape, ConcatAlongAnyAxisAndTypes) {
  const Tensor a = F({2, 2}, {1, 2, 3, 4}), b = F({2, 1}, {5, 6});
  expect_floats_near(run1(make_node("Concat", 2, {attr_i("axis", 1)}), {a, b}), {2, 3}, {1, 2, 5, 3, 4, 6});
  expect_floats_near(run1(make_node("Concat", 2, {attr_i("axis", -2)}), {a, F({1, 2}, {7, 8})}), {3, 2}, {1, 2, 3, 4, 7, 8});
  // The PyTorch shape chain: int64 pieces, one of them empty.
  const Tensor y = run1(make_node("Concat", 3, {attr_i("axis", 0)}), {I64({1}, {-1}), I64({0}, {}), I64({2}, {7, 7})});
  EXPECT_EQ(y.to_int64(), (std::vector<std::int64_t>{-1, 7, 7}));
  EXPECT_THROW(run_op(make_node("Concat", 2, {attr_i("axis", 0)}), {a, b}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Concat", 2), {a, a}), InvalidArgument);  // axis is required
  const std::vector<TypeShape> out = infer(make_node("Concat", 2, {attr_i("axis", 1)}),
                                           {ts(DataType::float32, {-1, 3, 8}), ts(DataType::float32, {4, 5, 8})});
  EXPECT_EQ(out[0].shape, (Shape{4, 8, 8}));
}

TEST(OpsF32Shape, SqueezeAndUnsqueezeAcrossOpsets) {
  const Tensor x = F({1, 3, 1, 5}, iota(15));
  EXPECT_EQ(run1(make_node("Squeeze", 2), {x, I64({1}, {0})}).shape(), (Shape{3, 1, 5}));
  EXPECT_EQ(run1(make_node("Squeeze", 2), {x, I64({1}, {-2})}).shape(), (Shape{1, 3, 5}));
  EXPECT_EQ(run1(make_node("Squeeze", 1), {x}).shape(), (Shape{3, 5}));  // no axes: every 1
  EXPECT_EQ(run1(make_node("Squeeze", 1, {attr_is("axes", {0, 2})}), {x}, 11).shape(), (Shape{3, 5}));
  EXPECT_THROW(run_op(make_node("Squeeze", 2), {x, I64({1}, {1})}), InvalidArgument);
  const Tensor y = F({3, 4, 5}, iota(60));
  EXPECT_EQ(run1(make_node("Unsqueeze", 2), {y, I64({3}, {5, 4, 2})}).shape(), (Shape{3, 4, 1, 5, 1, 1}));
  EXPECT_EQ(run1(make_node("Unsqueeze", 2), {y, I64({1}, {-1})}).shape(), (Shape{3, 4, 5, 1}));
  EXPECT_EQ(run1(make_node("Unsqueeze", 1, {attr_is("axes", {0})}), {I64({}, {7})}, 11).to_int64(), (std::vector<std::int64_t>{7}));
  EXPECT_THROW(run_op(make_node("Unsqueeze", 2), {y, I64({2}, {1, 1})}), InvalidArgument);
  // Axes computed at run time: only the rank is known to inference.
  const std::vector<TypeShape> out = infer(make_node("Unsqueeze", 2), {ts(DataType::float32, {-1, 4}), ts(DataType::int64, {2})});
  EXPECT_EQ(out[0].shape, (Shape{-1, -1, -1, -1}));
}

TEST(OpsF32Shape, GatherIndicesOfEveryKind) {
  const Tensor data = F({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_floats_near(run1(make_node("Gather", 2), {data, I64({2}, {2, 0})}), {2, 2}, {5, 6, 1, 2});
  expect_floats_near(run1(make_node("Gather", 2, {attr_i("axis", 1)}), {data, I32({1, 1}, {1})}), {3, 1, 1}, {2, 4, 6});
  expect_floats_near(run1(make_node("Gather", 2, {attr_i("axis", -1)}), {data, I64({}, {-1})}), {3}, {2, 4, 6});  // scalar index drops the dim
  // The shape chain: Shape → Gather(0) gives a scalar int64.
  EXPECT_EQ(run1(make_node("Gather", 2), {I64({4}, {8, 3, 28, 28}), I64({}, {0})}).to_int64(), (std::vector<std::int64_t>{8}));
  EXPECT_THROW(run_op(make_node("Gather", 2), {data, I64({1}, {3})}), InvalidArgument);
  EXPECT_THROW(run_op(make_node("Gather", 2), {data, F({1}, {0})}), InvalidArgument);
}

TEST(OpsF32Shape, ShapeWithStartAndEnd) {
  const Tensor x = F({3, 4, 5}, iota(60));
  EXPECT_EQ(run1(make_node("Shape", 1), {x}).to_int64(), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(run1(make_node("Shape", 1, {attr_i("start", 1)}), {x}, 15).to_int64(), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(run1(make_node("Shape", 1, {attr_i("end", -1)}), {x}, 15).to_int64(), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(run1(make_node("Shape", 1, {attr_i("start", -10), attr_i("end", 10)}), {x}, 15).to_int64(), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(run1(make_node("Shape", 1, {attr_i("start", 2), attr_i("end", 1)}), {x}, 15).size(), 0);
  // Before opset 15 start/end do not exist.
  EXPECT_EQ(run1(make_node("Shape", 1, {attr_i("start", 1)}), {x}, 13).to_int64(), (std::vector<std::int64_t>{3, 4, 5}));
}

TEST(OpsF32Shape, ConstantEveryValueAttribute) {
  EXPECT_EQ(values(run1(make_node("Constant", 0, {attr_t("value", F({2}, {1.5f, 2}))}), {})), (Floats{1.5f, 2}));
  const Tensor f = run1(make_node("Constant", 0, {attr_f("value_float", 3)}), {});
  EXPECT_EQ(f.shape(), Shape{});
  EXPECT_EQ(values(f), Floats{3});
  EXPECT_EQ(run1(make_node("Constant", 0, {attr_fs("value_floats", {1, 2})}), {}).shape(), Shape{2});
  EXPECT_EQ(run1(make_node("Constant", 0, {attr_i("value_int", 4)}), {}).to_int64(), std::vector<std::int64_t>{4});
  EXPECT_EQ(run1(make_node("Constant", 0, {attr_is("value_ints", {1, -1})}), {}).to_int64(), (std::vector<std::int64_t>{1, -1}));
  Attribute sparse = attr_t("sparse_value", F({1}, {1}));
  const std::string msg = error_of<Unsupported>([&] { run_op(make_node("Constant", 0, {sparse}), {}); });
  EXPECT_NE(msg.find("'sparse_value'"), std::string::npos) << msg;
  EXPECT_THROW(run_op(make_node("Constant", 0), {}), InvalidArgument);
}

TEST(OpsF32Shape, IdentityAndDropoutPassValuesThrough) {
  const Tensor x = F({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values(run1(make_node("Identity", 1), {x})), values(x));
  EXPECT_EQ(run1(make_node("Identity", 1), {I64({1}, {5})}).to_int64(), std::vector<std::int64_t>{5});
  std::vector<Tensor> out = run_op(make_node("Dropout", 2, {}, 2), {x, F({}, {0.5f})});
  EXPECT_EQ(values(out[0]), values(x));
  ASSERT_EQ(out[1].type(), DataType::boolean);
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(out[1].data<std::uint8_t>()[i], 1);
  out = run_op(make_node("Dropout", 1, {attr_f("ratio", 0.2f)}, 2), {x}, 7);  // opset 7: the mask has x's type
  EXPECT_EQ(values(out[1]), Floats(4, 1));
  const Tensor training = Tensor::from<bool>({}, std::vector<bool>{true});
  const std::string msg = error_of<Unsupported>([&] { run_op(make_node("Dropout", 3), {x, F({}, {0.5f}), training}); });
  EXPECT_NE(msg.find("'training_mode'"), std::string::npos) << msg;
  const Tensor eval = Tensor::from<bool>({}, std::vector<bool>{false});
  EXPECT_EQ(values(run1(make_node("Dropout", 3), {x, kAbsent, eval})), values(x));
}

TEST(OpsF32Shape, PyTorchFlattenChainInInt64) {
  // x.view(x.size(0), -1) as PyTorch exports it:
  // Shape → Gather(0) → Unsqueeze(0) → Concat([n, -1]) → Reshape.
  const Tensor x = F({2, 3, 2, 2}, iota(24));
  const Tensor shape = run1(make_node("Shape", 1), {x});
  const Tensor n = run1(make_node("Gather", 2, {attr_i("axis", 0)}), {shape, I64({}, {0})});
  const Tensor n1 = run1(make_node("Unsqueeze", 2), {n, I64({1}, {0})});
  const Tensor spec = run1(make_node("Concat", 2, {attr_i("axis", 0)}), {n1, I64({1}, {-1})});
  EXPECT_EQ(spec.to_int64(), (std::vector<std::int64_t>{2, -1}));
  const Tensor y = run1(make_node("Reshape", 2), {x, spec});
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_EQ(values(y), iota(24));
}

// ============================================================================
// Softmax, LogSoftmax
// ============================================================================

TEST(OpsF32Softmax, SingleAxisFromOpset13) {
  // test_softmax_example: [[-1, 0, 1]] → exp / sum.
  const Floats e = {std::exp(-1.0f), 1.0f, std::exp(1.0f)};
  const float sum = e[0] + e[1] + e[2];
  expect_floats_near(run1(make_node("Softmax", 1), {F({1, 3}, {-1, 0, 1})}), {1, 3}, {e[0] / sum, e[1] / sum, e[2] / sum});
  // Axis 1 of [2, 2, 2]: pairs (x[n][0][k], x[n][1][k]) normalize together.
  const Tensor y = run1(make_node("Softmax", 1, {attr_i("axis", 1)}), {F({2, 2, 2}, {0, 0, 0, 1, 2, 2, 2, 2})});
  const float a = 1.0f / (1.0f + std::exp(1.0f));
  expect_floats_near(y, {2, 2, 2}, {0.5f, a, 0.5f, 1 - a, 0.5f, 0.5f, 0.5f, 0.5f});
  // Large values do not overflow (test_softmax_large_number).
  const Floats big = values(run1(make_node("Softmax", 1), {F({1, 2}, {10000, 10001})}));
  EXPECT_NEAR(big[1], 1.0f / (1.0f + std::exp(-1.0f)), 1e-6f);
}

TEST(OpsF32Softmax, CoercesToTwoDimensionsBeforeOpset13) {
  // Opset 11, axis 1 of [2, 2, 2]: each image's 4 values normalize together.
  const Tensor x = F({2, 2, 2}, {0, 0, 0, 0, 1, 1, 1, 1});
  expect_floats_near(run1(make_node("Softmax", 1, {attr_i("axis", 1)}), {x}, 11), {2, 2, 2}, Floats(8, 0.25f));
  // Default axis 1 before 13, -1 from 13.
  expect_floats_near(run1(make_node("Softmax", 1), {x}, 11), {2, 2, 2}, Floats(8, 0.25f));
  expect_floats_near(run1(make_node("Softmax", 1), {x}, 13), {2, 2, 2}, Floats(8, 0.5f));
}

TEST(OpsF32Softmax, LogSoftmaxIsShiftedLog) {
  const Tensor x = F({2, 3}, {1, 2, 3, -1, -1, -1});
  const float lse = 3.0f + std::log(std::exp(-2.0f) + std::exp(-1.0f) + 1.0f);
  expect_floats_near(run1(make_node("LogSoftmax", 1, {attr_i("axis", -1)}), {x}), {2, 3},
                     {1 - lse, 2 - lse, 3 - lse, -std::log(3.0f), -std::log(3.0f), -std::log(3.0f)}, 1e-6f);
  EXPECT_THROW(run_op(make_node("LogSoftmax", 1, {attr_i("axis", 2)}), {x}), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::model
