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

/// A JS Uint8Array copy of n bytes.
emscripten::val bytes_to_js(const std::uint8_t* p, std::size_t n);
/// The loader's name of a tensor type ("float32", "int8", ...).
std::string js_type(model::DataType t);
/// The inputs staged by stageInput (run_stage.cpp), by the session's input
/// names; the stage is empty afterwards.
std::map<std::string, model::Tensor> take_staged_feeds(const model::Session& session);
/// The one tensor staged at position 0 (a calibration batch, evaluation
/// images); InvalidArgument naming `what` when none was. The stage is empty afterwards.
model::Tensor take_staged_input(const std::string& what);
/// Runs `session` on the staged inputs and keeps its outputs for stagedOutput; returns their count.
int run_staged(const model::Session& session);
/// Median ms of every executed node over `runs` runs on the staged inputs: [{ index, name, op, ms }].
emscripten::val session_profile(const model::Session& session, int runs);
/// { inputs, outputs, nodes, parameters, irVersion, opset, producer } of a session.
emscripten::val session_info(const model::Session& session);

}  // namespace quantlab::wasm
