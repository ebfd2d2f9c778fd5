// quantlab info model.onnx [--json]
// quantlab run model.onnx --input NAME=x.npy ... [--out-dir DIR] [--json]
// quantlab eval model.onnx --images x.npy --labels y.npy [--batch N] [--normalize MEAN,STD] [--json]
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "json_util.h"
#include "images.h"
#include "npy_io.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"

namespace quantlab::cli {
namespace {

using model::DataType;
using model::Tensor;

model::Session load(const std::vector<std::string>& positionals, const char* command) {
  if (positionals.size() != 1)
    throw InvalidArgument(std::string("expected one model file: quantlab ") + command + " model.onnx ...");
  return model::Session(model::read_onnx_file(positionals[0]));
}

std::string dims_string(const model::ValueInfo& v) {
  if (!v.has_shape) return "?";
  if (v.dims.empty()) return "scalar";
  std::string s;
  for (std::size_t i = 0; i < v.dims.size(); ++i)
    s += (i ? "x" : "") + (v.dims[i].value >= 0 ? std::to_string(v.dims[i].value)
                                                : v.dims[i].param.empty() ? "?" : v.dims[i].param);
  return s;
}

nlohmann::json value_json(const model::ValueInfo& v) {
  nlohmann::json dims = nlohmann::json::array();
  for (const model::Dim& d : v.dims) dims.push_back(d.value >= 0 ? nlohmann::json(d.value) : nlohmann::json(d.param.empty() ? "?" : d.param));
  return {{"name", v.name}, {"type", model::type_name(v.type)}, {"shape", v.has_shape ? dims : nlohmann::json(nullptr)}};
}

}  // namespace

int info_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json"}, {});
  const model::Session session = load(args.positionals(), "info");
  const model::Model& m = session.model();
  if (args.flag("json")) {
    nlohmann::json j;
    j["producer"] = m.producer_name + (m.producer_version.empty() ? "" : " " + m.producer_version);
    j["ir_version"] = m.ir_version;
    j["opset"] = m.opset("");
    j["parameters"] = session.parameter_count();
    for (const auto& v : session.inputs()) j["inputs"].push_back(value_json(v));
    for (const auto& v : session.outputs()) j["outputs"].push_back(value_json(v));
    j["nodes"] = nlohmann::json::array();
    for (const model::NodeInfo& n : session.nodes()) {
      nlohmann::json shapes = nlohmann::json::array();
      for (const auto& s : n.output_shapes) shapes.push_back(s);
      j["nodes"].push_back({{"name", n.name}, {"op", n.op_type}, {"output_shapes", shapes},
                            {"parameters", n.parameters}, {"flops", n.flops}, {"folded", n.folded}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("model: %s (IR %lld, opset %lld), %lld parameters\n",
              m.producer_name.empty() ? "unknown producer" : m.producer_name.c_str(),
              static_cast<long long>(m.ir_version), static_cast<long long>(m.opset("")),
              static_cast<long long>(session.parameter_count()));
  for (const auto& v : session.inputs()) std::printf("input  %s: %s %s\n", v.name.c_str(), model::type_name(v.type).c_str(), dims_string(v).c_str());
  for (const auto& v : session.outputs()) std::printf("output %s: %s %s\n", v.name.c_str(), model::type_name(v.type).c_str(), dims_string(v).c_str());
  std::int64_t total_flops = 0;
  for (const auto& n : session.nodes()) total_flops += n.flops;
  std::printf("%-4s %-22s %-28s %-18s %10s %8s\n", "#", "op", "name", "output (batch 1)", "params", "FLOPs %");
  for (const auto& n : session.nodes()) {
    const std::string shape = n.output_shapes.empty() ? "" : model::shape_string(n.output_shapes[0]);
    std::printf("%-4zu %-22s %-28s %-18s %10lld %7.1f%%%s\n", n.index, n.op_type.c_str(), n.name.substr(0, 28).c_str(),
                shape.c_str(), static_cast<long long>(n.parameters),
                total_flops ? 100.0 * static_cast<double>(n.flops) / static_cast<double>(total_flops) : 0.0,
                n.folded ? "  (folded)" : "");
  }
  return 0;
}

int run_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json"}, {"input", "out-dir"});
  const model::Session session = load(args.positionals(), "run");
  std::map<std::string, Tensor> feeds;
  for (const std::string& spec : args.values("input")) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) throw InvalidArgument("--input needs NAME=file.npy, got '" + spec + "'");
    feeds[spec.substr(0, eq)] = read_npy_tensor(spec.substr(eq + 1));
  }
  // A model with one input may take a bare --input x.npy... only NAME=x.npy is accepted, so say which names exist.
  for (const auto& in : session.inputs())
    if (!feeds.count(in.name))
      throw InvalidArgument("missing --input " + in.name + "=file.npy (" + model::type_name(in.type) + " " + dims_string(in) + ")");
  const auto start = std::chrono::steady_clock::now();
  const auto outputs = session.run(feeds);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const std::string out_dir = args.value("out-dir").value_or("");
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);
  nlohmann::json j;
  j["milliseconds"] = ms;
  for (const auto& [name, t] : outputs) {
    std::string file;
    if (!out_dir.empty()) {
      // Output names may hold characters a file name cannot.
      std::string safe = name;
      for (char& c : safe)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
      file = (std::filesystem::path(out_dir) / (safe + ".npy")).string();
      write_npy_tensor(file, t);
    }
    if (args.flag("json")) {
      j["outputs"].push_back({{"name", name}, {"type", model::type_name(t.type())}, {"shape", t.shape()}, {"file", file}});
    } else {
      std::printf("%s: %s %s%s%s\n", name.c_str(), model::type_name(t.type()).c_str(), model::shape_string(t.shape()).c_str(),
                  file.empty() ? "" : " -> ", file.c_str());
    }
  }
  if (args.flag("json")) std::cout << j.dump(2) << "\n";
  else std::printf("ran in %.2f ms\n", ms);
  return 0;
}

int eval_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json"}, {"images", "labels", "batch", "normalize"});
  const model::Session session = load(args.positionals(), "eval");
  if (session.inputs().size() != 1) throw InvalidArgument("eval needs a model with one input");
  const auto images_path = args.value("images");
  const auto labels_path = args.value("labels");
  if (!images_path || !labels_path) throw InvalidArgument("eval needs --images x.npy and --labels y.npy");
  Tensor images = read_images(*images_path, args.value("normalize"), session.inputs()[0].type);
  const std::vector<std::int64_t> labels = read_npy_tensor(*labels_path).to_int64();
  const model::ValueInfo& input = session.inputs()[0];
  if (images.rank() == 0 || images.dim(0) != static_cast<std::int64_t>(labels.size()))
    throw InvalidArgument(*images_path + " holds " + (images.rank() ? std::to_string(images.dim(0)) : "no") +
                          " images but " + *labels_path + " holds " + std::to_string(labels.size()) + " labels");
  long long batch = 32;
  if (const auto b = args.value("batch")) {
    batch = static_cast<long long>(parse_real_option("batch", *b));
    if (batch < 1 || batch > 65536) throw InvalidArgument("--batch must be 1..65536");
  }
  const std::int64_t n = images.dim(0);
  const std::int64_t per_image = n ? images.size() / n : 0;
  const std::size_t item = model::element_size(images.type());
  std::int64_t correct = 0;
  double seconds = 0;
  for (std::int64_t first = 0; first < n; first += batch) {
    const std::int64_t count = std::min<std::int64_t>(batch, n - first);
    std::vector<std::int64_t> shape = images.shape();
    shape[0] = count;
    Tensor slice(images.type(), shape);
    std::copy_n(images.bytes() + static_cast<std::size_t>(first * per_image) * item,
                static_cast<std::size_t>(count * per_image) * item, slice.bytes());
    std::map<std::string, Tensor> feeds;
    feeds.emplace(input.name, std::move(slice));
    const auto start = std::chrono::steady_clock::now();
    const auto outputs = session.run(feeds);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Tensor& logits = outputs.at(session.outputs()[0].name);
    if (logits.rank() != 2 || logits.dim(0) != count)
      throw InvalidArgument("eval needs an output of shape batch×classes, got " + model::shape_string(logits.shape()));
    const std::vector<double> v = logits.to_double();
    const std::int64_t classes = logits.dim(1);
    for (std::int64_t i = 0; i < count; ++i) {
      const auto row = v.begin() + i * classes;
      const std::int64_t top = std::max_element(row, row + classes) - row;
      correct += top == labels[static_cast<std::size_t>(first + i)];
    }
  }
  const double accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
  if (args.flag("json")) {
    nlohmann::json j = {{"images", n},          {"correct", correct},  {"accuracy", number(accuracy)},
                        {"batch", batch},       {"seconds", seconds},  {"images_per_second", number(n / seconds)}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("accuracy %.2f%% (%lld of %lld), %.0f images/s at batch %lld\n", 100 * accuracy,
                static_cast<long long>(correct), static_cast<long long>(n), n / seconds, batch);
  }
  return 0;
}

}  // namespace quantlab::cli
