// The numeric-suite report (core/docs/ptq.md, P6) against an independent
// computation, and sensitivity with the mixed-precision plan (P7) on a model
// with one layer that 8-bit weights destroy.
//
// The report model is a two-layer MLP whose inputs, weights and biases are
// small dyadic rationals, so every float32 sum and product of the float model
// is exact in any order: the float reference is known exactly, and the
// quantized path is recomputed here by hand from the definitions (QuantizeLinear
// divides and rounds half to even; int32 accumulation; requantization
// fl(fl(acc) · M) with M = fl(fl(s_x · s_w) / s_y), as core/docs/kernels.md K9).
// The SQNRs must then agree to 1e-9 dB: the same codes give the same sums up to
// the order of the double additions.
//
// Propagated error is NOT bounded by the isolated one: a later layer may undo
// part of an earlier layer's error, or its own rounding may correlate with the
// incoming error either way, so propagated ≤ isolated (or ≥) is not asserted.
// For the first layer both see the same quantized input, so they are equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/report.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::ptq::test {
namespace {

/// SQNR (dB) and errors recomputed here against the report's: the same
/// codes and float references, summed in another order.
constexpr double kSqnrTolerance = 1e-9;

constexpr std::int64_t kIn = 4, kHidden = 3, kOut = 2;

struct Mlp {
  std::vector<float> w1, b1, w2, b2;  // W [out, in] (transB = 1)
  Model model;
};

Mlp dyadic_mlp() {
  Mlp m;
  m.w1 = dyadic(kHidden * kIn, 8, 8, 401);  // multiples of 1/8 in [-1, 1]
  m.b1 = dyadic(kHidden, 8, 8, 402);
  m.w2 = dyadic(kOut * kHidden, 8, 8, 403);
  m.b2 = dyadic(kOut, 8, 8, 404);
  Builder b(13, "mlp");
  b.input("x", {kIn}).output("y");
  b.node("Gemm", {"x", b.constant("fc1.weight", {kHidden, kIn}, m.w1), b.constant("fc1.bias", {kHidden}, m.b1)}, {"h"},
         "fc1", {int_attr("transB", 1)});
  b.node("Relu", {"h"}, {"r"}, "relu");
  b.node("Gemm", {"r", b.constant("fc2.weight", {kOut, kHidden}, m.w2), b.constant("fc2.bias", {kOut}, m.b2)}, {"y"},
         "fc2", {int_attr("transB", 1)});
  m.model = b.model();
  return m;
}

/// Inputs: multiples of 1/4 in [-2, 2].
Tensor dyadic_inputs(std::int64_t n, std::uint32_t seed) {
  return tensor({n, kIn}, dyadic(static_cast<std::size_t>(n * kIn), 8, 4, seed));
}

/// y = x·Wᵀ + b (optionally Relu), in double: exact for these values.
std::vector<double> dense(const std::vector<double>& x, std::int64_t rows, const std::vector<float>& w,
                          const std::vector<float>& b, std::int64_t out, std::int64_t in, bool relu) {
  std::vector<double> y(static_cast<std::size_t>(rows * out));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t o = 0; o < out; ++o) {
      double s = b[static_cast<std::size_t>(o)];
      for (std::int64_t k = 0; k < in; ++k) s += x[static_cast<std::size_t>(r * in + k)] * w[static_cast<std::size_t>(o * in + k)];
      y[static_cast<std::size_t>(r * out + o)] = relu ? std::max(0.0, s) : s;
    }
  return y;
}

/// Asymmetric int8 per-tensor parameters from a range (as the min-max observer).
quant::QuantParams activation_params(double lo, double hi) {
  quant::QuantSpec spec;
  spec.scheme = quant::Scheme::asymmetric;
  spec.bits = 8;
  spec.is_signed = true;
  return quant::params_from_range(spec, {static_cast<float>(lo)}, {static_cast<float>(hi)});
}

/// Symmetric int8 per-output-row weight parameters and codes.
struct QWeight {
  std::vector<float> scale;
  std::vector<int> codes;
};

QWeight quantize_rows(const std::vector<float>& w, std::int64_t out, std::int64_t in) {
  quant::QuantSpec spec;
  spec.scheme = quant::Scheme::symmetric;
  spec.bits = 8;
  spec.is_signed = true;
  spec.granularity = quant::Granularity::channel;
  spec.axis = 0;
  const xt::xarray<float> x = xt::adapt(w, std::vector<std::size_t>{static_cast<std::size_t>(out), static_cast<std::size_t>(in)});
  const quant::QuantParams p = quant::params_from_data(x, spec);
  const xt::xarray<std::int32_t> q = quant::quantize(x, p);
  return {p.scale, std::vector<int>(q.begin(), q.end())};
}

/// ONNX QuantizeLinear: saturate(round_half_even(x / s) + z) into int8.
int quantize_linear(double x, float s, int z) {
  const float v = std::nearbyint(static_cast<float>(x) / s) + static_cast<float>(z);
  return static_cast<int>(std::clamp(v, -128.0f, 127.0f));
}

/// One quantized layer on input codes: int32 accumulation, int32 bias, K9
/// requantization, the fused Relu as a clamp at the output zero point.
std::vector<int> qdense(const std::vector<int>& xq, int zx, float sx, std::int64_t rows, const QWeight& w,
                        const std::vector<float>& b, std::int64_t out, std::int64_t in, float sy, int zy, bool relu) {
  std::vector<int> yq(static_cast<std::size_t>(rows * out));
  for (std::int64_t o = 0; o < out; ++o) {
    const float sb = sx * w.scale[static_cast<std::size_t>(o)];
    const auto bq = static_cast<std::int64_t>(std::nearbyint(static_cast<double>(b[static_cast<std::size_t>(o)] / sb)));
    const float m = sb / sy;
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t acc = bq;
      for (std::int64_t k = 0; k < in; ++k)
        acc += static_cast<std::int64_t>(xq[static_cast<std::size_t>(r * in + k)] - zx) * w.codes[static_cast<std::size_t>(o * in + k)];
      const float f = static_cast<float>(acc) * m;
      const int lo = relu ? zy : -128;
      yq[static_cast<std::size_t>(r * out + o)] = std::clamp(static_cast<int>(std::nearbyint(f)) + zy, lo, 127);
    }
  }
  return yq;
}

LayerError error_of(const std::vector<double>& ref, const std::vector<int>& q, float s, int z) {
  double signal = 0, noise = 0, worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double xhat = static_cast<double>(s * static_cast<float>(q[i] - z));  // as DequantizeLinear, in float
    signal += ref[i] * ref[i];
    noise += (xhat - ref[i]) * (xhat - ref[i]);
    worst = std::max(worst, std::abs(xhat - ref[i]));
  }
  LayerError e;
  e.sqnr_db = 10 * std::log10(signal / noise);
  e.max_abs_error = worst;
  e.mse = noise / static_cast<double>(ref.size());
  return e;
}

void expect_error_eq(const LayerError& got, const LayerError& want, const std::string& what) {
  EXPECT_NEAR(got.sqnr_db, want.sqnr_db, kSqnrTolerance) << what;
  EXPECT_NEAR(got.max_abs_error, want.max_abs_error, 1e-12) << what;
  EXPECT_NEAR(got.mse, want.mse, 1e-12 * std::max(1.0, want.mse)) << what;
  EXPECT_TRUE(std::isfinite(want.sqnr_db)) << what;
}

std::vector<double> as_double(const Tensor& t) { return t.to_double(); }

TEST(PtqReport, isolated_and_propagated_sqnr_equal_a_computation_by_hand) {
  const Mlp mlp = dyadic_mlp();
  const Prepared p = prepare(mlp.model);
  const std::vector<Tensor> calib = {dyadic_inputs(40, 411), dyadic_inputs(24, 412)};
  const Calibration cal = calibrate(p, Options{}, calib);
  Calibrator calibrator(p, Options{});
  for (const Tensor& b : calib) calibrator.observe({{"x", b}});
  const std::vector<std::map<std::string, Tensor>> inputs = {{{"x", dyadic_inputs(16, 413)}}, {{"x", dyadic_inputs(9, 414)}}};
  const Report report = numeric_report(p, Options{}, cal, inputs, &calibrator);

  // ---- the activation parameters, from the exact float values of the calibration data
  std::vector<double> cx, ch, cy;
  std::int64_t crows = 0;
  for (const Tensor& b : calib) {
    const std::vector<double> x = as_double(b);
    const std::vector<double> h = dense(x, b.dim(0), mlp.w1, mlp.b1, kHidden, kIn, true);
    const std::vector<double> y = dense(h, b.dim(0), mlp.w2, mlp.b2, kOut, kHidden, false);
    cx.insert(cx.end(), x.begin(), x.end());
    ch.insert(ch.end(), h.begin(), h.end());
    cy.insert(cy.end(), y.begin(), y.end());
    crows += b.dim(0);
  }
  auto params_of = [](const std::vector<double>& v) {
    return activation_params(*std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
  };
  const quant::QuantParams px = params_of(cx), pr = params_of(ch), py = params_of(cy);
  EXPECT_EQ(cal.samples, crows);
  for (const auto& [name, want] : {std::pair{"x", px}, std::pair{"r", pr}, std::pair{"y", py}}) {
    EXPECT_EQ(cal.activations.at(name).scale, want.scale[0]) << name;
    EXPECT_EQ(cal.activations.at(name).zero_point, want.zero_point[0]) << name;
  }
  const float sx = px.scale[0], sr = pr.scale[0], sy = py.scale[0];
  const int zx = px.zero_point[0], zr = pr.zero_point[0], zy = py.zero_point[0];
  const QWeight w1 = quantize_rows(mlp.w1, kHidden, kIn), w2 = quantize_rows(mlp.w2, kOut, kHidden);

  // ---- the report's samples: exact float references and codes by hand
  std::vector<double> h, y;
  std::vector<int> xq, hq_alone, yq_alone, yq_whole;
  std::int64_t rows = 0;
  for (const auto& feeds : inputs) {
    const Tensor& b = feeds.at("x");
    const std::int64_t n = b.dim(0);
    const std::vector<double> x = as_double(b);
    const std::vector<double> hb = dense(x, n, mlp.w1, mlp.b1, kHidden, kIn, true);
    const std::vector<double> yb = dense(hb, n, mlp.w2, mlp.b2, kOut, kHidden, false);
    h.insert(h.end(), hb.begin(), hb.end());
    y.insert(y.end(), yb.begin(), yb.end());
    std::vector<int> xqb, hqb;
    for (double v : x) xqb.push_back(quantize_linear(v, sx, zx));
    for (double v : hb) hqb.push_back(quantize_linear(v, sr, zr));
    // fc1 alone: quantized input (x), weights, output (r).
    const std::vector<int> h1 = qdense(xqb, zx, sx, n, w1, mlp.b1, kHidden, kIn, sr, zr, true);
    hq_alone.insert(hq_alone.end(), h1.begin(), h1.end());
    // fc2 alone: its input r quantized from the float value.
    const std::vector<int> y2 = qdense(hqb, zr, sr, n, w2, mlp.b2, kOut, kHidden, sy, zy, false);
    yq_alone.insert(yq_alone.end(), y2.begin(), y2.end());
    // The whole model: fc2 reads fc1's output codes.
    const std::vector<int> yw = qdense(h1, zr, sr, n, w2, mlp.b2, kOut, kHidden, sy, zy, false);
    yq_whole.insert(yq_whole.end(), yw.begin(), yw.end());
    rows += n;
  }

  EXPECT_EQ(report.samples, rows);
  ASSERT_EQ(report.layers.size(), 2u);
  const LayerReport& l1 = report.layers[0];
  const LayerReport& l2 = report.layers[1];
  EXPECT_TRUE(l1.quantized && l2.quantized);
  const LayerError fc1 = error_of(h, hq_alone, sr, zr);
  expect_error_eq(l1.isolated, fc1, "fc1 isolated");
  expect_error_eq(l1.propagated, fc1, "fc1 propagated");
  // The same input codes: exactly the same numbers.
  EXPECT_EQ(l1.isolated.sqnr_db, l1.propagated.sqnr_db);
  expect_error_eq(l2.isolated, error_of(y, yq_alone, sy, zy), "fc2 isolated");
  expect_error_eq(l2.propagated, error_of(y, yq_whole, sy, zy), "fc2 propagated");
  expect_error_eq(report.model_output, error_of(y, yq_whole, sy, zy), "model output");
  EXPECT_NE(l2.isolated.sqnr_db, l2.propagated.sqnr_db) << "the test data should make fc1's error reach fc2";

  // Weight summaries: per-channel parameters, extremes, and the weight's own SQNR.
  for (const auto& [lr, w, wf, out, in] : {std::tuple{&l1, &w1, &mlp.w1, kHidden, kIn}, std::tuple{&l2, &w2, &mlp.w2, kOut, kHidden}}) {
    SCOPED_TRACE(lr->layer.name);
    EXPECT_EQ(lr->weight.params.scale, w->scale);
    EXPECT_EQ(lr->weight.shape, (std::vector<std::int64_t>{out, in}));
    double s = 0, n = 0;
    for (std::int64_t o = 0; o < out; ++o) {
      float lo = 0, hi = 0;
      for (std::int64_t k = 0; k < in; ++k) {
        const std::size_t i = static_cast<std::size_t>(o * in + k);
        const double v = (*wf)[i];
        const double vhat = static_cast<double>(static_cast<float>(w->codes[i]) * w->scale[static_cast<std::size_t>(o)]);
        s += v * v;
        n += (vhat - v) * (vhat - v);
        lo = k == 0 ? (*wf)[i] : std::min(lo, (*wf)[i]);
        hi = k == 0 ? (*wf)[i] : std::max(hi, (*wf)[i]);
      }
      EXPECT_EQ(lr->weight.min[static_cast<std::size_t>(o)], lo);
      EXPECT_EQ(lr->weight.max[static_cast<std::size_t>(o)], hi);
    }
    EXPECT_NEAR(lr->weight.sqnr_db, 10 * std::log10(s / n), kSqnrTolerance);
    std::uint64_t counted = 0;
    for (std::uint64_t c : lr->weight.histogram.counts) counted += c;
    EXPECT_EQ(counted, static_cast<std::uint64_t>(out * in));
  }
  // Activation summaries: names, parameters, histograms of what calibration saw.
  EXPECT_EQ(l1.input.name, "x");
  EXPECT_EQ(l1.output.name, "r");
  EXPECT_EQ(l2.input.name, "r");
  EXPECT_EQ(l2.output.name, "y");
  EXPECT_EQ(l1.input.params.scale, sx);
  EXPECT_EQ(l2.output.params.zero_point, zy);
  std::uint64_t seen = 0;
  for (std::uint64_t c : l1.input.histogram.counts) seen += c;
  EXPECT_EQ(seen, static_cast<std::uint64_t>(crows * kIn));
  EXPECT_LE(l1.input.histogram.counts.size(), 128u);
  // File sizes.
  EXPECT_EQ(report.float_size.total, static_cast<std::int64_t>(model::write_onnx(mlp.model).size()));
  EXPECT_EQ(report.quantized_size.total, static_cast<std::int64_t>(model::write_onnx(convert(p, Options{}, cal)).size()));
}

TEST(PtqReport, a_layer_kept_float_has_no_isolated_error) {
  const Mlp mlp = dyadic_mlp();
  const Prepared p = prepare(mlp.model);
  const Calibration cal = calibrate(p, Options{}, {dyadic_inputs(32, 421)});
  Options o;
  o.keep_float = {"fc2"};
  const Report r = numeric_report(p, o, cal, {{{"x", dyadic_inputs(8, 422)}}});
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_TRUE(r.layers[0].quantized);
  EXPECT_FALSE(r.layers[1].quantized);
  EXPECT_EQ(r.layers[1].isolated.sqnr_db, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isfinite(r.layers[1].propagated.sqnr_db)) << "fc1's error still reaches fc2";
  EXPECT_THROW((void)numeric_report(p, o, cal, {}), InvalidArgument);
}

// ---- sensitivity -------------------------------------------------------------

/// x [N,8] → fc1 (16) Relu → fc2 (16) Relu → fc3 (4). fc1's unit 0 is dead (its
/// bias is −100, so Relu always outputs 0), and every row of fc2 reads it with
/// weight 1000: the float model ignores these weights, but per-channel 8-bit
/// quantization gives each fc2 row the step 1000/127.5 ≈ 7.8, so all its other
/// weights (|w| < 0.5) become 0 and fc2 outputs its bias whatever the input.
Model outlier_mlp() {
  Builder b(13, "outlier_mlp");
  b.input("x", {8}).output("y");
  std::vector<float> b1 = uniform(16, -0.1f, 0.1f, 502);
  b1[0] = -100.0f;
  std::vector<float> w2 = uniform(16 * 16, -0.5f, 0.5f, 503);
  for (int row = 0; row < 16; ++row) w2[static_cast<std::size_t>(row * 16)] = 1000.0f;
  b.node("Gemm", {"x", b.constant("fc1.weight", {16, 8}, uniform(128, -0.6f, 0.6f, 501)), b.constant("fc1.bias", {16}, b1)},
         {"h1"}, "fc1", {int_attr("transB", 1)});
  b.node("Relu", {"h1"}, {"r1"}, "relu1");
  b.node("Gemm", {"r1", b.constant("fc2.weight", {16, 16}, w2), b.constant("fc2.bias", {16}, uniform(16, -0.1f, 0.1f, 504))},
         {"h2"}, "fc2", {int_attr("transB", 1)});
  b.node("Relu", {"h2"}, {"r2"}, "relu2");
  b.node("Gemm", {"r2", b.constant("fc3.weight", {4, 16}, uniform(64, -0.6f, 0.6f, 505)), b.constant("fc3.bias", {4}, std::vector<float>(4, 0.0f))},
         {"y"}, "fc3", {int_attr("transB", 1)});
  return b.model();
}

/// The float model's top-1 as labels, keeping only inputs whose top-1 leads
/// the runner-up by `margin`: quantizing the well-behaved layers must not flip them.
void labelled(const Model& m, std::int64_t want, float margin, Tensor& inputs, std::vector<std::int64_t>& labels) {
  const Tensor candidates = tensor({4000, 8}, uniform(4000 * 8, -2, 2, 510));
  const std::vector<float> logits = values(run_first_output(m, "x", candidates));
  std::vector<float> kept;
  for (std::int64_t i = 0; i < 4000 && static_cast<std::int64_t>(labels.size()) < want; ++i) {
    const float* l = &logits[static_cast<std::size_t>(i * 4)];
    const std::int64_t top = std::max_element(l, l + 4) - l;
    float second = -1e30f;
    for (int c = 0; c < 4; ++c)
      if (c != top) second = std::max(second, l[c]);
    if (l[top] - second < margin) continue;
    labels.push_back(top);
    kept.insert(kept.end(), candidates.data<float>() + i * 8, candidates.data<float>() + i * 8 + 8);
  }
  inputs = tensor({static_cast<std::int64_t>(labels.size()), 8}, kept);
}

/// What the searches run on: `m` prepared, `want` inputs it classifies with a
/// margin of 0.3 (labelled with its own top-1), and a calibration on 64 random inputs.
struct SearchSetting {
  Prepared prepared;
  Tensor inputs;
  std::vector<std::int64_t> labels;
  Calibration calibration;
};

SearchSetting search_setting(const Model& m, std::int64_t want, std::uint32_t seed) {
  SearchSetting out{prepare(m), {}, {}, {}};
  labelled(m, want, 0.3f, out.inputs, out.labels);
  out.calibration = calibrate(out.prepared, Options{}, {tensor({64, 8}, uniform(64 * 8, -2, 2, seed))});
  return out;
}

TEST(PtqSensitivity, the_plan_keeps_the_layer_that_8bit_weights_destroy_in_float) {
  const Model m = outlier_mlp();
  const auto [p, inputs, labels, cal] = search_setting(m, 120, 511);
  ASSERT_EQ(labels.size(), 120u);
  std::vector<int> per_class(4, 0);
  for (std::int64_t l : labels) ++per_class[static_cast<std::size_t>(l)];
  EXPECT_LT(*std::max_element(per_class.begin(), per_class.end()), 100) << "more than one class, so a constant output fails";

  const double budget = 0.02;
  const Sensitivity s = sensitivity(p, Options{}, cal, inputs, labels, budget);
  EXPECT_EQ(s.float_accuracy, 1.0);
  EXPECT_LT(s.quantized_accuracy, 0.85) << "fc2 destroyed";
  EXPECT_EQ(s.budget, budget);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].layer, "fc2") << "most sensitive first";
  EXPECT_GT(s.layers[0].drop, 0.15);
  EXPECT_NEAR(s.layers[0].drop, s.float_accuracy - s.layers[0].accuracy, 1e-12);
  for (std::size_t i = 1; i < s.layers.size(); ++i) {
    EXPECT_LE(s.layers[i].drop, budget) << s.layers[i].layer;
    EXPECT_GE(s.layers[i - 1].drop, s.layers[i].drop) << "sorted by drop";
  }
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_TRUE(s.steps[0].keep_float.empty());
  EXPECT_EQ(s.steps[0].accuracy, s.quantized_accuracy);
  EXPECT_EQ(s.steps[1].keep_float, std::vector<std::string>{"fc2"});
  EXPECT_GE(s.steps[1].accuracy, 1.0 - budget);
  EXPECT_EQ(s.plan, std::vector<std::string>{"fc2"});
  EXPECT_TRUE(s.within_budget);

  // The plan, applied: fc2 float, the rest int8, within budget on the same data.
  Options planned;
  planned.keep_float = s.plan;
  const model::Session q(convert(p, planned, cal));
  const model::Session f(p.model);
  const Evaluation e = compare_predictions(predict(f, "x", inputs), predict(q, "x", inputs), labels);
  EXPECT_EQ(e.quantized_accuracy, s.steps[1].accuracy);
  EXPECT_EQ(e.float_accuracy, 1.0);
  EXPECT_EQ(e.count, 120);
}

TEST(PtqSensitivity, a_model_already_within_budget_keeps_everything_quantized) {
  const Model m = outlier_mlp();
  const auto [p, inputs, labels, cal] = search_setting(m, 60, 512);
  Options o;
  o.keep_float = {"fc2"};  // the plan already applied
  const Sensitivity s = sensitivity(p, o, cal, inputs, labels, 0.02);
  EXPECT_EQ(s.layers.size(), 2u);
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_EQ(s.plan, std::vector<std::string>{"fc2"});
  EXPECT_TRUE(s.within_budget);
  // An impossible budget: every layer kept float in turn, then the last step.
  const Sensitivity none = sensitivity(p, Options{}, cal, inputs, labels, 0.0, 1);
  EXPECT_EQ(none.steps.size(), 2u) << "max_steps = 1";
}

TEST(PtqSensitivity, bad_arguments_are_refused) {
  const Prepared p = prepare(outlier_mlp());
  const Calibration cal = calibrate(p, Options{}, {tensor({8, 8}, uniform(64, -2, 2, 513))});
  const Tensor x = tensor({3, 8}, uniform(24, -2, 2, 514));
  EXPECT_THROW((void)sensitivity(p, Options{}, cal, x, {0, 1}, 0.01), InvalidArgument);
  EXPECT_THROW((void)sensitivity(p, Options{}, cal, x, {0, 1, 2}, -0.1), InvalidArgument);
  EXPECT_THROW((void)compare_predictions({0, 1}, {0}, {0, 1}), InvalidArgument);
  const Evaluation e = compare_predictions({0, 1, 2, 3}, {0, 2, 2, 1}, {0, 1, 1, 3});
  EXPECT_EQ(e.float_accuracy, 0.75);
  EXPECT_EQ(e.quantized_accuracy, 0.25);
  EXPECT_EQ(e.agreement, 0.5);
  EXPECT_EQ(e.disagreements, (std::vector<std::int64_t>{1, 3}));
  const model::Session s(p.model);
  EXPECT_THROW((void)predict(s, "x", x, 0), InvalidArgument);
}


// ---- low-bit plan --------------------------------------------------------------

/// outlier_mlp with fc2's weights on the dead unit at 6 instead of 1000: at 8
/// bits each fc2 row's step is 6/127.5 ≈ 0.05, harmless; at 4 bits it is
/// 6/7.5 = 0.8, and its other weights (|w| < 0.5) round to 0 or ±0.8.
Model mild_outlier_mlp() {
  Model m = outlier_mlp();
  Tensor& w2 = m.graph.initializers.at("fc2.weight");
  for (int row = 0; row < 16; ++row) w2.data<float>()[row * 16] = 6.0f;
  return m;
}

/// The accuracy and file size of `options`' model, computed the long way.
std::pair<double, std::int64_t> accuracy_and_bytes(const Prepared& p, const Options& o, const Calibration& cal,
                                                   const Tensor& inputs, const std::vector<std::int64_t>& labels) {
  const Model q = convert(p, o, cal);
  const model::Session s(q);
  const std::vector<std::int64_t> predicted = predict(s, "x", inputs);
  const Evaluation e = compare_predictions(predicted, predicted, labels);
  return {e.quantized_accuracy, static_cast<std::int64_t>(model::write_onnx(q).size())};
}

TEST(PtqLowBitPlan, keeps_the_layers_that_take_4bit_weights_and_refuses_the_one_they_break) {
  const Model m = mild_outlier_mlp();
  const auto [p, inputs, labels, cal] = search_setting(m, 120, 520);
  ASSERT_EQ(labels.size(), 120u);
  const double budget = 0.05;
  const LowBitPlan lb = low_bit_plan(p, Options{}, cal, inputs, labels, budget);

  EXPECT_EQ(lb.bits, 4);
  EXPECT_EQ(lb.float_accuracy, 1.0);
  EXPECT_EQ(lb.float_bytes, p.float_size.total);
  const auto base = accuracy_and_bytes(p, Options{}, cal, inputs, labels);
  EXPECT_EQ(lb.quantized_accuracy, base.first);
  EXPECT_EQ(lb.quantized_bytes, base.second);
  EXPECT_TRUE(lb.within_budget) << "8-bit fc2 is harmless here: " << lb.quantized_accuracy;

  ASSERT_EQ(lb.layers.size(), 3u);
  for (std::size_t i = 0; i < lb.layers.size(); ++i) {
    const LowBitLayer& l = lb.layers[i];
    Options one;
    one.weights.layer_bits[l.layer] = 4;
    const auto got = accuracy_and_bytes(p, one, cal, inputs, labels);
    EXPECT_EQ(l.accuracy, got.first) << l.layer;
    EXPECT_NEAR(l.drop, lb.float_accuracy - l.accuracy, 1e-12) << l.layer;
    EXPECT_EQ(l.bytes_saved, base.second - got.second) << l.layer;
    EXPECT_GT(l.bytes_saved, 0) << l.layer << ": half a byte per weight";
    if (i > 0 && lb.layers[i - 1].drop > 0) {
      const LowBitLayer& prev = lb.layers[i - 1];
      EXPECT_GT(l.drop, 0) << "layers that lose nothing come first";
      EXPECT_GE(prev.bytes_saved / prev.drop, l.bytes_saved / l.drop) << "bytes per point, best first";
    }
  }
  EXPECT_EQ(lb.layers.back().layer, "fc2") << "4-bit fc2 loses its small weights";
  EXPECT_GT(lb.layers.back().drop, budget);

  // Each layer is tried once, in that order; accepted exactly when within budget.
  ASSERT_EQ(lb.steps.size(), 3u);
  std::map<std::string, int> accepted;
  for (std::size_t i = 0; i < lb.steps.size(); ++i) {
    const LowBitStep& st = lb.steps[i];
    EXPECT_EQ(st.layer, lb.layers[i].layer);
    Options o;
    o.weights.layer_bits = accepted;
    o.weights.layer_bits[st.layer] = 4;
    const auto got = accuracy_and_bytes(p, o, cal, inputs, labels);
    EXPECT_EQ(st.accuracy, got.first) << st.layer;
    EXPECT_EQ(st.bytes, got.second) << st.layer;
    EXPECT_EQ(st.accepted, lb.float_accuracy - st.accuracy <= budget) << st.layer;
    if (st.accepted) accepted[st.layer] = 4;
  }
  EXPECT_EQ(lb.plan, accepted);
  EXPECT_EQ(lb.plan.count("fc2"), 0u);
  EXPECT_FALSE(lb.plan.empty()) << "fc1 and fc3 take 4 bits within 5 points";
  Options planned;
  planned.weights.layer_bits = lb.plan;
  const auto got = accuracy_and_bytes(p, planned, cal, inputs, labels);
  EXPECT_EQ(lb.accuracy, got.first);
  EXPECT_EQ(lb.bytes, got.second);
  EXPECT_LT(lb.bytes, lb.quantized_bytes);
  EXPECT_GE(lb.accuracy, lb.float_accuracy - budget);

  // The JSON carries it.
  const std::string j = report_to_json(numeric_report(p, planned, cal, {{{"x", inputs}}}), nullptr, nullptr, &lb);
  EXPECT_NE(j.find("\"lowBits\":{"), std::string::npos);
  EXPECT_NE(j.find("\"bytesSaved\":"), std::string::npos);
}

TEST(PtqLowBitPlan, a_model_outside_the_budget_gets_no_plan) {
  const Model m = outlier_mlp();  // 8-bit fc2 already destroys it
  const auto [p, inputs, labels, cal] = search_setting(m, 60, 521);
  const LowBitPlan lb = low_bit_plan(p, Options{}, cal, inputs, labels, 0.02);
  EXPECT_FALSE(lb.within_budget);
  EXPECT_TRUE(lb.steps.empty());
  EXPECT_TRUE(lb.plan.empty());
  EXPECT_EQ(lb.layers.size(), 3u) << "the per-layer figures are still there";
  EXPECT_EQ(lb.bytes, lb.quantized_bytes);
  // Layers kept in float or already at 4 bits are not candidates.
  Options o;
  o.keep_float = {"fc2"};
  o.weights.layer_bits = {{"fc1", 4}};
  const LowBitPlan rest = low_bit_plan(p, o, cal, inputs, labels, 0.02);
  ASSERT_EQ(rest.layers.size(), 1u);
  EXPECT_EQ(rest.layers[0].layer, "fc3");
  EXPECT_EQ(rest.plan.count("fc1"), 1u) << "the options' own entries stay in the plan";
}

TEST(PtqLowBitPlan, bad_arguments_are_refused) {
  const Prepared p = prepare(outlier_mlp());
  const Calibration cal = calibrate(p, Options{}, {tensor({8, 8}, uniform(64, -2, 2, 522))});
  const Tensor x = tensor({3, 8}, uniform(24, -2, 2, 523));
  const std::vector<std::int64_t> y{0, 1, 2};
  EXPECT_THROW((void)low_bit_plan(p, Options{}, cal, x, {0, 1}, 0.01), InvalidArgument);
  EXPECT_THROW((void)low_bit_plan(p, Options{}, cal, x, y, -1.0), InvalidArgument);
  EXPECT_THROW((void)low_bit_plan(p, Options{}, cal, x, y, 0.01, 8), InvalidArgument);
  EXPECT_THROW((void)low_bit_plan(p, Options{}, cal, x, y, 0.01, 1), InvalidArgument);
  Options dynamic;
  dynamic.mode = Mode::dynamic_mode;
  EXPECT_THROW((void)low_bit_plan(p, dynamic, cal, x, y, 0.01), InvalidArgument);
}

// The report's evaluation stands in for the searches' first two evaluations:
// the same results, and an evaluation of other inputs is refused.
TEST(PtqSearches, reuse_the_reports_evaluation) {
  const Model m = mild_outlier_mlp();
  const auto [p, inputs, labels, cal] = search_setting(m, 120, 524);
  const model::Session f(p.model);
  const model::Session q(convert(p, Options{}, cal));
  const Evaluation e = compare_predictions(predict(f, "x", inputs), predict(q, "x", inputs), labels);

  const Sensitivity s = sensitivity(p, Options{}, cal, inputs, labels, 0.05);
  const Sensitivity s_e = sensitivity(p, Options{}, cal, inputs, labels, 0.05, 8, {}, &e);
  EXPECT_EQ(s_e.float_accuracy, s.float_accuracy);
  EXPECT_EQ(s_e.quantized_accuracy, s.quantized_accuracy);
  ASSERT_EQ(s_e.layers.size(), s.layers.size());
  for (std::size_t i = 0; i < s.layers.size(); ++i) EXPECT_EQ(s_e.layers[i].accuracy, s.layers[i].accuracy);
  EXPECT_EQ(s_e.plan, s.plan);

  const LowBitPlan lb = low_bit_plan(p, Options{}, cal, inputs, labels, 0.05);
  const LowBitPlan lb_e = low_bit_plan(p, Options{}, cal, inputs, labels, 0.05, 4, {}, &e);
  EXPECT_EQ(lb_e.float_accuracy, lb.float_accuracy);
  EXPECT_EQ(lb_e.quantized_accuracy, lb.quantized_accuracy);
  EXPECT_EQ(lb_e.quantized_bytes, lb.quantized_bytes);
  ASSERT_EQ(lb_e.steps.size(), lb.steps.size());
  for (std::size_t i = 0; i < lb.steps.size(); ++i) EXPECT_EQ(lb_e.steps[i].accepted, lb.steps[i].accepted);
  EXPECT_EQ(lb_e.plan, lb.plan);
  EXPECT_EQ(lb_e.bytes, lb.bytes);

  // The evaluation's figures are the ones taken (not measured again).
  Evaluation given = e;
  given.float_accuracy = 0.5;
  given.quantized_accuracy = 0.25;
  EXPECT_EQ(sensitivity(p, Options{}, cal, inputs, labels, 0.05, 8, {}, &given).quantized_accuracy, 0.25);
  const LowBitPlan lb_g = low_bit_plan(p, Options{}, cal, inputs, labels, 0.05, 4, {}, &given);
  EXPECT_EQ(lb_g.float_accuracy, 0.5);
  EXPECT_EQ(lb_g.quantized_accuracy, 0.25);
  EXPECT_EQ(lb_g.quantized_bytes, lb.quantized_bytes) << "the file is still measured";

  Evaluation other = e;
  other.count = 7;
  EXPECT_THROW((void)sensitivity(p, Options{}, cal, inputs, labels, 0.05, 8, {}, &other), InvalidArgument);
  EXPECT_THROW((void)low_bit_plan(p, Options{}, cal, inputs, labels, 0.05, 4, {}, &other), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::ptq::test
