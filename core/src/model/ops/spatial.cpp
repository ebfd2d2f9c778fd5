// Window arithmetic of Conv and the pooling ops (spatial.h).
#include "model/ops/spatial.h"

#include <algorithm>
#include <string>

namespace quantlab::model::ops {

namespace {

std::vector<std::int64_t> per_dim(const Node& node, const char* attr, std::size_t rank, std::int64_t fallback,
                                  std::int64_t min_value) {
  std::vector<std::int64_t> v = node.get_ints(attr, std::vector<std::int64_t>(rank, fallback));
  if (v.size() != rank)
    invalid(node, std::string("attribute '") + attr + "' has " + std::to_string(v.size()) + " values, expected " +
                      std::to_string(rank));
  for (std::int64_t x : v)
    if (x < min_value || x > kMaxWindowValue) invalid(node, std::string("attribute '") + attr + "' has the value " + std::to_string(x));
  return v;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

WindowAttrs read_window_attrs(const Node& node, std::vector<std::int64_t> kernel, bool with_ceil_mode) {
  WindowAttrs w;
  w.rank = kernel.size();
  for (std::int64_t k : kernel)
    if (k < 1 || k > kMaxWindowValue) invalid(node, "kernel size " + std::to_string(k) + " is out of range");
  w.kernel = std::move(kernel);
  w.strides = per_dim(node, "strides", w.rank, 1, 1);
  w.dilations = per_dim(node, "dilations", w.rank, 1, 1);
  const std::vector<std::int64_t> pads = node.get_ints("pads", std::vector<std::int64_t>(2 * w.rank, 0));
  if (pads.size() != 2 * w.rank)
    invalid(node, "attribute 'pads' has " + std::to_string(pads.size()) + " values, expected " + std::to_string(2 * w.rank));
  for (std::int64_t p : pads)
    if (p < 0 || p > kMaxWindowValue) invalid(node, "attribute 'pads' has the value " + std::to_string(p));
  w.pads_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(w.rank));
  w.pads_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(w.rank), pads.end());
  const std::string auto_pad = node.get_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET" || auto_pad.empty()) w.auto_pad = AutoPad::notset;
  else if (auto_pad == "SAME_UPPER") w.auto_pad = AutoPad::same_upper;
  else if (auto_pad == "SAME_LOWER") w.auto_pad = AutoPad::same_lower;
  else if (auto_pad == "VALID") w.auto_pad = AutoPad::valid;
  else invalid(node, "attribute 'auto_pad' = '" + auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  if (w.auto_pad != AutoPad::notset && node.find("pads") != nullptr) {
    for (std::int64_t p : pads)
      if (p != 0) invalid(node, "attributes 'pads' and 'auto_pad' = " + auto_pad + " are both set");
  }
  if (with_ceil_mode) {
    const std::int64_t c = node.get_int("ceil_mode", 0);
    if (c != 0 && c != 1) invalid(node, "attribute 'ceil_mode' = " + std::to_string(c) + " is not 0 or 1");
    w.ceil_mode = c == 1;
  }
  return w;
}

WindowDim resolve_window(const Node& node, const WindowAttrs& w, std::size_t d, std::int64_t in) {
  WindowDim r;
  const std::int64_t span = w.dilations[d] * (w.kernel[d] - 1) + 1;
  const std::int64_t stride = w.strides[d];
  switch (w.auto_pad) {
    case AutoPad::notset:
      r.pad_begin = w.pads_begin[d];
      r.pad_end = w.pads_end[d];
      break;
    case AutoPad::valid:
      break;
    case AutoPad::same_upper:
    case AutoPad::same_lower: {
      if (in < 0) return r;  // pads depend on the size
      // Output ceil(in / stride); the total padding that achieves it, the odd
      // one at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
      r.out = ceil_div(in, stride);
      const std::int64_t total = std::max<std::int64_t>(0, (r.out - 1) * stride + span - in);
      r.pad_begin = w.auto_pad == AutoPad::same_upper ? total / 2 : total - total / 2;
      r.pad_end = total - r.pad_begin;
      return r;
    }
  }
  if (in < 0) return r;
  const std::int64_t room = in + r.pad_begin + r.pad_end - span;
  if (room < 0)
    invalid(node, "the window (" + std::to_string(span) + " with dilation) is larger than the padded input (" +
                      std::to_string(in + r.pad_begin + r.pad_end) + ")");
  if (w.ceil_mode) {
    r.out = ceil_div(room, stride) + 1;
    // As PyTorch and the ONNX reference: the last window must start inside
    // the input or its leading padding, not wholly in the trailing padding.
    if ((r.out - 1) * stride >= in + r.pad_begin) --r.out;
  } else {
    r.out = room / stride + 1;
  }
  return r;
}

}  // namespace quantlab::model::ops
