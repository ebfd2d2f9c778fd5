// Storing a 4×8 tile of 32-bit accumulators (fp32 or int32) held in eight
// v128 registers, for the nc <= 8 valid columns; shared by the 4×8 GEMM
// microkernels. Stores go from the last row to the first: an aliased row
// (mr < 4) is overwritten by the row it aliases, with the same values.
#pragma once

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cstddef>

namespace quantlab::kernels::detail {

template <typename T>
inline void store_tile_4x8__wasmsimd(std::size_t nc, T* c0, T* c1, T* c2, T* c3, v128_t vacc0x0123,
                                     v128_t vacc0x4567, v128_t vacc1x0123, v128_t vacc1x4567, v128_t vacc2x0123,
                                     v128_t vacc2x4567, v128_t vacc3x0123, v128_t vacc3x4567) noexcept {
  static_assert(sizeof(T) == 4, "four lanes of 32 bits per v128");
  if (nc == 8) {
    wasm_v128_store(c3, vacc3x0123);
    wasm_v128_store(c3 + 4, vacc3x4567);
    wasm_v128_store(c2, vacc2x0123);
    wasm_v128_store(c2 + 4, vacc2x4567);
    wasm_v128_store(c1, vacc1x0123);
    wasm_v128_store(c1 + 4, vacc1x4567);
    wasm_v128_store(c0, vacc0x0123);
    wasm_v128_store(c0 + 4, vacc0x4567);
    return;
  }
  if (nc & 4) {
    wasm_v128_store(c3, vacc3x0123);
    wasm_v128_store(c2, vacc2x0123);
    wasm_v128_store(c1, vacc1x0123);
    wasm_v128_store(c0, vacc0x0123);
    vacc3x0123 = vacc3x4567;
    vacc2x0123 = vacc2x4567;
    vacc1x0123 = vacc1x4567;
    vacc0x0123 = vacc0x4567;
    c3 += 4;
    c2 += 4;
    c1 += 4;
    c0 += 4;
  }
  if (nc & 2) {
    wasm_v128_store64_lane(c3, vacc3x0123, 0);
    wasm_v128_store64_lane(c2, vacc2x0123, 0);
    wasm_v128_store64_lane(c1, vacc1x0123, 0);
    wasm_v128_store64_lane(c0, vacc0x0123, 0);
    vacc3x0123 = wasm_i64x2_shuffle(vacc3x0123, vacc3x0123, 1, 1);
    vacc2x0123 = wasm_i64x2_shuffle(vacc2x0123, vacc2x0123, 1, 1);
    vacc1x0123 = wasm_i64x2_shuffle(vacc1x0123, vacc1x0123, 1, 1);
    vacc0x0123 = wasm_i64x2_shuffle(vacc0x0123, vacc0x0123, 1, 1);
    c3 += 2;
    c2 += 2;
    c1 += 2;
    c0 += 2;
  }
  if (nc & 1) {
    wasm_v128_store32_lane(c3, vacc3x0123, 0);
    wasm_v128_store32_lane(c2, vacc2x0123, 0);
    wasm_v128_store32_lane(c1, vacc1x0123, 0);
    wasm_v128_store32_lane(c0, vacc0x0123, 0);
  }
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
