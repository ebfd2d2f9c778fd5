#include "guard.h"

#include <emscripten/bind.h>

namespace quantlab::wasm {
namespace {

std::string& last_error() {
  static std::string message;
  return message;
}

// Returns the pending error message ("" when the last call succeeded) and clears it.
std::string take_error() {
  std::string message;
  message.swap(last_error());
  return message;
}

// Whether the last call failed: a bool crosses without allocating, so the
// loader asks this after every call and fetches the message only on failure.
bool has_error() { return !last_error().empty(); }

// Bytes held by C++ allocations (memory_accounting.cpp), for leak checks.
double memory_in_use() { return static_cast<double>(bytes_in_use()); }

}  // namespace

void set_last_error(std::string message) {
  last_error() = message.empty() ? std::string("error (no message)") : std::move(message);
}

}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_guard) {
  emscripten::function("takeError", &quantlab::wasm::take_error);
  emscripten::function("hasError", &quantlab::wasm::has_error);
  emscripten::function("memoryInUse", &quantlab::wasm::memory_in_use);
}
