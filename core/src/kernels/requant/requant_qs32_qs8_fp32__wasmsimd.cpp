// requant_qs32_qs8_fp32__wasmsimd — int32 accumulators to int8 (eq. K6, K9), WebAssembly SIMD128.
// The loop is shared with the uint8 twin: requant_fp32_wasmsimd.h.
#ifdef __wasm_simd128__

#include "quantlab/kernels/microkernels.h"
#include "requant_fp32_wasmsimd.h"

namespace quantlab::kernels {

void requant_qs32_qs8_fp32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* out) noexcept {
  detail::requant_qs32_q8_fp32_wasmsimd(n, acc, row, scale, out_params, out);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
