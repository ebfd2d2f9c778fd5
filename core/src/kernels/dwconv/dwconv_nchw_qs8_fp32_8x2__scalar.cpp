// dwconv_nchw_qs8_{qu8,qs8}_fp32_8x2__scalar — the output plane of one channel
// of an NCHW depthwise convolution (microkernels.h), in plain C++: the
// reference the SIMD twin must match bit for bit.
#include <cstdint>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_math.h"

namespace quantlab::kernels {
namespace {

template <class TOut>
void dwconv_nchw_plane(std::size_t height, std::size_t width, std::size_t taps, const std::int8_t* input,
                       std::size_t row_step, std::size_t stride, const std::size_t* offset, const std::int16_t* weights,
                       std::int32_t init, float scale, const Q8OutputParams& p, TOut* output) noexcept {
  const float lo = static_cast<float>(p.min - p.zero_point);
  const float hi = static_cast<float>(p.max - p.zero_point);
  for (std::size_t y = 0; y < height; ++y, input += row_step, output += width) {
    for (std::size_t x = 0; x < width; ++x) {
      const std::int8_t* origin = input + x * stride;
      std::uint32_t acc = static_cast<std::uint32_t>(init);  // modulo 2^32, as i32x4.add
      for (std::size_t t = 0; t < taps; ++t)
        acc += static_cast<std::uint32_t>(static_cast<std::int32_t>(origin[offset[t]]) * weights[t]);
      output[x] = static_cast<TOut>(detail::requantize_fp32(static_cast<std::int32_t>(acc), scale, lo, hi, p.zero_point));
    }
  }
}

}  // namespace

void dwconv_nchw_qs8_qu8_fp32_8x2__scalar(std::size_t height, std::size_t width, std::size_t taps,
                                          const std::int8_t* input, std::size_t row_step, std::size_t stride,
                                          const std::size_t* offset, const std::int16_t* weights, std::int32_t init,
                                          float scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept {
  dwconv_nchw_plane(height, width, taps, input, row_step, stride, offset, weights, init, scale, out_params, output);
}

void dwconv_nchw_qs8_qs8_fp32_8x2__scalar(std::size_t height, std::size_t width, std::size_t taps,
                                          const std::int8_t* input, std::size_t row_step, std::size_t stride,
                                          const std::size_t* offset, const std::int16_t* weights, std::int32_t init,
                                          float scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept {
  dwconv_nchw_plane(height, width, taps, input, row_step, stride, offset, weights, init, scale, out_params, output);
}

}  // namespace quantlab::kernels
