// pack_dwconv2d_qs8 — depthwise int8 weights into blocks of kQs8DwCR channels
// × kQs8DwTR taps of int16 (w - zw), with the bias and the per-channel weight
// sums the kernels' accumulator initialisation needs (eq. K11).
#include <string>

#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels {

void PackedDwConvQs8::check() const {
  shape.check();
  if (!is_depthwise(shape)) throw InvalidArgument("packed depthwise weights: the shape is not depthwise");
  const std::size_t columns = detail::round_up(channels, kQs8DwCR);
  if (channels != shape.in_channels || taps != shape.kernel_height * shape.kernel_width || taps > kMaxQ8K ||
      taps_padded != detail::round_up(taps, kQs8DwTR) ||
      weights.size() != detail::checked_mul(columns / kQs8DwCR, block_stride(), "packed depthwise weights") ||
      bias.size() != columns || weight_sums.size() != columns) {
    throw InvalidArgument("packed depthwise weights: sizes do not match the shape");
  }
}

PackedDwConvQs8 pack_dwconv2d_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                                  const std::vector<std::int32_t>& zero_point, const std::vector<std::int32_t>& bias) {
  shape.check();
  if (!is_depthwise(shape)) {
    throw InvalidArgument("depthwise convolution needs groups == in_channels == out_channels (got groups " +
                          std::to_string(shape.groups) + ", " + std::to_string(shape.in_channels) + " in, " +
                          std::to_string(shape.out_channels) + " out); use pack_conv2d_qs8 for other convolutions");
  }
  if (weights_oihw == nullptr) throw InvalidArgument("depthwise weights pointer is null");
  const std::size_t c_count = shape.in_channels;
  const std::size_t taps = shape.kernel_height * shape.kernel_width;
  if (taps > kMaxQ8K) {
    throw InvalidArgument("depthwise kernel has " + std::to_string(taps) + " taps, more than " + std::to_string(kMaxQ8K));
  }
  if (zero_point.size() != 1 && zero_point.size() != c_count) {
    throw InvalidArgument("weight zero point needs 1 (per tensor) or C = " + std::to_string(c_count) +
                          " (per channel) values, got " + std::to_string(zero_point.size()));
  }
  for (std::int32_t z : zero_point) {
    if (z < -128 || z > 127) throw InvalidArgument("weight zero point " + std::to_string(z) + " is outside -128..127");
  }
  if (!bias.empty() && bias.size() != c_count) {
    throw InvalidArgument("bias needs C = " + std::to_string(c_count) + " values, got " + std::to_string(bias.size()));
  }
  PackedDwConvQs8 p;
  p.shape = shape;
  p.channels = c_count;
  p.taps = taps;
  p.taps_padded = detail::round_up(taps, kQs8DwTR);
  const std::size_t columns = detail::round_up(c_count, kQs8DwCR);
  p.weights.assign(detail::checked_mul(columns / kQs8DwCR, p.block_stride(), "packed depthwise weights"), 0);
  p.bias.assign(columns, 0);
  p.weight_sums.assign(columns, 0);
  for (std::size_t c = 0; c < c_count; ++c) {
    const std::int32_t zw = zero_point.size() == 1 ? zero_point[0] : zero_point[c];
    std::int16_t* block = p.weights.data() + (c / kQs8DwCR) * p.block_stride();
    std::int32_t sum = 0;  // |sum| <= 255 * kMaxQ8K < 2^24
    for (std::size_t t = 0; t < taps; ++t) {
      const std::int32_t v = static_cast<std::int32_t>(weights_oihw[c * taps + t]) - zw;  // -255..255
      // Row t/2 of the block, channel c % 8, tap t % 2 of the pair.
      block[(t / kQs8DwTR) * (kQs8DwCR * kQs8DwTR) + (c % kQs8DwCR) * kQs8DwTR + t % kQs8DwTR] = static_cast<std::int16_t>(v);
      sum += v;
    }
    p.weight_sums[c] = sum;
    p.bias[c] = bias.empty() ? 0 : bias[c];
  }
  return p;
}

}  // namespace quantlab::kernels
