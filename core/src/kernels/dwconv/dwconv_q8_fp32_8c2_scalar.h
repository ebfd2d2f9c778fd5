// dwconv_q8_fp32_8c2_scalar.h (internal) — the body of the four scalar
// depthwise kernels dwconv_<qu8|qs8>_<qu8|qs8>_fp32_8c2__scalar (eq. K11, K9).
//
// The scalar twin of dwconv_q8_fp32_8c2_wasmsimd.h, naive on purpose: one
// output value at a time, reading the same packing (block c / 8, row t / 2,
// lane c % 8, tap t % 2) and the same init and scale. Compiled without
// auto-vectorization (core/CMakeLists.txt): the honest scalar baseline.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_math.h"

namespace quantlab::kernels::detail {

template <class TIn, class TOut>
void dwconv_q8_fp32_8c2_scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const TIn* const* input,
                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                               const float* scale, const Q8OutputParams& out_params, TOut* output) noexcept {
  assert(channels >= 1 && pixels >= 1);
  assert(taps >= kQs8DwTR && taps % kQs8DwTR == 0);
  const std::size_t block_stride = taps * kQs8DwCR;
  const float lo = static_cast<float>(out_params.min - out_params.zero_point);
  const float hi = static_cast<float>(out_params.max - out_params.zero_point);
  for (std::size_t p = 0; p < pixels; ++p) {
    const std::size_t offset = p * input_increment;
    for (std::size_t c = 0; c < channels; ++c) {
      const std::int16_t* w = weights + (c / kQs8DwCR) * block_stride + (c % kQs8DwCR) * kQs8DwTR;
      // Modulo 2^32 (unsigned), as i32x4.add: init already holds
      // bias - za * weight_sums (eq. K11), and the true sum fits int32.
      // Each product is exact: |x * w'| <= 255 * 255.
      std::uint32_t acc = static_cast<std::uint32_t>(init[c]);
      for (std::size_t t = 0; t < taps; ++t) {
        const std::int32_t x = input[t][offset + c];
        const std::int32_t wv = w[(t / kQs8DwTR) * (kQs8DwCR * kQs8DwTR) + t % kQs8DwTR];
        acc += static_cast<std::uint32_t>(x * wv);
      }
      output[p * channels + c] =
          static_cast<TOut>(requantize_fp32(static_cast<std::int32_t>(acc), scale[c], lo, hi, out_params.zero_point));
    }
  }
}

}  // namespace quantlab::kernels::detail
