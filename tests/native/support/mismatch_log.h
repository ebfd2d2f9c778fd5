// support/mismatch_log.h — counts failures of a bulk sweep and keeps the first
// few messages, so a sweep over millions of inputs reports one readable failure
// instead of millions of lines.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace quantlab::test {

class MismatchLog {
 public:
  /// How many failing inputs are printed; the rest are only counted.
  static constexpr std::size_t kMaxReported = 10;

  /// @brief Records one checked case; `message` is called only on failure.
  template <typename MessageFn>
  void check(bool ok, MessageFn&& message) {
    ++checked_;
    if (ok) return;
    ++failures_;
    if (messages_.size() < kMaxReported) messages_.push_back(message());
  }

  std::size_t failures() const { return failures_; }
  std::size_t checked() const { return checked_; }

  /// @brief "3 of 200000 cases failed; first ones:\n  ...".
  std::string report() const {
    std::string out = std::to_string(failures_) + " of " + std::to_string(checked_) + " cases failed";
    if (!messages_.empty()) out += "; first ones:";
    for (const std::string& m : messages_) out += "\n  " + m;
    return out;
  }

 private:
  std::size_t checked_ = 0;
  std::size_t failures_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace quantlab::test
