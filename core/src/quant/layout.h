// Which parameter slot each element of a row-major array uses (Q11). Private to
// core/src (quant and calib).
//
// The array is viewed as (outer, extent, inner) around the axis: element
// (o, c, k) is at flat index (o·extent + c)·inner + k. Its slot is
//   tensor:  0
//   channel: c
//   group:   (o·(extent/g) + c/g)·inner + k        (g = group size)
// so group slots are ordered as param_shape() (the array's shape with the axis
// divided by g), row-major.
#pragma once

#include <cstddef>

#include "quantlab/quant/scheme.h"

namespace quantlab::quant::detail {

struct SlotLayout {
  Granularity granularity;
  std::size_t outer;   ///< product of the dimensions before the axis (1 for tensor)
  std::size_t extent;  ///< the axis' length (for tensor: all elements)
  std::size_t inner;   ///< product of the dimensions after the axis (1 for tensor)
  std::size_t group;   ///< group size (group granularity), else 1
  std::size_t slots;   ///< number of parameter slots
};

/// The layout of `shape` under `spec`; validates spec against the shape.
SlotLayout slot_layout(const QuantSpec& spec, const Shape& shape);

/// Calls fn(first, count, stride, slot) for runs of elements sharing one slot:
/// flat indices first, first + stride, ..., first + (count − 1)·stride.
/// Every element is visited exactly once, in no particular order.
template <typename Fn>
void for_each_slot_run(const SlotLayout& l, Fn&& fn) {
  switch (l.granularity) {
    case Granularity::tensor:
      if (l.extent > 0) fn(std::size_t{0}, l.extent, std::size_t{1}, std::size_t{0});
      return;
    case Granularity::channel:
      for (std::size_t o = 0; o < l.outer; ++o) {
        for (std::size_t c = 0; c < l.extent; ++c) {
          if (l.inner > 0) fn((o * l.extent + c) * l.inner, l.inner, std::size_t{1}, c);
        }
      }
      return;
    case Granularity::group: {
      const std::size_t groups = l.extent / l.group;
      for (std::size_t o = 0; o < l.outer; ++o) {
        for (std::size_t gi = 0; gi < groups; ++gi) {
          for (std::size_t k = 0; k < l.inner; ++k) {
            fn((o * l.extent + gi * l.group) * l.inner + k, l.group, l.inner, (o * groups + gi) * l.inner + k);
          }
        }
      }
      return;
    }
  }
}

}  // namespace quantlab::quant::detail
