// maxpool2x2s2_{qu8,qs8}__wasmsimd — one output row of 2×2 stride-2 max
// pooling of codes (microkernels.h), WebAssembly SIMD128: per 8 outputs, the
// vertical max of 16 codes of each row (i8x16.max_s / u8x16.max_u), then the
// max of its even and odd bytes (two shuffles), one 8-byte store. The last 8
// outputs are computed again from n − 8; rows of 4 to 7 outputs take 4 at a
// time from 8-byte loads the same way (at 0 and n − 4), shorter ones the
// scalar twin.
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <type_traits>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {
namespace {

template <class T>
inline v128_t max16(v128_t a, v128_t b) {
  if constexpr (std::is_signed_v<T>) return wasm_i8x16_max(a, b);
  else return wasm_u8x16_max(a, b);
}

template <class T>
void maxpool_row(std::size_t n, const T* r0, const T* r1, T* out, MaxPool2x2Ukernel<T> scalar) noexcept {
  if (n < 4) {
    scalar(n, r0, r1, out);
    return;
  }
  if (n < 8) {
    for (const std::size_t i : {std::size_t{0}, n - 4}) {
      const v128_t v = max16<T>(wasm_v128_load64_zero(r0 + 2 * i), wasm_v128_load64_zero(r1 + 2 * i));
      const v128_t even = wasm_i8x16_shuffle(v, v, 0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6);
      const v128_t odd = wasm_i8x16_shuffle(v, v, 1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7);
      wasm_v128_store32_lane(out + i, max16<T>(even, odd), 0);
    }
    return;
  }
  for (std::size_t i0 = 0; i0 < n; i0 += 8) {
    const std::size_t i = i0 + 8 <= n ? i0 : n - 8;
    const v128_t v = max16<T>(wasm_v128_load(r0 + 2 * i), wasm_v128_load(r1 + 2 * i));
    const v128_t even = wasm_i8x16_shuffle(v, v, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
    const v128_t odd = wasm_i8x16_shuffle(v, v, 1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15);
    wasm_v128_store64_lane(out + i, max16<T>(even, odd), 0);
  }
}

}  // namespace

void maxpool2x2s2_qu8__wasmsimd(std::size_t n, const std::uint8_t* r0, const std::uint8_t* r1,
                                std::uint8_t* out) noexcept {
  maxpool_row(n, r0, r1, out, maxpool2x2s2_qu8__scalar);
}

void maxpool2x2s2_qs8__wasmsimd(std::size_t n, const std::int8_t* r0, const std::int8_t* r1, std::int8_t* out) noexcept {
  maxpool_row(n, r0, r1, out, maxpool2x2s2_qs8__scalar);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
