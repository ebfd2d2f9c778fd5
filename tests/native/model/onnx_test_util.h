// Helpers shared by the ONNX reader and writer tests.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "quantlab/error.h"

namespace quantlab::model::test {

/// The message of the E that `f` throws; a test failure (and "") when it
/// throws nothing or another type.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "did not throw";
  return "";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

}  // namespace quantlab::model::test
