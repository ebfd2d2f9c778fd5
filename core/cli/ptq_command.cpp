// quantlab ptq model.onnx --calib x.npy [options] --out model.int8.onnx [--report r.json] [--recipe r.json]
// quantlab ptq model.onnx --recipe r.json --out model.int8.onnx          (replay: no calibration data)
//
// With --calib, --recipe names the recipe to write; without it, the recipe to
// replay (same options, same activation parameters: the same bytes).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "commands.h"
#include "images.h"
#include "json_util.h"
#include "npy_io.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/recipe.h"
#include "quantlab/ptq/report.h"

namespace quantlab::cli {
namespace {

using model::DataType;
using model::Tensor;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  if (!f || !(f << text)) throw InvalidArgument("cannot write " + path);
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  if (!f || !f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw InvalidArgument("cannot write " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InvalidArgument("cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// The first `count` samples of `all`, in batches of `batch`, as feeds of `input`.
std::vector<std::map<std::string, Tensor>> batches(const Tensor& all, const std::string& input, std::int64_t count,
                                                   std::int64_t batch) {
  std::vector<std::map<std::string, Tensor>> out;
  const std::int64_t n = std::min(count, all.dim(0));
  const std::int64_t row = all.dim(0) ? all.size() / all.dim(0) : 0;
  for (std::int64_t first = 0; first < n; first += batch) {
    const std::int64_t b = std::min(batch, n - first);
    std::vector<std::int64_t> shape = all.shape();
    shape[0] = b;
    Tensor t(DataType::float32, shape);
    std::copy_n(all.data<float>() + first * row, b * row, t.data<float>());
    out.push_back({{input, std::move(t)}});
  }
  return out;
}

/// "a,b,,c" -> {a, b, c}.
std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ptq::Options options_from(const Args& args) {
  ptq::Options o;
  if (auto v = args.value("mode")) o.mode = ptq::parse_mode(*v);
  if (auto v = args.value("activation-scheme")) o.activations.scheme = quant::parse_scheme(*v);
  if (auto v = args.value("activation-type")) {
    if (*v != "int8" && *v != "uint8") throw InvalidArgument("--activation-type must be int8 or uint8, got '" + *v + "'");
    o.activations.is_signed = *v == "int8";
  }
  if (auto v = args.value("activation-observer")) o.activations.observer = calib::parse_observer_kind(*v);
  if (auto v = args.value("percentile")) o.activations.percentile = parse_real_option("percentile", *v);
  if (auto v = args.value("weight-scheme")) o.weights.scheme = quant::parse_scheme(*v);
  if (auto v = args.value("weight-bits")) o.weights.bits = static_cast<int>(parse_real_option("weight-bits", *v));
  if (auto v = args.value("weight-granularity")) o.weights.granularity = quant::parse_granularity(*v);
  if (auto v = args.value("weight-observer")) o.weights.observer = calib::parse_observer_kind(*v);
  for (const std::string& list : args.values("keep-float"))
    for (const std::string& name : split_list(list)) o.keep_float.push_back(name);
  for (const std::string& list : args.values("layer-bits"))
    for (const std::string& entry : split_list(list)) {
      const std::size_t eq = entry.rfind('=');
      if (eq == std::string::npos || eq == 0)
        throw InvalidArgument("--layer-bits expects LAYER=BITS[,LAYER=BITS], got '" + entry + "'");
      const double bits = parse_real_option("layer-bits", entry.substr(eq + 1));
      if (!(bits >= 0 && bits <= 64) || bits != std::floor(bits))
        throw InvalidArgument("--layer-bits: '" + entry + "' needs a whole number of bits (2..8)");
      o.weights.layer_bits[entry.substr(0, eq)] = static_cast<int>(bits);
    }
  ptq::validate(o);
  return o;
}

double time_ms(const model::Session& s, const std::map<std::string, Tensor>& feeds) {
  (void)s.run(feeds);  // warm-up
  int runs = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    (void)s.run(feeds);
    ++runs;
    elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < 300 && runs < 1000);
  return elapsed / runs;
}

}  // namespace

int ptq_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "sensitivity", "low-bits"},
                  {"calib", "normalize", "samples", "batch", "mode", "activation-scheme", "activation-type",
                   "activation-observer", "percentile", "weight-scheme", "weight-bits", "weight-granularity",
                   "weight-observer", "keep-float", "layer-bits", "out", "report", "recipe", "eval-images", "eval-labels",
                   "budget"});
  if (args.positionals().size() != 1) throw InvalidArgument("expected one model file: quantlab ptq model.onnx ...");
  const auto out_path = args.value("out");
  if (!out_path) throw InvalidArgument("ptq needs --out model.int8.onnx");
  const model::Model float_model = model::read_onnx_file(args.positionals()[0]);
  const auto calib_path = args.value("calib");
  const bool json_out = args.flag("json");

  // Replay: a recipe and no data.
  if (!calib_path) {
    const auto recipe_path = args.value("recipe");
    if (!recipe_path) throw InvalidArgument("ptq needs --calib x.npy (to calibrate) or --recipe r.json (to replay one)");
    for (const char* o : {"mode", "activation-scheme", "activation-type", "activation-observer", "percentile",
                          "weight-scheme", "weight-bits", "weight-granularity", "weight-observer", "keep-float",
                          "layer-bits", "report", "eval-images", "samples"})
      if (args.value(o)) throw InvalidArgument(std::string("--") + o + " cannot be combined with replaying a recipe");
    const ptq::Recipe recipe = ptq::recipe_from_json(read_text(*recipe_path));
    const std::vector<std::uint8_t> bytes = model::write_onnx(ptq::replay(float_model, recipe));
    write_bytes(*out_path, bytes);
    if (json_out)
      std::cout << nlohmann::json({{"replayed", *recipe_path}, {"out", *out_path}, {"bytes", bytes.size()}}).dump(2) << "\n";
    else
      std::printf("replayed %s: wrote %s (%zu bytes)\n", recipe_path->c_str(), out_path->c_str(), bytes.size());
    return 0;
  }

  const ptq::Options options = options_from(args);
  // Checked before any work, so that a usage error writes no file.
  const auto eval_images = args.value("eval-images");
  const auto eval_labels = args.value("eval-labels");
  if (eval_images.has_value() != eval_labels.has_value())
    throw InvalidArgument("--eval-images and --eval-labels go together");
  if (args.flag("sensitivity") && !eval_images) throw InvalidArgument("--sensitivity needs --eval-images and --eval-labels");
  if (args.flag("low-bits") && !eval_images) throw InvalidArgument("--low-bits needs --eval-images and --eval-labels");
  if (args.flag("low-bits") && options.mode != ptq::Mode::static_mode)
    throw InvalidArgument("--low-bits is for static mode (dynamic layers keep 8-bit weights)");
  const ptq::Prepared prepared = ptq::prepare(float_model);
  const model::Session float_session(prepared.model);
  const DataType input_type = float_session.inputs()[0].type;
  const Tensor calib_all = read_images(*calib_path, args.value("normalize"), input_type);
  if (calib_all.type() != DataType::float32 || calib_all.rank() < 1 || calib_all.dim(0) < 1)
    throw InvalidArgument(*calib_path + " must hold at least one float32 (or uint8 image) sample");
  std::int64_t samples = 200, batch = 32;
  if (auto v = args.value("samples")) samples = static_cast<std::int64_t>(parse_real_option("samples", *v));
  if (auto v = args.value("batch")) batch = static_cast<std::int64_t>(parse_real_option("batch", *v));
  if (samples < 1) throw InvalidArgument("--samples must be >= 1");
  if (batch < 1 || batch > 65536) throw InvalidArgument("--batch must be 1..65536");
  const auto calib_batches = batches(calib_all, prepared.input, samples, batch);

  // Labelled data is read (and checked) before anything is written.
  Tensor images;
  std::vector<std::int64_t> labels;
  if (eval_images) {
    images = read_images(*eval_images, args.value("normalize"), input_type);
    labels = read_npy_tensor(*eval_labels).to_int64();
    if (images.rank() < 1 || images.dim(0) != static_cast<std::int64_t>(labels.size()))
      throw InvalidArgument(*eval_images + " and " + *eval_labels + " hold different numbers of samples");
  }
  double budget = 0.005;
  if (auto v = args.value("budget")) budget = parse_real_option("budget", *v);

  ptq::Calibration calibration;
  std::unique_ptr<ptq::Calibrator> calibrator;
  if (options.mode == ptq::Mode::static_mode) {
    calibrator = std::make_unique<ptq::Calibrator>(prepared, options);
    for (const auto& feeds : calib_batches) calibrator->observe(feeds);
    calibration = calibrator->result();
  }
  const model::Model quantized = ptq::convert(prepared, options, calibration);
  const std::vector<std::uint8_t> bytes = model::write_onnx(quantized);
  write_bytes(*out_path, bytes);

  ptq::Recipe recipe;
  recipe.options = options;
  recipe.calibration = calibration;
  recipe.model_name = float_model.graph.name;
  recipe.model_nodes = static_cast<std::int64_t>(float_model.graph.nodes.size());
  recipe.calibration_note = *calib_path + ", first " + std::to_string(std::min(samples, calib_all.dim(0))) +
                            " samples" + (args.value("normalize") ? ", normalized " + *args.value("normalize") : "");
  if (auto r = args.value("recipe")) write_file(*r, ptq::recipe_to_json(recipe));

  // Report on (up to 64 of) the calibration samples, evaluation and sensitivity on labelled data.
  const auto report_batches = batches(calib_all, prepared.input, std::min<std::int64_t>(64, samples), batch);
  const ptq::Report report = ptq::numeric_report(prepared, options, calibration, report_batches, calibrator.get());
  std::unique_ptr<ptq::Evaluation> evaluation;
  std::unique_ptr<ptq::Sensitivity> sens;
  std::unique_ptr<ptq::LowBitPlan> low;
  const model::Session quant_session(quantized);
  if (eval_images) {
    evaluation = std::make_unique<ptq::Evaluation>(ptq::compare_predictions(
        ptq::predict(float_session, prepared.input, images), ptq::predict(quant_session, prepared.input, images), labels));
    if (args.flag("sensitivity")) {
      sens = std::make_unique<ptq::Sensitivity>(
          ptq::sensitivity(prepared, options, calibration, images, labels, budget, 8, {}, evaluation.get()));
    }
    if (args.flag("low-bits"))
      low = std::make_unique<ptq::LowBitPlan>(
          ptq::low_bit_plan(prepared, options, calibration, images, labels, budget, 4, {}, evaluation.get()));
  }
  if (auto r = args.value("report"))
    write_file(*r, ptq::report_to_json(report, evaluation.get(), sens.get(), low.get()));

  // Latency of the original float model and the quantized one, this build (native builds use scalar kernels).
  const model::Session original(float_model);
  const auto one = batches(calib_all, prepared.input, 1, 1).front();
  const double float_ms = time_ms(original, one), quant_ms = time_ms(quant_session, one);

  if (json_out) {
    nlohmann::json j = nlohmann::json::parse(ptq::report_to_json(report, evaluation.get(), sens.get(), low.get()));
    j["out"] = *out_path;
    j["latencyMs"] = {{"float", float_ms}, {"quantized", quant_ms}, {"batch", 1}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("%s PTQ of %s: %zu layers, %zu quantized; calibration %lld samples\n", ptq::to_string(options.mode),
              args.positionals()[0].c_str(), prepared.layers.size(), ptq::quantized_layers(prepared, options).size(),
              static_cast<long long>(calibration.samples));
  std::printf("%-28s %-7s %-5s %10s %10s\n", "layer", "op", "int8", "isolated", "propagated");
  for (const ptq::LayerReport& l : report.layers)
    std::printf("%-28s %-7s %-5s %8.1f dB %8.1f dB\n", l.layer.name.c_str(), l.layer.op_type.c_str(),
                l.quantized ? "yes" : "no", l.isolated.sqnr_db, l.propagated.sqnr_db);
  std::printf("output SQNR %.1f dB over %lld samples\n", report.model_output.sqnr_db,
              static_cast<long long>(report.samples));
  const ptq::SizeBreakdown& fs = report.float_size;
  const ptq::SizeBreakdown& qs = report.quantized_size;
  const auto of_float = [&](std::int64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(fs.total); };
  std::printf("size: float %lld bytes, quantized %lld bytes (%.3fx)\n", static_cast<long long>(fs.total),
              static_cast<long long>(qs.total), of_float(qs.total));
  std::printf("  %-22s %10s %10s  %s\n", "where the bytes go", "float", "quantized", "quantized / float file");
  const std::pair<const char*, std::int64_t ptq::SizeBreakdown::*> parts[] = {
      {"weights", &ptq::SizeBreakdown::weights},
      {"biases", &ptq::SizeBreakdown::biases},
      {"scales and zero points", &ptq::SizeBreakdown::quant_params},
      {"other tensors", &ptq::SizeBreakdown::other_tensors},
      {"graph, names, framing", &ptq::SizeBreakdown::graph}};
  for (const auto& [label, part] : parts)
    std::printf("  %-22s %10lld %10lld  %.3fx\n", label, static_cast<long long>(fs.*part),
                static_cast<long long>(qs.*part), of_float(qs.*part));
  if (evaluation)
    std::printf("accuracy: float %.2f%%, quantized %.2f%% (drop %.2f points), top-1 agreement %.2f%% on %lld samples\n",
                100 * evaluation->float_accuracy, 100 * evaluation->quantized_accuracy,
                100 * (evaluation->float_accuracy - evaluation->quantized_accuracy), 100 * evaluation->agreement,
                static_cast<long long>(evaluation->count));
  if (sens) {
    std::printf("sensitivity (accuracy with one layer quantized):\n");
    for (const ptq::LayerSensitivity& l : sens->layers)
      std::printf("  %-28s %.2f%% (drop %.2f)\n", l.layer.c_str(), 100 * l.accuracy, 100 * l.drop);
    std::string plan;
    for (const std::string& p : sens->plan) plan += (plan.empty() ? "" : ",") + p;
    std::printf("plan for a %.2f-point budget: keep float [%s]%s\n", 100 * sens->budget, plan.c_str(),
                sens->within_budget ? "" : " (budget not met)");
  }
  if (low) {
    std::printf("%d-bit weights (accuracy with one more layer at %d bits; bytes saved):\n", low->bits, low->bits);
    for (const ptq::LowBitLayer& l : low->layers)
      std::printf("  %-28s %.2f%% (drop %.2f) %8lld bytes\n", l.layer.c_str(), 100 * l.accuracy, 100 * l.drop,
                  static_cast<long long>(l.bytes_saved));
    std::string plan;
    for (const auto& [layer, bits] : low->plan) plan += (plan.empty() ? "" : ",") + layer + "=" + std::to_string(bits);
    if (!low->within_budget)
      std::printf("low-bit plan: none, the model is already %.2f points below float (budget %.2f)\n",
                  100 * (low->float_accuracy - low->quantized_accuracy), 100 * low->budget);
    else
      std::printf("low-bit plan for a %.2f-point budget: --layer-bits %s\n  %.2f%%, %lld bytes (%.3fx of float; "
                  "all at the options' bits %lld bytes, %.3fx)\n",
                  100 * low->budget, plan.empty() ? "(none)" : plan.c_str(), 100 * low->accuracy,
                  static_cast<long long>(low->bytes), static_cast<double>(low->bytes) / low->float_bytes,
                  static_cast<long long>(low->quantized_bytes),
                  static_cast<double>(low->quantized_bytes) / low->float_bytes);
  }
  std::printf("latency at batch 1 (this build): float %.3f ms, quantized %.3f ms\n", float_ms, quant_ms);
  std::printf("wrote %s (%zu bytes)\n", out_path->c_str(), bytes.size());
  return 0;
}

}  // namespace quantlab::cli
