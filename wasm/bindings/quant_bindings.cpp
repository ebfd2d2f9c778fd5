// Bindings of core/quant and core/calib: parameters, quantize / dequantize /
// fake-quantize, error metrics and observers. Options objects use the npm
// API's names (scheme, bits, signed, narrowRange, granularity, axis,
// groupSize, observer, percentile, momentum, bins, rounding, seed).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "guard.h"
#include "quantlab/calib/observer.h"
#include "quantlab/error.h"
#include "quantlab/quant/metrics.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"
#include "tensor_conversion.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;
namespace qq = quantlab::quant;
namespace qc = quantlab::calib;

// Symmetric grids default to signed codes (int8), affine ones to unsigned
// (uint8): PyTorch's qint8 / quint8 defaults and ONNX's usual choice.
qq::QuantSpec spec_from(const val& o) {
  qq::QuantSpec s;
  s.scheme = qq::parse_scheme(opt_string(o, "scheme", "asymmetric"));
  s.bits = opt_int(o, "bits", 8);
  s.is_signed = opt_bool(o, "signed", s.scheme == qq::Scheme::symmetric);
  s.narrow_range = opt_bool(o, "narrowRange", false);
  s.granularity = qq::parse_granularity(opt_string(o, "granularity", "tensor"));
  s.axis = opt_int(o, "axis", 0);
  s.group_size = opt_int(o, "groupSize", 0);
  s.rounding = qq::parse_rounding(opt_string(o, "rounding", "half_even"));
  const double seed = opt_number(o, "seed", 0);
  if (!(seed >= 0) || seed > 9007199254740991.0) throw InvalidArgument("option seed must be an integer >= 0");
  s.seed = static_cast<std::uint64_t>(seed);
  qq::validate(s);
  return s;
}

qc::ObserverOptions observer_options_from(const val& o, const qq::QuantSpec& spec) {
  qc::ObserverOptions ob;
  ob.kind = qc::parse_observer_kind(opt_string(o, "observer", "minmax"));
  ob.granularity = spec.granularity == qq::Granularity::channel ? qq::Granularity::channel : qq::Granularity::tensor;
  ob.axis = spec.axis;
  ob.momentum = static_cast<float>(opt_number(o, "momentum", ob.momentum));
  ob.percentile = opt_number(o, "percentile", ob.percentile);
  ob.bins = opt_int(o, "bins", ob.bins);
  return ob;
}

val params_to_js(const qq::QuantParams& p, const qq::QuantSpec& s, const qq::Ranges& r) {
  val o = val::object();
  o.set("scale", float32_array(p.scale.data(), p.scale.size()));
  o.set("zeroPoint", int32_array(p.zero_point.data(), p.zero_point.size()));
  o.set("qmin", p.qmin);
  o.set("qmax", p.qmax);
  o.set("scheme", std::string(qq::to_string(s.scheme)));
  o.set("bits", s.bits);
  o.set("signed", s.is_signed);
  o.set("narrowRange", s.narrow_range);
  o.set("granularity", std::string(qq::to_string(p.granularity)));
  o.set("axis", p.axis);
  o.set("groupSize", p.group_size);
  o.set("rounding", std::string(qq::to_string(s.rounding)));
  o.set("seed", static_cast<double>(s.seed));
  val range = val::object();
  range.set("min", float32_array(r.min.data(), r.min.size()));
  range.set("max", float32_array(r.max.data(), r.max.size()));
  o.set("range", range);
  o.set("nonfiniteCount", static_cast<double>(r.nonfinite_count));
  return o;
}

qq::QuantParams params_from_js(const val& o) {
  if (o.isUndefined() || o.isNull()) throw InvalidArgument("params are missing (use quantParams() to make them)");
  qq::QuantParams p;
  const val scale = o["scale"];
  const val zp = o["zeroPoint"];
  if (scale.isUndefined() || zp.isUndefined()) throw InvalidArgument("params need scale and zeroPoint");
  p.scale = emscripten::convertJSArrayToNumberVector<float>(scale);
  p.zero_point = emscripten::convertJSArrayToNumberVector<std::int32_t>(zp);
  p.qmin = opt_int(o, "qmin", 0);
  p.qmax = opt_int(o, "qmax", 255);
  p.granularity = qq::parse_granularity(opt_string(o, "granularity", "tensor"));
  p.axis = opt_int(o, "axis", 0);
  p.group_size = opt_int(o, "groupSize", 0);
  return p;
}

qc::Calibration calibrate_one(const xt::xarray<float>& x, const val& opts, const qq::QuantSpec& spec) {
  std::vector<xt::xarray<float>> batches;
  batches.push_back(x);
  return qc::calibrate(batches, spec, observer_options_from(opts, spec));
}

val quant_params(val x, val opts) {
  const qq::QuantSpec spec = spec_from(opts);
  const qc::Calibration c = calibrate_one(to_float_array(x, "x"), opts, spec);
  return params_to_js(c.params, spec, c.range);
}

val quantize_tensor(val x, val params) {
  const qq::QuantParams p = params_from_js(params);
  const auto rounding = qq::parse_rounding(opt_string(params, "rounding", "half_even"));
  const auto seed = static_cast<std::uint64_t>(opt_number(params, "seed", 0));
  return to_js_tensor(qq::quantize(to_float_array(x, "x"), p, rounding, seed));
}

val dequantize_tensor(val q, val params) {
  return to_js_tensor(qq::dequantize(to_int_array(q, "q"), params_from_js(params)));
}

val fake_quantize_tensor(val x, val opts) {
  const qq::QuantSpec spec = spec_from(opts);
  const xt::xarray<float> a = to_float_array(x, "x");
  const qc::Calibration c = calibrate_one(a, opts, spec);
  val out = to_js_tensor(qq::fake_quantize(a, c.params, spec.rounding, spec.seed));
  out.set("params", params_to_js(c.params, spec, c.range));
  return out;
}

val error_stats(val x, val xhat, int bins) {
  const qq::ErrorStats e = qq::error_stats(to_float_array(x, "x"), to_float_array(xhat, "xhat"), bins);
  val o = val::object();
  o.set("mse", e.mse);
  o.set("rmse", e.rmse);
  o.set("maxAbsError", e.max_abs_error);
  o.set("sqnrDb", e.sqnr_db);
  o.set("cosine", e.cosine);
  val hist = val::object();
  hist.set("edges", float64_array(e.hist_edges.data(), e.hist_edges.size()));
  std::vector<double> counts(e.hist_counts.begin(), e.hist_counts.end());
  hist.set("counts", float64_array(counts.data(), counts.size()));
  o.set("histogram", hist);
  return o;
}

// An observer together with the quantization spec its params() use.
struct ObserverHandle {
  qq::QuantSpec spec;
  qc::Observer observer;
};

ObserverHandle* create_observer(val opts) {
  const qq::QuantSpec spec = spec_from(opts);
  return new ObserverHandle{spec, qc::make_observer(observer_options_from(opts, spec))};
}

void observer_observe(ObserverHandle& h, val batch) { h.observer.observe(to_float_array(batch, "batch")); }

val observer_params(ObserverHandle& h) {
  return params_to_js(h.observer.params(h.spec), h.spec, h.observer.range(h.spec));
}

val observer_histogram(ObserverHandle& h, int slot) {
  if (h.observer.slots() == 0) return val::null();
  if (slot < 0 || static_cast<std::size_t>(slot) >= h.observer.slots()) {
    throw InvalidArgument("histogram slot " + std::to_string(slot) + " is outside 0.." +
                          std::to_string(h.observer.slots() - 1));
  }
  const qc::Histogram& hist = h.observer.histogram(static_cast<std::size_t>(slot));
  const std::vector<double> edges = hist.edges();
  std::vector<double> counts(hist.counts().begin(), hist.counts().end());
  val o = val::object();
  o.set("edges", float64_array(edges.data(), edges.size()));
  o.set("counts", float64_array(counts.data(), counts.size()));
  o.set("min", hist.min());
  o.set("max", hist.max());
  o.set("total", static_cast<double>(hist.total()));
  return o;
}

val observer_stats(ObserverHandle& h) {
  val o = val::object();
  o.set("slots", static_cast<double>(h.observer.slots()));
  o.set("batches", static_cast<double>(h.observer.batch_count()));
  o.set("nonfiniteCount", static_cast<double>(h.observer.nonfinite_count()));
  return o;
}

}  // namespace
}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_quant) {
  using namespace quantlab::wasm;
  emscripten::function("quantParams", QL_GUARD(quant_params));
  emscripten::function("quantize", QL_GUARD(quantize_tensor));
  emscripten::function("dequantize", QL_GUARD(dequantize_tensor));
  emscripten::function("fakeQuantize", QL_GUARD(fake_quantize_tensor));
  emscripten::function("errorStats", QL_GUARD(error_stats));
  emscripten::class_<ObserverHandle>("ObserverHandle");
  emscripten::function("createObserver", QL_GUARD(create_observer), emscripten::allow_raw_pointers());
  emscripten::function("observerObserve", QL_GUARD(observer_observe));
  emscripten::function("observerParams", QL_GUARD(observer_params));
  emscripten::function("observerHistogram", QL_GUARD(observer_histogram));
  emscripten::function("observerStats", QL_GUARD(observer_stats));
}
