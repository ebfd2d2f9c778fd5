// Storing the first nc <= 8 codes (bytes) of a v128's low half: one 8-byte
// store for a full group, else lane stores of 4, 2 and 1 bytes, so nothing
// past out + nc is written. Shared by the kernels that requantize 8 outputs
// at a time (qs8_gemm_*_fp32_4x8c2, dwconv_nchw_*) and the NHWC depthwise
// kernels' channel tail.
#pragma once

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cstddef>

namespace quantlab::kernels::detail {

template <class T>
inline void store_codes_x8__wasmsimd(T* out, v128_t v, std::size_t nc) {
  static_assert(sizeof(T) == 1, "codes are bytes");
  if (nc >= 8) {
    wasm_v128_store64_lane(out, v, 0);
    return;
  }
  if (nc & 4) {
    wasm_v128_store32_lane(out, v, 0);
    v = wasm_u64x2_shr(v, 32);
    out += 4;
  }
  if (nc & 2) {
    wasm_v128_store16_lane(out, v, 0);
    v = wasm_u64x2_shr(v, 16);
    out += 2;
  }
  if (nc & 1) wasm_v128_store8_lane(out, v, 0);
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
