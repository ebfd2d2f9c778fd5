// The model handle shared by the model and PTQ bindings, and the helpers that
// move tensors across the boundary (raw bytes + type name + shape).
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantlab/model/session.h"

namespace quantlab::wasm {

struct ModelHandle {
  model::Session session;
};

/// Copies a JS Uint8Array into C++ memory in one call; InvalidArgument naming `what` otherwise.
std::vector<std::uint8_t> bytes_from(const emscripten::val& u8, const std::string& what);
/// A JS Uint8Array copy of n bytes.
emscripten::val bytes_to_js(const std::uint8_t* p, std::size_t n);
/// { name: { bytes, type, shape } } → tensors; InvalidArgument naming the input on bad entries.
std::map<std::string, model::Tensor> feeds_from_js(const emscripten::val& feeds);
/// One { bytes, type, shape } → a tensor.
model::Tensor tensor_from_js(const std::string& name, const emscripten::val& t);
/// Tensors → { name: { bytes, type, shape } }.
emscripten::val outputs_to_js(const std::map<std::string, model::Tensor>& outputs);
/// Median ms of every executed node over `runs` runs: [{ index, name, op, ms }].
emscripten::val session_profile(const model::Session& session, const emscripten::val& feeds, int runs);
/// { inputs, outputs, nodes, parameters, irVersion, opset, producer } of a session.
emscripten::val session_info(const model::Session& session);

}  // namespace quantlab::wasm
