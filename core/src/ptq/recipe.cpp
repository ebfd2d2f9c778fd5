// Recipes as JSON. Floats are written as the shortest decimal that reads back
// to the same float32 (nlohmann writes doubles with 17 significant digits; a
// float widened to double and back is exact), so a replay converts with
// bit-identical parameters and writes the same bytes.
#include "quantlab/ptq/recipe.h"

#include <nlohmann/json.hpp>
#include <set>

#include "quantlab/error.h"

namespace quantlab::ptq {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InvalidArgument("recipe: " + path + ": " + what);
}

const json& field(const json& obj, const std::string& key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(path, "missing '" + key + "'");
  return *it;
}

void only_keys(const json& obj, std::initializer_list<const char*> keys, const std::string& path) {
  if (!obj.is_object()) bad(path, "expected an object");
  std::set<std::string> allowed(keys.begin(), keys.end());
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!allowed.count(it.key())) bad(path, "unknown key '" + it.key() + "'");
}

std::string get_string(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_string()) bad(path + "." + key, "expected a string");
  return v.get<std::string>();
}

double get_number(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_number()) bad(path + "." + key, "expected a number");
  return v.get<double>();
}

std::int64_t get_int(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_number_integer()) bad(path + "." + key, "expected an integer");
  return v.get<std::int64_t>();
}

bool get_bool(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_boolean()) bad(path + "." + key, "expected true or false");
  return v.get<bool>();
}

template <class F>
auto parse_name(const std::string& path, F f) {
  try {
    return f();
  } catch (const InvalidArgument& e) {
    bad(path, e.what());
  }
}

}  // namespace

std::string recipe_to_json(const Recipe& r) {
  json j;
  j["format"] = "quantlab-ptq-recipe";
  j["version"] = 1;
  j["model"] = {{"graph_name", r.model_name}, {"nodes", r.model_nodes}};
  const Options& o = r.options;
  j["mode"] = to_string(o.mode);
  j["activations"] = {{"scheme", quant::to_string(o.activations.scheme)},
                      {"signed", o.activations.is_signed},
                      {"observer", calib::to_string(o.activations.observer)},
                      {"percentile", o.activations.percentile},
                      {"momentum", static_cast<double>(o.activations.momentum)},
                      {"bins", o.activations.bins}};
  j["weights"] = {{"scheme", quant::to_string(o.weights.scheme)},
                  {"bits", o.weights.bits},
                  {"granularity", quant::to_string(o.weights.granularity)},
                  {"observer", calib::to_string(o.weights.observer)},
                  {"percentile", o.weights.percentile},
                  {"bins", o.weights.bins},
                  {"layer_bits", o.weights.layer_bits}};
  j["keep_float"] = o.keep_float;
  j["calibration"] = {{"samples", r.calibration.samples}, {"note", r.calibration_note}};
  json acts = json::object();
  for (const auto& [name, a] : r.calibration.activations)
    acts[name] = {{"scale", static_cast<double>(a.scale)},       {"zero_point", a.zero_point},
                  {"clip_min", static_cast<double>(a.clip_min)}, {"clip_max", static_cast<double>(a.clip_max)},
                  {"seen_min", static_cast<double>(a.seen_min)}, {"seen_max", static_cast<double>(a.seen_max)}};
  j["activation_params"] = acts;
  return j.dump(2) + "\n";
}

Recipe recipe_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw InvalidArgument(std::string("recipe: not valid JSON: ") + e.what());
  }
  only_keys(j, {"format", "version", "model", "mode", "activations", "weights", "keep_float", "calibration",
                "activation_params"},
            "$");
  if (get_string(j, "format", "$") != "quantlab-ptq-recipe") bad("$.format", "expected \"quantlab-ptq-recipe\"");
  if (get_int(j, "version", "$") != 1) bad("$.version", "only version 1 is known");
  Recipe r;
  const json& m = field(j, "model", "$");
  only_keys(m, {"graph_name", "nodes"}, "$.model");
  r.model_name = get_string(m, "graph_name", "$.model");
  r.model_nodes = get_int(m, "nodes", "$.model");
  Options& o = r.options;
  o.mode = parse_name("$.mode", [&] { return parse_mode(get_string(j, "mode", "$")); });
  const json& a = field(j, "activations", "$");
  only_keys(a, {"scheme", "signed", "observer", "percentile", "momentum", "bins"}, "$.activations");
  o.activations.scheme = parse_name("$.activations.scheme", [&] { return quant::parse_scheme(get_string(a, "scheme", "$.activations")); });
  o.activations.is_signed = get_bool(a, "signed", "$.activations");
  o.activations.observer = parse_name("$.activations.observer", [&] { return calib::parse_observer_kind(get_string(a, "observer", "$.activations")); });
  o.activations.percentile = get_number(a, "percentile", "$.activations");
  o.activations.momentum = static_cast<float>(get_number(a, "momentum", "$.activations"));
  o.activations.bins = static_cast<int>(get_int(a, "bins", "$.activations"));
  const json& w = field(j, "weights", "$");
  only_keys(w, {"scheme", "bits", "granularity", "observer", "percentile", "bins", "layer_bits"}, "$.weights");
  o.weights.scheme = parse_name("$.weights.scheme", [&] { return quant::parse_scheme(get_string(w, "scheme", "$.weights")); });
  o.weights.bits = static_cast<int>(get_int(w, "bits", "$.weights"));
  o.weights.granularity = parse_name("$.weights.granularity", [&] { return quant::parse_granularity(get_string(w, "granularity", "$.weights")); });
  o.weights.observer = parse_name("$.weights.observer", [&] { return calib::parse_observer_kind(get_string(w, "observer", "$.weights")); });
  o.weights.percentile = get_number(w, "percentile", "$.weights");
  o.weights.bins = static_cast<int>(get_int(w, "bins", "$.weights"));
  if (w.contains("layer_bits")) {  // absent in recipes written before mixed bit widths
    const json& lb = w.at("layer_bits");
    if (!lb.is_object()) bad("$.weights.layer_bits", "expected an object of layer name -> bits");
    for (auto it = lb.begin(); it != lb.end(); ++it) {
      const std::int64_t bits = get_int(lb, it.key(), "$.weights.layer_bits");
      if (bits < 2 || bits > 8) bad("$.weights.layer_bits." + it.key(), "must be 2..8, got " + std::to_string(bits));
      o.weights.layer_bits[it.key()] = static_cast<int>(bits);
    }
  }
  const json& k = field(j, "keep_float", "$");
  if (!k.is_array()) bad("$.keep_float", "expected an array of layer names");
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (!k[i].is_string()) bad("$.keep_float[" + std::to_string(i) + "]", "expected a string");
    o.keep_float.push_back(k[i].get<std::string>());
  }
  parse_name("$", [&] {
    validate(o);
    return 0;
  });
  const json& c = field(j, "calibration", "$");
  only_keys(c, {"samples", "note"}, "$.calibration");
  r.calibration.samples = get_int(c, "samples", "$.calibration");
  r.calibration_note = get_string(c, "note", "$.calibration");
  const json& acts = field(j, "activation_params", "$");
  if (!acts.is_object()) bad("$.activation_params", "expected an object");
  for (auto it = acts.begin(); it != acts.end(); ++it) {
    const std::string path = "$.activation_params[\"" + it.key() + "\"]";
    only_keys(*it, {"scale", "zero_point", "clip_min", "clip_max", "seen_min", "seen_max"}, path);
    ActivationParams p;
    p.scale = static_cast<float>(get_number(*it, "scale", path));
    if (!(p.scale > 0)) bad(path + ".scale", "must be positive");
    p.zero_point = static_cast<std::int32_t>(get_int(*it, "zero_point", path));
    p.clip_min = static_cast<float>(get_number(*it, "clip_min", path));
    p.clip_max = static_cast<float>(get_number(*it, "clip_max", path));
    p.seen_min = static_cast<float>(get_number(*it, "seen_min", path));
    p.seen_max = static_cast<float>(get_number(*it, "seen_max", path));
    const quant::QuantSpec spec = activation_spec(o);
    if (p.zero_point < quant::qmin(spec) || p.zero_point > quant::qmax(spec))
      bad(path + ".zero_point", std::to_string(p.zero_point) + " is outside the activation grid");
    r.calibration.activations[it.key()] = p;
  }
  return r;
}

model::Model replay(const model::Model& float_model, const Recipe& recipe) {
  if (float_model.graph.name != recipe.model_name ||
      static_cast<std::int64_t>(float_model.graph.nodes.size()) != recipe.model_nodes)
    throw InvalidArgument("the recipe was made for graph '" + recipe.model_name + "' with " +
                          std::to_string(recipe.model_nodes) + " nodes; this model is '" + float_model.graph.name +
                          "' with " + std::to_string(float_model.graph.nodes.size()));
  const Prepared prepared = prepare(float_model);
  return convert(prepared, recipe.options, recipe.calibration);
}

}  // namespace quantlab::ptq
