#include "quant/layout.h"

namespace quantlab::quant::detail {

SlotLayout slot_layout(const QuantSpec& spec, const Shape& shape) {
  validate(spec, shape);
  std::size_t total = 1;
  for (const std::size_t d : shape) total *= d;  // the array exists, so this does not overflow
  if (spec.granularity == Granularity::tensor) return {Granularity::tensor, 1, total, 1, 1, 1};
  const std::size_t axis = normalize_axis(spec.axis, shape.size());
  std::size_t outer = 1;
  std::size_t inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  const std::size_t extent = shape[axis];
  if (spec.granularity == Granularity::channel) return {Granularity::channel, outer, extent, inner, 1, extent};
  const std::size_t g = static_cast<std::size_t>(spec.group_size);
  return {Granularity::group, outer, extent, inner, g, outer * (extent / g) * inner};
}

}  // namespace quantlab::quant::detail
