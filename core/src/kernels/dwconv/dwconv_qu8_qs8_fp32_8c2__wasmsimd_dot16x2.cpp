// dwconv_qu8_qs8_fp32_8c2__wasmsimd_dot16x2 — depthwise convolution, uint8 in,
// int8 out (eq. K11, K9), WebAssembly SIMD128 with i32x4.dot_i16x8_s over tap
// pairs. The loop is shared with the other input/output types:
// dwconv_q8_fp32_8c2_wasmsimd.h.
#ifdef __wasm_simd128__

#include "dwconv_q8_fp32_8c2_wasmsimd.h"

namespace quantlab::kernels {

void dwconv_qu8_qs8_fp32_8c2__wasmsimd_dot16x2(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept {
  detail::dwconv_q8_fp32_8c2_wasmsimd(channels, pixels, taps, input, input_increment, weights, init, scale, out_params,
                                      output);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
