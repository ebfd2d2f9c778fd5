// quantlab/error.h — the exception types the core throws.
//
// Bad input is reported by throwing one of these; the wasm bindings turn them
// into JS `Error`s in one place and the CLI maps them to exit code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace quantlab {

/// @brief Base of every error the core reports about its input.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief An argument is out of range, malformed or not supported.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// @brief Valid input that quantlab does not implement (an ONNX op, attribute
/// value or type); the message names it and where it is used.
class Unsupported : public Error {
 public:
  using Error::Error;
};

}  // namespace quantlab
