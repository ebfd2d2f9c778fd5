// Tensors that cross the boundary through wasm memory, not emval objects:
// model runs' inputs and outputs, calibration batches, evaluation images.
//
// The object path ({ name: { bytes, type, shape } } in, the same out) costs
// about forty emval calls per run: some 30 µs, which is a tenth of a batch-1
// CNN. Here JS writes an input's rank and dims into a small array in wasm
// memory, copies its bytes straight into the tensor the run will read, and
// reads each output's shape back the same way: three calls for a one-input,
// one-output model.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "guard.h"
#include "model_handle.h"
#include "quantlab/error.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;
namespace qm = quantlab::model;

// Type codes shared with the JS loader, which reads their names once (stageTypes).
constexpr qm::DataType kTypes[] = {
    qm::DataType::float32, qm::DataType::float64, qm::DataType::uint8,  qm::DataType::int8,
    qm::DataType::int16,   qm::DataType::uint16,  qm::DataType::int32,  qm::DataType::int64,
    qm::DataType::uint32,  qm::DataType::uint64,  qm::DataType::boolean, qm::DataType::float16};
constexpr int kTypeCount = static_cast<int>(sizeof(kTypes) / sizeof(kTypes[0]));

// [rank, d0, d1, ...]: written by JS before stageInput, by stagedOutput for JS.
constexpr std::size_t kArgs = 64;
constexpr std::size_t kMaxInputRank = 8;
constexpr std::size_t kMaxInputs = 1024;

struct Stage {
  double args[kArgs] = {};
  std::vector<std::optional<qm::Tensor>> inputs;  // by position in Session::inputs()
  std::vector<qm::Tensor> outputs;                // by position in Session::outputs()
};

Stage& stage() {
  static Stage s;
  return s;
}

int type_code(qm::DataType t) {
  for (int i = 0; i < kTypeCount; ++i)
    if (kTypes[i] == t) return i;
  throw InvalidArgument(std::string("an output of type ") + qm::type_name(t) + " cannot be returned to JavaScript");
}

val bytes_view(qm::Tensor& t) { return val(emscripten::typed_memory_view(t.byte_size(), t.bytes())); }

// A view of the args array; JS fetches it again when memory growth detached the old one.
val stage_args() { return val(emscripten::typed_memory_view(kArgs, stage().args)); }

val stage_types() {
  val names = val::array();
  for (qm::DataType t : kTypes) names.call<void>("push", js_type(t));
  return names;
}

// Makes input `position` from its type code and args [rank, dims...]; returns a
// Uint8Array over its bytes for JS to fill before the next call into wasm.
// `fresh` (the first input of a run) drops whatever an earlier, failed call left.
val stage_input(int position, int code, bool fresh) {
  Stage& s = stage();
  if (fresh) s.inputs.clear();
  if (position < 0 || static_cast<std::size_t>(position) >= kMaxInputs) throw InvalidArgument("input position out of range");
  if (code < 0 || code >= kTypeCount) throw InvalidArgument("unknown tensor type code " + std::to_string(code));
  const double rank = s.args[0];
  if (!(rank >= 0 && rank <= static_cast<double>(kMaxInputRank)) || rank != std::floor(rank))
    throw InvalidArgument("input rank must be 0..8");
  std::vector<std::int64_t> shape;
  for (std::size_t d = 0; d < static_cast<std::size_t>(rank); ++d) {
    const double v = s.args[1 + d];
    if (!(v >= 0) || v != std::floor(v) || v > 1e12) throw InvalidArgument("shape entries must be integers >= 0");
    shape.push_back(static_cast<std::int64_t>(v));
  }
  if (s.inputs.size() <= static_cast<std::size_t>(position)) s.inputs.resize(static_cast<std::size_t>(position) + 1);
  s.inputs[static_cast<std::size_t>(position)].emplace(kTypes[code], shape);
  return bytes_view(*s.inputs[static_cast<std::size_t>(position)]);
}

// Empties the stage: before a run given no inputs at all, and after JS has
// copied a run's outputs (so the stage holds no memory between runs).
void stage_clear() {
  stage().inputs.clear();
  stage().outputs.clear();
}

// Writes output `position`'s [type code, rank, dims...] to args; returns a
// Uint8Array over its bytes, which JS copies before the next call into wasm.
val staged_output(int position) {
  Stage& s = stage();
  if (position < 0 || static_cast<std::size_t>(position) >= s.outputs.size()) throw InvalidArgument("output position out of range");
  qm::Tensor& t = s.outputs[static_cast<std::size_t>(position)];
  if (t.rank() + 2 > kArgs) throw InvalidArgument("an output of rank " + std::to_string(t.rank()) + " cannot be returned to JavaScript");
  s.args[0] = type_code(t.type());
  s.args[1] = static_cast<double>(t.rank());
  for (std::size_t d = 0; d < t.rank(); ++d) s.args[2 + d] = static_cast<double>(t.dim(d));
  return bytes_view(t);
}

}  // namespace

model::Tensor take_staged_input(const std::string& what) {
  Stage& s = stage();
  if (s.inputs.empty() || !s.inputs[0]) {
    s.inputs.clear();
    throw InvalidArgument(what + " was not staged");
  }
  model::Tensor t = std::move(*s.inputs[0]);
  s.inputs.clear();
  return t;
}

std::map<std::string, model::Tensor> take_staged_feeds(const model::Session& session) {
  Stage& s = stage();
  std::map<std::string, qm::Tensor> feeds;
  const std::vector<qm::ValueInfo>& declared = session.inputs();
  bool extra = false;
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    if (!s.inputs[i]) continue;
    if (i < declared.size()) feeds.emplace(declared[i].name, std::move(*s.inputs[i]));
    else extra = true;
  }
  // Consumed whatever happens next: a later run must stage its own inputs.
  s.inputs.clear();
  if (extra) throw InvalidArgument("an input was staged at a position the model does not have");
  return feeds;
}

int run_staged(const model::Session& session) {
  Stage& s = stage();
  s.outputs.clear();
  const std::map<std::string, qm::Tensor> feeds = take_staged_feeds(session);
  std::map<std::string, qm::Tensor> result = session.run(feeds);
  const std::vector<qm::ValueInfo>& outputs = session.outputs();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (auto it = result.find(outputs[i].name); it != result.end()) {
      s.outputs.push_back(std::move(it->second));
      result.erase(it);
      continue;
    }
    // A name listed twice among the graph outputs: copy the first one's tensor.
    std::size_t first = 0;
    while (first < i && outputs[first].name != outputs[i].name) ++first;
    if (first == i) throw InvalidArgument("output '" + outputs[i].name + "' was not produced");
    s.outputs.push_back(s.outputs[first]);
  }
  return static_cast<int>(s.outputs.size());
}

}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_run_stage) {
  using namespace quantlab::wasm;
  emscripten::function("stageArgs", &stage_args);
  emscripten::function("stageTypes", &stage_types);
  emscripten::function("stageInput", QL_GUARD(stage_input));
  emscripten::function("stageClear", &stage_clear);
  emscripten::function("stagedOutput", QL_GUARD(staged_output));
}
