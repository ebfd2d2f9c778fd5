// The report as JSON (camelCase keys, shared by the CLI and the npm package).
#include <cmath>
#include <nlohmann/json.hpp>

#include "quantlab/ptq/report.h"

namespace quantlab::ptq {
namespace {

using nlohmann::json;

json num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

json nums(const std::vector<float>& v) {
  json a = json::array();
  for (float x : v) a.push_back(num(x));
  return a;
}

json histogram(const Histogram& h) { return {{"edges", h.edges}, {"counts", h.counts}}; }

json size(const SizeBreakdown& b) {
  return {{"total", b.total},         {"weights", b.weights},          {"biases", b.biases},
          {"quantParams", b.quant_params}, {"otherTensors", b.other_tensors}, {"graph", b.graph}};
}

json error(const LayerError& e) {
  return {{"sqnrDb", num(e.sqnr_db)}, {"maxAbsError", num(e.max_abs_error)}, {"mse", num(e.mse)}};
}

json activation(const ActivationSummary& a) {
  if (a.name.empty()) return nullptr;
  return {{"name", a.name},
          {"scale", num(a.params.scale)},
          {"zeroPoint", a.params.zero_point},
          {"clipMin", num(a.params.clip_min)},
          {"clipMax", num(a.params.clip_max)},
          {"seenMin", num(a.params.seen_min)},
          {"seenMax", num(a.params.seen_max)},
          {"histogram", histogram(a.histogram)}};
}

}  // namespace

std::string report_to_json(const Report& r, const Evaluation* e, const Sensitivity* s, const LowBitPlan* lb) {
  json layers = json::array();
  for (const LayerReport& l : r.layers) {
    const WeightSummary& w = l.weight;
    json jw = {{"name", w.name},
               {"shape", w.shape},
               {"granularity", quant::to_string(w.params.granularity)},
               {"bits", 0},
               {"scale", nums(w.params.scale)},
               {"zeroPoint", w.params.zero_point},
               {"qmin", w.params.qmin},
               {"qmax", w.params.qmax},
               {"min", nums(w.min)},
               {"max", nums(w.max)},
               {"clipMin", nums(w.clip_min)},
               {"clipMax", nums(w.clip_max)},
               {"histogram", histogram(w.histogram)},
               {"sqnrDb", num(w.sqnr_db)}};
    int bits = 1;
    while ((1 << bits) < w.params.qmax - w.params.qmin + 1) ++bits;
    jw["bits"] = bits;
    layers.push_back({{"name", l.layer.name},
                      {"opType", l.layer.op_type},
                      {"activation", l.layer.activation},
                      {"input", l.layer.input},
                      {"output", l.layer.output},
                      {"flops", l.layer.flops},
                      {"weightElements", l.layer.weight_elements},
                      {"quantized", l.quantized},
                      {"isolated", error(l.isolated)},
                      {"propagated", error(l.propagated)},
                      {"weight", jw},
                      {"inputActivation", activation(l.input)},
                      {"outputActivation", activation(l.output)}});
  }
  json j = {{"samples", r.samples},
            {"layers", layers},
            {"modelOutput", error(r.model_output)},
            {"floatBytes", r.float_size.total},
            {"quantizedBytes", r.quantized_size.total},
            {"sizeRatio", num(r.float_size.total ? static_cast<double>(r.quantized_size.total) / r.float_size.total : 0.0)},
            {"size", {{"float", size(r.float_size)}, {"quantized", size(r.quantized_size)}}}};
  if (e != nullptr)
    j["evaluation"] = {{"count", e->count},
                       {"floatAccuracy", num(e->float_accuracy)},
                       {"quantizedAccuracy", num(e->quantized_accuracy)},
                       {"agreement", num(e->agreement)},
                       {"disagreements", e->disagreements},
                       {"floatPredictions", e->float_predictions},
                       {"quantizedPredictions", e->quantized_predictions}};
  if (s != nullptr) {
    json layers_s = json::array();
    for (const LayerSensitivity& ls : s->layers)
      layers_s.push_back({{"layer", ls.layer}, {"accuracy", num(ls.accuracy)}, {"drop", num(ls.drop)}});
    json steps = json::array();
    for (const PlanStep& p : s->steps) steps.push_back({{"keepFloat", p.keep_float}, {"accuracy", num(p.accuracy)}});
    j["sensitivity"] = {{"floatAccuracy", num(s->float_accuracy)},
                        {"quantizedAccuracy", num(s->quantized_accuracy)},
                        {"budget", num(s->budget)},
                        {"layers", layers_s},
                        {"steps", steps},
                        {"plan", s->plan},
                        {"withinBudget", s->within_budget}};
  }
  if (lb != nullptr) {
    json layers_b = json::array();
    for (const LowBitLayer& l : lb->layers)
      layers_b.push_back({{"layer", l.layer}, {"accuracy", num(l.accuracy)}, {"drop", num(l.drop)}, {"bytesSaved", l.bytes_saved}});
    json steps = json::array();
    for (const LowBitStep& st : lb->steps)
      steps.push_back({{"layer", st.layer}, {"accuracy", num(st.accuracy)}, {"bytes", st.bytes}, {"accepted", st.accepted}});
    j["lowBits"] = {{"bits", lb->bits},
                    {"floatAccuracy", num(lb->float_accuracy)},
                    {"quantizedAccuracy", num(lb->quantized_accuracy)},
                    {"floatBytes", lb->float_bytes},
                    {"quantizedBytes", lb->quantized_bytes},
                    {"budget", num(lb->budget)},
                    {"layers", layers_b},
                    {"steps", steps},
                    {"plan", lb->plan},
                    {"accuracy", num(lb->accuracy)},
                    {"bytes", lb->bytes},
                    {"withinBudget", lb->within_budget}};
  }
  return j.dump() + "\n";
}

}  // namespace quantlab::ptq
