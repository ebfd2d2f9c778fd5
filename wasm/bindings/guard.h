// The one place where C++ exceptions meet JavaScript.
//
// Every bound function is wrapped by QL_GUARD: an exception is caught in C++
// (so its memory is freed and the instance stays healthy), its message is kept,
// and a neutral value is returned. The JS loader asks hasError() after each
// call and throws `new Error(takeError())` when there is one. Throwing a JS error
// from inside a C++ catch block would skip __cxa_end_catch and leak.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <exception>
#include <string>
#include <utility>

namespace quantlab::wasm {

/// Bytes currently held by C++ allocations (operator new) in this instance.
std::size_t bytes_in_use();

/// Records the message of a failed call for takeError().
void set_last_error(std::string message);

template <typename R>
R neutral_value() {
  if constexpr (std::is_same_v<R, emscripten::val>) {
    return emscripten::val::undefined();
  } else {
    return R{};
  }
}

template <auto Fn>
struct Guarded;

template <typename R, typename... A, R (*Fn)(A...)>
struct Guarded<Fn> {
  static R call(A... args) {
    try {
      return Fn(std::forward<A>(args)...);
    } catch (const std::exception& e) {
      set_last_error(e.what());
    } catch (...) {
      set_last_error("internal error (unknown exception)");
    }
    if constexpr (!std::is_void_v<R>) return neutral_value<R>();
  }
};

}  // namespace quantlab::wasm

/// Binds `fn` under `name`, converting its exceptions through takeError().
#define QL_GUARD(fn) (&::quantlab::wasm::Guarded<fn>::call)
