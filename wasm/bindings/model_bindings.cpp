// Bindings of core/model: load an ONNX model, describe it, run it.
//
// Run inputs and outputs cross through wasm memory (run_stage.cpp); the JS
// loader turns their bytes into the matching typed array (which covers int64
// as BigInt64Array without relying on WASM_BIGINT).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "guard.h"
#include "model_handle.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/session.h"

namespace quantlab::wasm {

using emscripten::val;
namespace qm = quantlab::model;

namespace {

/// Copies a JS Uint8Array into C++ memory in one call; InvalidArgument naming `what` otherwise.
std::vector<std::uint8_t> bytes_from(const val& u8, const std::string& what) {
  if (u8.isUndefined() || u8.isNull() || !u8.instanceof(val::global("Uint8Array")))
    throw InvalidArgument(what + " must be a Uint8Array");
  const std::size_t n = u8["length"].as<std::size_t>();
  std::vector<std::uint8_t> out(n);
  if (n) val(emscripten::typed_memory_view(n, out.data())).call<void>("set", u8);
  return out;
}

}  // namespace

val bytes_to_js(const std::uint8_t* p, std::size_t n) {
  return val(emscripten::typed_memory_view(n, p)).call<val>("slice");
}

std::string js_type(qm::DataType t) {
  return t == qm::DataType::float32 ? "float32" : t == qm::DataType::float64 ? "float64" : qm::type_name(t);
}

namespace {

val shape_to_js(const std::vector<std::int64_t>& shape) {
  val a = val::array();
  for (std::int64_t d : shape) a.call<void>("push", d < 0 ? val::null() : val(static_cast<double>(d)));
  return a;
}

val value_info_to_js(const qm::ValueInfo& v) {
  val o = val::object();
  o.set("name", v.name);
  o.set("type", js_type(v.type));
  if (v.has_shape) {
    val dims = val::array();
    for (const qm::Dim& d : v.dims)
      dims.call<void>("push", d.value >= 0 ? val(static_cast<double>(d.value)) : d.param.empty() ? val::null() : val(d.param));
    o.set("shape", dims);
  } else {
    o.set("shape", val::null());
  }
  return o;
}

val strings_to_js(const std::vector<std::string>& v) {
  val a = val::array();
  for (const std::string& s : v) a.call<void>("push", s);
  return a;
}

ModelHandle* model_load(val bytes, val external) {
  const std::vector<std::uint8_t> data = bytes_from(bytes, "the model");
  // Always a resolver, so a missing file is reported in the npm API's terms.
  const bool given = !external.isUndefined() && !external.isNull();
  qm::ExternalDataResolver resolver = [external, given](const std::string& location, std::uint64_t offset,
                                                        std::int64_t length) {
    const val file = given ? external[location] : val::undefined();
    if (file.isUndefined() || file.isNull())
      throw InvalidArgument("external data file '" + location + "' was not given (pass it in options.externalData)");
    std::vector<std::uint8_t> all = bytes_from(file, "external data '" + location + "'");
    if (offset > all.size()) throw InvalidArgument("external data '" + location + "': offset " + std::to_string(offset) + " is past its end");
    const std::uint64_t available = all.size() - offset;
    const std::uint64_t n = length < 0 ? available : static_cast<std::uint64_t>(length);
    if (n > available)
      throw InvalidArgument("external data '" + location + "' holds " + std::to_string(available) +
                            " bytes from offset " + std::to_string(offset) + ", " + std::to_string(n) + " needed");
    return std::vector<std::uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                     all.begin() + static_cast<std::ptrdiff_t>(offset + n));
  };
  return new ModelHandle{qm::Session(qm::read_onnx(data.data(), data.size(), resolver))};
}

}  // namespace

val session_info(const qm::Session& s) {
  const qm::Model& m = s.model();
  val o = val::object();
  val inputs = val::array(), outputs = val::array(), nodes = val::array();
  for (const auto& v : s.inputs()) inputs.call<void>("push", value_info_to_js(v));
  for (const auto& v : s.outputs()) outputs.call<void>("push", value_info_to_js(v));
  for (const qm::NodeInfo& n : s.nodes()) {
    val node = val::object();
    node.set("index", static_cast<double>(n.index));
    node.set("name", n.name);
    node.set("op", n.op_type);
    node.set("domain", n.domain);
    node.set("inputs", strings_to_js(n.inputs));
    node.set("outputs", strings_to_js(n.outputs));
    val shapes = val::array(), types = val::array();
    for (std::size_t i = 0; i < n.output_shapes.size(); ++i) {
      shapes.call<void>("push", n.output_rank_known ? shape_to_js(n.output_shapes[i]) : val::null());
      types.call<void>("push", js_type(n.output_types[i]));
    }
    node.set("outputShapes", shapes);
    node.set("outputTypes", types);
    node.set("parameters", static_cast<double>(n.parameters));
    node.set("flops", static_cast<double>(n.flops));
    node.set("folded", n.folded);
    node.set("fusedFrom", strings_to_js(n.fused_from));
    nodes.call<void>("push", node);
  }
  o.set("inputs", inputs);
  o.set("outputs", outputs);
  o.set("nodes", nodes);
  o.set("parameters", static_cast<double>(s.parameter_count()));
  o.set("irVersion", static_cast<double>(m.ir_version));
  o.set("opset", static_cast<double>(m.opset("")));
  o.set("producer", m.producer_name + (m.producer_version.empty() ? "" : " " + m.producer_version));
  return o;
}

val session_profile(const qm::Session& session, int runs) {
  const std::map<std::string, qm::Tensor> inputs = take_staged_feeds(session);
  if (runs < 1 || runs > 10000) throw InvalidArgument("runs must be 1..10000");
  const std::size_t n = session.nodes().size();
  std::vector<std::vector<double>> times(n);
  using clock = std::chrono::steady_clock;
  for (int r = 0; r < runs; ++r) {
    clock::time_point last = clock::now();
    session.run(inputs, [&](const qm::NodeInfo& node, const std::vector<const qm::Tensor*>&) {
      const clock::time_point now = clock::now();
      if (node.index < n) times[node.index].push_back(std::chrono::duration<double, std::milli>(now - last).count());
      last = clock::now();  // the observer's own time is not counted
    });
  }
  val out = val::array();
  for (const qm::NodeInfo& node : session.nodes()) {
    std::vector<double>& t = times[node.index];
    if (t.empty()) continue;  // folded at load time
    std::sort(t.begin(), t.end());
    val o = val::object();
    o.set("index", static_cast<double>(node.index));
    o.set("name", node.name);
    o.set("op", node.op_type);
    o.set("ms", t[t.size() / 2]);
    out.call<void>("push", o);
  }
  return out;
}

namespace {

val model_info(ModelHandle& h) { return session_info(h.session); }

val model_profile(ModelHandle& h, int runs) { return session_profile(h.session, runs); }

int model_run(ModelHandle& h) { return run_staged(h.session); }

val model_supported_ops() { return strings_to_js(qm::supported_ops()); }

}  // namespace
}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_model) {
  using namespace quantlab::wasm;
  emscripten::class_<ModelHandle>("ModelHandle");
  emscripten::function("modelLoad", QL_GUARD(model_load), emscripten::allow_raw_pointers());
  emscripten::function("modelInfo", QL_GUARD(model_info));
  emscripten::function("modelRun", QL_GUARD(model_run));
  emscripten::function("modelProfile", QL_GUARD(model_profile));
  emscripten::function("modelSupportedOps", QL_GUARD(model_supported_ops));
}
