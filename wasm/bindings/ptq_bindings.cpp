// Bindings of core/ptq: a PTQ job holds the prepared float model, the
// calibration state and the current quantized model; the JS loader drives it
// batch by batch so progress can be reported between calls.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "guard.h"
#include "model_handle.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/recipe.h"
#include "quantlab/ptq/report.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;
namespace qm = quantlab::model;

/// Report samples kept from calibration (the numeric report runs on them).
constexpr std::int64_t kReportSamples = 64;

struct PtqHandle {
  qm::Model float_model;
  ptq::Prepared prepared;
  ptq::Options options;
  std::unique_ptr<ptq::Calibrator> calibrator;
  ptq::Calibration calibration;
  std::vector<std::map<std::string, qm::Tensor>> report_inputs;
  std::int64_t report_samples = 0;
  std::unique_ptr<qm::Model> quantized;
  std::unique_ptr<qm::Session> session;
};

PtqHandle& live(PtqHandle* h) {
  if (h == nullptr) throw InvalidArgument("this quantized model was deleted");
  return *h;
}

std::string str(const val& o, const char* key, const std::string& fallback) {
  const val v = o[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (!v.isString()) throw InvalidArgument(std::string("option '") + key + "' must be a string");
  return v.as<std::string>();
}

double number(const val& o, const char* key, double fallback) {
  const val v = o[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (!v.isNumber()) throw InvalidArgument(std::string("option '") + key + "' must be a number");
  return v.as<double>();
}

std::vector<std::string> strings(const val& a, const char* what) {
  std::vector<std::string> out;
  if (a.isUndefined() || a.isNull()) return out;
  if (!a.isArray()) throw InvalidArgument(std::string(what) + " must be an array of layer names");
  const std::size_t n = a["length"].as<std::size_t>();
  for (std::size_t i = 0; i < n; ++i) {
    if (!a[i].isString()) throw InvalidArgument(std::string(what) + " must be an array of layer names");
    out.push_back(a[i].as<std::string>());
  }
  return out;
}

/// { layerName: bits } (undefined: none).
std::map<std::string, int> layer_bits(const val& o) {
  std::map<std::string, int> out;
  if (o.isUndefined() || o.isNull()) return out;
  if (o.typeOf().as<std::string>() != "object" || o.isArray())
    throw InvalidArgument("weights.layerBits must be an object of layer name -> bits");
  const val keys = val::global("Object").call<val>("keys", o);
  const std::size_t n = keys["length"].as<std::size_t>();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = keys[i].as<std::string>();
    const val b = o[name];
    const double bits = b.isNumber() ? b.as<double>() : NAN;
    // Range-checked before the cast; validate() then asks for 2..8.
    if (!(bits >= 0 && bits <= 64) || bits != std::floor(bits))
      throw InvalidArgument("weights.layerBits['" + name + "'] must be a whole number of bits (2..8)");
    out[name] = static_cast<int>(bits);
  }
  return out;
}

val bits_to_js(const std::map<std::string, int>& bits) {
  val o = val::object();
  for (const auto& [name, b] : bits) o.set(name, b);
  return o;
}

val to_js(const std::vector<std::string>& v) {
  val a = val::array();
  for (const std::string& s : v) a.call<void>("push", s);
  return a;
}

// The JS loader has checked the keys; the values are checked here.
ptq::Options options_from(const val& o) {
  ptq::Options out;
  out.mode = ptq::parse_mode(str(o, "mode", "static"));
  const val a = o["activations"].isUndefined() ? val::object() : o["activations"];
  out.activations.scheme = quant::parse_scheme(str(a, "scheme", "asymmetric"));
  const std::string type = str(a, "type", "int8");
  if (type != "int8" && type != "uint8") throw InvalidArgument("activations.type must be 'int8' or 'uint8', got '" + type + "'");
  out.activations.is_signed = type == "int8";
  out.activations.observer = calib::parse_observer_kind(str(a, "observer", "minmax"));
  out.activations.percentile = number(a, "percentile", out.activations.percentile);
  out.activations.momentum = static_cast<float>(number(a, "momentum", out.activations.momentum));
  out.activations.bins = static_cast<int>(number(a, "bins", out.activations.bins));
  const val w = o["weights"].isUndefined() ? val::object() : o["weights"];
  out.weights.scheme = quant::parse_scheme(str(w, "scheme", "symmetric"));
  out.weights.bits = static_cast<int>(number(w, "bits", 8));
  out.weights.granularity = quant::parse_granularity(str(w, "granularity", "channel"));
  out.weights.observer = calib::parse_observer_kind(str(w, "observer", "minmax"));
  out.weights.percentile = number(w, "percentile", out.weights.percentile);
  out.weights.bins = static_cast<int>(number(w, "bins", out.weights.bins));
  out.weights.layer_bits = layer_bits(w["layerBits"]);
  out.keep_float = strings(o["keepFloat"], "keepFloat");
  ptq::validate(out);
  return out;
}

val layers_to_js(const PtqHandle& h) {
  const std::vector<std::string> q = ptq::quantized_layers(h.prepared, h.options);
  val a = val::array();
  for (const ptq::Layer& l : h.prepared.layers) {
    val o = val::object();
    o.set("name", l.name);
    o.set("opType", l.op_type);
    o.set("activation", l.activation);
    o.set("input", l.input);
    o.set("output", l.output);
    o.set("flops", static_cast<double>(l.flops));
    o.set("weightElements", static_cast<double>(l.weight_elements));
    o.set("quantized", std::find(q.begin(), q.end(), l.name) != q.end());
    o.set("weightBits", ptq::weight_bits(h.options, l));
    a.call<void>("push", o);
  }
  return a;
}

PtqHandle* ptq_create(ModelHandle& model, val options) {
  auto h = std::make_unique<PtqHandle>();
  h->float_model = model.session.model();
  h->options = options_from(options);
  h->prepared = ptq::prepare(h->float_model);
  if (h->options.mode == ptq::Mode::static_mode)
    h->calibrator = std::make_unique<ptq::Calibrator>(h->prepared, h->options);
  return h.release();
}

/// One calibration batch of the model's input, staged at position 0 (run_stage.cpp).
void ptq_observe(PtqHandle* handle) {
  qm::Tensor batch = take_staged_input("the calibration batch");
  PtqHandle& h = live(handle);
  std::map<std::string, qm::Tensor> feeds;
  feeds.emplace(h.prepared.input, std::move(batch));
  if (h.calibrator) h.calibrator->observe(feeds);
  const qm::Tensor& t = feeds.at(h.prepared.input);
  const std::int64_t n = t.rank() ? t.dim(0) : 1;
  if (h.report_samples < kReportSamples) {
    h.report_samples += n;
    h.report_inputs.push_back(std::move(feeds));
  }
}

/// Converts with the current options (keep_float and the per-layer weight bits replaced when given).
val ptq_convert(PtqHandle* handle, val keep_float, val layer_bits_js) {
  PtqHandle& h = live(handle);
  // Work on copies: a conversion that fails (an unknown keep_float name) leaves
  // the handle's options and model as they were, so report() and recipe() still work.
  ptq::Options options = h.options;
  if (!keep_float.isUndefined() && !keep_float.isNull()) options.keep_float = strings(keep_float, "keepFloat");
  if (!layer_bits_js.isUndefined() && !layer_bits_js.isNull()) options.weights.layer_bits = layer_bits(layer_bits_js);
  ptq::Calibration calibration = h.calibration;
  if (h.calibrator) {
    if (h.calibrator->samples() == 0) throw InvalidArgument("calibration needs at least one batch");
    calibration = h.calibrator->result();
  }
  auto q = std::make_unique<qm::Model>(ptq::convert(h.prepared, options, calibration));
  auto s = std::make_unique<qm::Session>(*q);
  h.options = std::move(options);
  h.calibration = std::move(calibration);
  h.quantized = std::move(q);
  h.session = std::move(s);
  val o = val::object();
  o.set("layers", layers_to_js(h));
  o.set("keepFloat", to_js(h.options.keep_float));
  o.set("layerBits", bits_to_js(h.options.weights.layer_bits));
  o.set("calibrationSamples", static_cast<double>(h.calibration.samples));
  o.set("info", session_info(*h.session));
  return o;
}

qm::Session& converted(PtqHandle& h) {
  if (!h.session) throw InvalidArgument("the model is not converted yet");
  return *h.session;
}

int ptq_run(PtqHandle* handle) { return run_staged(converted(live(handle))); }

val ptq_profile(PtqHandle* handle, int runs) { return session_profile(converted(live(handle)), runs); }

val ptq_export(PtqHandle* handle) {
  PtqHandle& h = live(handle);
  converted(h);
  const std::vector<std::uint8_t> bytes = qm::write_onnx(*h.quantized);
  return bytes_to_js(bytes.data(), bytes.size());
}

std::string ptq_recipe(PtqHandle* handle, std::string note) {
  PtqHandle& h = live(handle);
  converted(h);
  ptq::Recipe r;
  r.options = h.options;
  r.calibration = h.calibration;
  r.model_name = h.float_model.graph.name;
  r.model_nodes = static_cast<std::int64_t>(h.float_model.graph.nodes.size());
  r.calibration_note = note;
  return ptq::recipe_to_json(r);
}

/// The report as JSON. With `evaluate`, the images staged at position 0
/// (run_stage.cpp) and `labels`, an array; progress(stage, done, total) when a function.
std::string ptq_report(PtqHandle* handle, bool evaluate, val labels, bool with_sensitivity, double budget,
                       bool with_low_bits, double low_bits_budget, val progress) {
  qm::Tensor staged_images = evaluate ? take_staged_input("the evaluation images") : qm::Tensor();
  PtqHandle& h = live(handle);
  const qm::Session& qs = converted(h);
  if (h.report_inputs.empty()) throw InvalidArgument("the report needs the calibration samples (none were observed)");
  // onProgress returning false stops the report between two steps.
  const bool has_progress = progress.typeOf().as<std::string>() == "function";
  auto progress_as = [&progress, has_progress](std::string name) -> ptq::Progress {
    return [&progress, has_progress, name](const std::string& stage, std::int64_t done, std::int64_t total) {
      if (!has_progress) return;
      const val go = progress(name.empty() ? stage : name, static_cast<double>(done), static_cast<double>(total));
      if (go.isFalse()) throw InvalidArgument("cancelled");
    };
  };
  const ptq::Progress report_progress = progress_as("");
  const ptq::Report report = ptq::numeric_report(h.prepared, h.options, h.calibration, h.report_inputs,
                                                 h.calibrator.get(), report_progress);
  std::unique_ptr<ptq::Evaluation> ev;
  std::unique_ptr<ptq::Sensitivity> sens;
  std::unique_ptr<ptq::LowBitPlan> low;
  if (evaluate) {
    const qm::Tensor images = std::move(staged_images);
    std::vector<std::int64_t> y;
    if (labels.isUndefined() || labels.isNull()) throw InvalidArgument("evaluation needs labels");
    const std::size_t n = labels["length"].as<std::size_t>();
    for (std::size_t i = 0; i < n; ++i) y.push_back(static_cast<std::int64_t>(labels[i].as<double>()));
    if (images.rank() < 1 || images.dim(0) != static_cast<std::int64_t>(y.size()))
      throw InvalidArgument("evaluation holds " + std::to_string(images.rank() ? images.dim(0) : 0) + " inputs but " +
                            std::to_string(y.size()) + " labels");
    const qm::Session fs(h.prepared.model);
    const std::vector<std::int64_t> fp = ptq::predict(fs, h.prepared.input, images, 50, progress_as("evaluate float"));
    const std::vector<std::int64_t> qp = ptq::predict(qs, h.prepared.input, images, 50, progress_as("evaluate int8"));
    ev = std::make_unique<ptq::Evaluation>(ptq::compare_predictions(fp, qp, y));
    if (with_sensitivity)
      sens = std::make_unique<ptq::Sensitivity>(
          ptq::sensitivity(h.prepared, h.options, h.calibration, images, y, budget, 8, report_progress, ev.get()));
    if (with_low_bits)
      low = std::make_unique<ptq::LowBitPlan>(ptq::low_bit_plan(h.prepared, h.options, h.calibration, images, y,
                                                                low_bits_budget, 4, report_progress, ev.get()));
  } else if (with_sensitivity || with_low_bits) {
    throw InvalidArgument(std::string(with_sensitivity ? "sensitivity" : "the low-bit plan") + " needs evaluation data");
  }
  return ptq::report_to_json(report, ev.get(), sens.get(), low.get());
}

PtqHandle* ptq_replay(ModelHandle& model, std::string recipe_json) {
  auto h = std::make_unique<PtqHandle>();
  h->float_model = model.session.model();
  const ptq::Recipe r = ptq::recipe_from_json(recipe_json);
  h->options = r.options;
  h->calibration = r.calibration;
  h->prepared = ptq::prepare(h->float_model);
  auto q = std::make_unique<qm::Model>(ptq::replay(h->float_model, r));
  h->session = std::make_unique<qm::Session>(*q);
  h->quantized = std::move(q);
  return h.release();
}

val ptq_layers(PtqHandle* handle) { return layers_to_js(live(handle)); }

val ptq_info(PtqHandle* handle) { return session_info(converted(live(handle))); }

}  // namespace
}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_ptq) {
  using namespace quantlab::wasm;
  emscripten::class_<PtqHandle>("PtqHandle");
  emscripten::function("ptqCreate", QL_GUARD(ptq_create), emscripten::allow_raw_pointers());
  emscripten::function("ptqObserve", QL_GUARD(ptq_observe), emscripten::allow_raw_pointers());
  emscripten::function("ptqConvert", QL_GUARD(ptq_convert), emscripten::allow_raw_pointers());
  emscripten::function("ptqRun", QL_GUARD(ptq_run), emscripten::allow_raw_pointers());
  emscripten::function("ptqProfile", QL_GUARD(ptq_profile), emscripten::allow_raw_pointers());
  emscripten::function("ptqExport", QL_GUARD(ptq_export), emscripten::allow_raw_pointers());
  emscripten::function("ptqRecipe", QL_GUARD(ptq_recipe), emscripten::allow_raw_pointers());
  emscripten::function("ptqReport", QL_GUARD(ptq_report), emscripten::allow_raw_pointers());
  emscripten::function("ptqReplay", QL_GUARD(ptq_replay), emscripten::allow_raw_pointers());
  emscripten::function("ptqLayers", QL_GUARD(ptq_layers), emscripten::allow_raw_pointers());
  emscripten::function("ptqInfo", QL_GUARD(ptq_info), emscripten::allow_raw_pointers());
}
