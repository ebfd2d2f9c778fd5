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
/// One { bytes, type, shape } → a tensor; InvalidArgument naming `name` on bad entries.
model::Tensor tensor_from_js(const std::string& name, const emscripten::val& t);
/// The loader's name of a tensor type ("float32", "int8", ...).
std::string js_type(model::DataType t);
/// The inputs staged by stageInput (run_stage.cpp), by the session's input
/// names; the stage is empty afterwards.
std::map<std::string, model::Tensor> take_staged_feeds(const model::Session& session);
/// Runs `session` on the staged inputs and keeps its outputs for stagedOutput; returns their count.
int run_staged(const model::Session& session);
/// Median ms of every executed node over `runs` runs on the staged inputs: [{ index, name, op, ms }].
emscripten::val session_profile(const model::Session& session, int runs);
/// { inputs, outputs, nodes, parameters, irVersion, opset, producer } of a session.
emscripten::val session_info(const model::Session& session);

}  // namespace quantlab::wasm
