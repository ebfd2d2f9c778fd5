// The ONNX backend tests (Debian's libonnx-testdata) as quantlab's conformance suite.
//
// Selection: every node test of an op quantlab implements (the test name
// starts with the op's name and its model uses that op), the "_expanded"
// variants and pytorch-converted/-operator tests whose ops are all supported,
// and the pytorch-converted tests of the layers the issue names (Conv2d,
// Linear, MaxPool2d, BatchNorm2d, ...). Each selected test must pass or be in
// skips.txt with a reason. Comparison as the ONNX backend runner does it:
// |got - want| <= atol + rtol * |want| with rtol 1e-3, atol 1e-7; integers exactly.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"

namespace fs = std::filesystem;
using namespace quantlab::model;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Outcome {
  std::string status;  // pass, FAIL, skip
  std::string detail;
  double max_error = 0;
};

bool is_float(DataType t) {
  return t == DataType::float32 || t == DataType::float64 || t == DataType::float16 || t == DataType::bfloat16;
}

/// Compares one output; returns "" when equal within tolerance.
std::string compare(const Tensor& got, const Tensor& want, double& max_error) {
  // ONNX 1.12's test data stores bfloat16 values as uint16 tensors: compare the bit patterns.
  const bool bf16_as_u16 = got.type() == DataType::bfloat16 && want.type() == DataType::uint16;
  if (got.type() != want.type() && !bf16_as_u16) return "type " + type_name(got.type()) + ", expected " + type_name(want.type());
  if (got.shape() != want.shape()) return "shape " + shape_string(got.shape()) + ", expected " + shape_string(want.shape());
  if (got.type() == DataType::float16 || got.type() == DataType::bfloat16 || got.type() == DataType::boolean) {
    // Compare bit patterns (fp16 results here come from exact conversions).
    const std::uint8_t* a = got.bytes();
    const std::uint8_t* b = want.bytes();
    for (std::size_t i = 0; i < got.byte_size(); ++i)
      if (a[i] != b[i]) return "byte " + std::to_string(i) + " differs";
    return "";
  }
  if (!is_float(got.type())) {
    const auto a = got.to_int64();
    const auto b = want.to_int64();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) {
        max_error = std::max(max_error, static_cast<double>(std::llabs(a[i] - b[i])));
        return "element " + std::to_string(i) + " is " + std::to_string(a[i]) + ", expected " + std::to_string(b[i]);
      }
    return "";
  }
  const auto a = got.to_double();
  const auto b = want.to_double();
  std::string first;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(b[i]) && std::isnan(a[i])) continue;
    const double err = std::fabs(a[i] - b[i]);
    if (std::isinf(b[i]) && a[i] == b[i]) continue;
    max_error = std::max(max_error, std::isnan(err) ? INFINITY : err);
    if (!(err <= kAtol + kRtol * std::fabs(b[i])) && first.empty()) {
      std::ostringstream msg;
      msg << "element " << i << " is " << a[i] << ", expected " << b[i];
      first = msg.str();
    }
  }
  return first;
}

Outcome run_test(const fs::path& dir) {
  Outcome o;
  const auto bytes = read_bytes(dir / "model.onnx");
  Model model = read_onnx(bytes.data(), bytes.size());
  Session session(std::move(model));
  int sets = 0;
  for (int s = 0;; ++s) {
    const fs::path set = dir / ("test_data_set_" + std::to_string(s));
    if (!fs::exists(set)) break;
    ++sets;
    std::map<std::string, Tensor> feeds;
    // Inputs are numbered in the order of the graph's (non-initializer) inputs.
    for (std::size_t i = 0;; ++i) {
      const fs::path p = set / ("input_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) break;
      const auto b = read_bytes(p);
      std::string name;
      Tensor t = read_tensor_proto(b.data(), b.size(), &name);
      if (i >= session.inputs().size()) throw quantlab::InvalidArgument("more input files than model inputs");
      const ValueInfo& declared = session.inputs()[i];
      if (declared.type == DataType::bfloat16 && t.type() == DataType::uint16) {
        // The same quirk on the input side: give the bits their declared type.
        Tensor bf16(DataType::bfloat16, t.shape());
        std::copy_n(t.bytes(), t.byte_size(), bf16.bytes());
        t = std::move(bf16);
      }
      feeds[declared.name] = std::move(t);
    }
    const auto outputs = session.run(feeds);
    for (std::size_t i = 0; i < session.outputs().size(); ++i) {
      const fs::path p = set / ("output_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) continue;
      const auto b = read_bytes(p);
      const Tensor want = read_tensor_proto(b.data(), b.size());
      const std::string& name = session.outputs()[i].name;
      const std::string diff = compare(outputs.at(name), want, o.max_error);
      if (!diff.empty()) {
        o.status = "FAIL";
        o.detail = "set " + std::to_string(s) + ", output '" + name + "': " + diff;
        return o;
      }
    }
  }
  o.status = "pass";
  o.detail = std::to_string(sets) + " data set" + (sets == 1 ? "" : "s");
  return o;
}

std::set<std::string> model_ops(const fs::path& dir) {
  std::set<std::string> ops;
  try {
    const auto bytes = read_bytes(dir / "model.onnx");
    const Model m = read_onnx(bytes.data(), bytes.size());
    for (const Node& n : m.graph.nodes) ops.insert(n.domain.empty() || n.domain == "ai.onnx" ? n.op_type : n.domain + "." + n.op_type);
  } catch (const quantlab::Error&) {
  }
  return ops;
}

/// skips.txt: "test_name  reason" per line, '#' comments.
std::map<std::string, std::string> read_skips(const fs::path& p) {
  std::map<std::string, std::string> skips;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, reason;
    ls >> name;
    std::getline(ls, reason);
    reason.erase(0, reason.find_first_not_of(" \t"));
    if (!name.empty()) skips[name] = reason;
  }
  return skips;
}

// The layers the conformance issue names for the pytorch-converted tests.
const char* const kPytorchLayers[] = {"test_Conv1d", "test_Conv2d", "test_Linear", "test_MaxPool1d", "test_MaxPool2d",
                                      "test_AvgPool2d", "test_BatchNorm1d", "test_BatchNorm2d", "test_ReLU",
                                      "test_LeakyReLU", "test_Sigmoid", "test_Tanh", "test_Softmax", "test_LogSoftmax",
                                      "test_ConvTranspose2d", "test_Flatten"};

}  // namespace

int main(int argc, char** argv) {
  fs::path data = "/usr/share/libonnx-testdata/data";
  fs::path skips_file = fs::path(__FILE__).parent_path() / "skips.txt";
  std::string filter;
  std::string markdown;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc) data = argv[++i];
    else if (a == "--skips" && i + 1 < argc) skips_file = argv[++i];
    else if (a == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (a == "--markdown" && i + 1 < argc) markdown = argv[++i];
    else {
      std::fprintf(stderr, "usage: quantlab_conformance [--data DIR] [--skips FILE] [--filter TEXT] [--markdown OUT.md]\n");
      return 2;
    }
  }
  if (!fs::exists(data / "node")) {
    std::fprintf(stderr, "quantlab_conformance: %s has no node tests (apt-get install libonnx-testdata)\n", data.c_str());
    return 2;
  }
  std::set<std::string> supported;
  for (const std::string& op : supported_ops()) supported.insert(op);
  const auto skips = read_skips(skips_file);

  struct Row {
    std::string suite, name, ops;
    Outcome outcome;
  };
  std::vector<Row> rows;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    if (!fs::exists(data / suite)) continue;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(data / suite))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      const std::string name = dir.filename().string();
      if (!filter.empty() && name.find(filter) == std::string::npos) continue;
      const std::set<std::string> ops = model_ops(dir);
      const bool all_supported =
          !ops.empty() && std::all_of(ops.begin(), ops.end(), [&](const std::string& op) { return supported.count(op) > 0; });
      bool named = false;
      if (std::string(suite) == "node") {
        const bool expanded = name.size() > 9 && name.compare(name.size() - 9, 9, "_expanded") == 0;
        for (const std::string& op : supported) {
          const std::string prefix = "test_" + lower(op);
          const bool prefix_ok = name.rfind(prefix, 0) == 0 &&
                                 (name.size() == prefix.size() || name[prefix.size()] == '_');
          if (prefix_ok && ops.count(op) && !expanded) named = true;
        }
      } else {
        for (const char* layer : kPytorchLayers) named = named || name.rfind(layer, 0) == 0;
      }
      if (!named && !all_supported) continue;
      std::string op_list;
      for (const std::string& op : ops) op_list += (op_list.empty() ? "" : " ") + op;
      Row row{suite, name, op_list, {}};
      if (auto s = skips.find(name); s != skips.end()) {
        row.outcome = {"skip", s->second, 0};
      } else {
        try {
          row.outcome = run_test(dir);
        } catch (const quantlab::Error& e) {
          row.outcome = {"FAIL", e.what(), 0};
        } catch (const std::exception& e) {
          row.outcome = {"FAIL", std::string("internal error: ") + e.what(), 0};
        }
      }
      rows.push_back(row);
    }
  }

  std::size_t pass = 0, fail = 0, skip = 0;
  std::printf("%-5s  %-18s  %-52s  %-10s  %s\n", "", "suite", "test", "max error", "ops / detail");
  for (const Row& r : rows) {
    (r.outcome.status == "pass" ? pass : r.outcome.status == "skip" ? skip : fail)++;
    std::printf("%-5s  %-18s  %-52s  %-10.3g  %s — %s\n", r.outcome.status.c_str(), r.suite.c_str(), r.name.c_str(),
                r.outcome.max_error, r.ops.c_str(), r.outcome.detail.c_str());
  }
  for (const auto& [name, reason] : skips) {
    const bool used = std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.name == name; });
    if (!used && filter.empty()) std::printf("note: skips.txt lists %s, which was not selected\n", name.c_str());
  }
  std::printf("conformance: %zu passed, %zu failed, %zu skipped (of %zu selected tests)\n", pass, fail, skip, rows.size());
  if (!markdown.empty()) {
    std::ofstream md(markdown);
    md << "| result | suite | test | ops | detail |\n|---|---|---|---|---|\n";
    for (const Row& r : rows)
      md << "| " << r.outcome.status << " | " << r.suite << " | " << r.name << " | " << r.ops << " | " << r.outcome.detail << " |\n";
    md << "\n" << pass << " passed, " << fail << " failed, " << skip << " skipped\n";
  }
  return fail ? 1 : 0;
}
