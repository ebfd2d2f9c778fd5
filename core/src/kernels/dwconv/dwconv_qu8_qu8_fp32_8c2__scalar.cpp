// dwconv_qu8_qu8_fp32_8c2__scalar — depthwise convolution, uint8 in, uint8 out (eq. K11, K9),
// scalar twin of dwconv_qu8_qu8_fp32_8c2__wasmsimd_dot16x2. The loop is
// shared with the other input/output types: dwconv_q8_fp32_8c2_scalar.h.
#include "dwconv_q8_fp32_8c2_scalar.h"

namespace quantlab::kernels {

void dwconv_qu8_qu8_fp32_8c2__scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                     std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept {
  detail::dwconv_q8_fp32_8c2_scalar(channels, pixels, taps, input, input_increment, weights, init, scale, out_params,
                                    output);
}

}  // namespace quantlab::kernels
