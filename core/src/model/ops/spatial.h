// spatial.h (internal) — the window arithmetic Conv and the pooling ops share:
// kernel_shape, strides, dilations, pads, auto_pad and ceil_mode, read once
// and resolved per spatial dim against the input size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/ops/op.h"

namespace quantlab::model::ops {

enum class AutoPad { notset, same_upper, same_lower, valid };

/// Largest kernel size, stride, dilation or pad accepted (2^20): far beyond
/// any model, small enough that input size + pads cannot wrap a 32-bit size_t
/// (WebAssembly) for any input that fits in memory.
inline constexpr std::int64_t kMaxWindowValue = std::int64_t{1} << 20;

/// @brief A sliding window over `rank` spatial dims (ONNX Conv/Pool attributes).
struct WindowAttrs {
  std::size_t rank = 0;
  std::vector<std::int64_t> kernel;      ///< per spatial dim
  std::vector<std::int64_t> strides;     ///< default 1
  std::vector<std::int64_t> dilations;   ///< default 1
  std::vector<std::int64_t> pads_begin;  ///< explicit pads (auto_pad NOTSET)
  std::vector<std::int64_t> pads_end;
  AutoPad auto_pad = AutoPad::notset;
  bool ceil_mode = false;
};

/// Reads strides, dilations, pads and auto_pad for `kernel` (already known),
/// and ceil_mode when `with_ceil_mode`; InvalidArgument for malformed values
/// (wrong lengths, strides or dilations < 1, negative pads, unknown auto_pad).
WindowAttrs read_window_attrs(const Node& node, std::vector<std::int64_t> kernel, bool with_ceil_mode);

/// @brief One spatial dim resolved against its input size.
struct WindowDim {
  std::int64_t out = -1;  ///< -1 when the input size is unknown
  std::int64_t pad_begin = 0;
  std::int64_t pad_end = 0;
};

/// The output size and pads of spatial dim `d` for input size `in` (-1:
/// unknown). InvalidArgument when the window does not fit the padded input.
WindowDim resolve_window(const Node& node, const WindowAttrs& w, std::size_t d, std::int64_t in);

}  // namespace quantlab::model::ops
