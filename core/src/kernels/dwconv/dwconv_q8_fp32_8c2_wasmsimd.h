// dwconv_q8_fp32_8c2_wasmsimd.h (internal) — the body of the four SIMD
// depthwise kernels dwconv_<qu8|qs8>_<qu8|qs8>_fp32_8c2__wasmsimd_dot16x2
// (eq. K11, K9), WebAssembly SIMD128.
//
// NHWC puts a pixel's channels side by side, so one vector holds 8 channels of
// one tap. For a pair of taps (t, t+1), the two 8-channel loads (widened to
// int16 by i16x8.load8x8_u/_s) are interleaved into (x_t[c], x_t+1[c]) pairs
// for channels 0-3 and 4-7, and i32x4.dot_i16x8_s against the packed pairs
// (w'_t[c], w'_t+1[c]) adds both taps of 4 channels in one instruction (on
// x86-64 a pmaddwd; the interleaves are the unpack pattern V8 matches to
// punpck{l,h}wd). i32x4.extmul_{low,high}_i16x8_s would need no shuffles, but
// V8 lowers each extmul to a multiply-low, a multiply-high and an unpack.
// 16 channels (two packed blocks, four accumulators) per step, then one block
// of 8, then the tail of channels % 8 through an 8-byte copy of each input.
//
// Overflow: |x| <= 255 and |w'| <= 255, so one dot (two products) is exact in
// int32 (<= 130 050) and a pixel's sum of taps <= kMaxQ8K products is at most
// 65 025 * 32 768 < 2^31; the accumulators start from init = bias - za * S[c]
// and wrap modulo 2^32 like the scalar twin (eq. K11).
#pragma once

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_fp32_wasmsimd.h"
#include "../store_codes_x8__wasmsimd.h"

namespace quantlab::kernels::detail {

// 8 input values widened to int16 (zero- or sign-extended by the type).
template <class TIn>
inline v128_t load8_widen(const TIn* p) {
  if constexpr (std::is_signed_v<TIn>) return wasm_i16x8_load8x8(p);
  else return wasm_u16x8_load8x8(p);
}

// n < 8 input values widened, the rest 0; reads exactly n bytes.
template <class TIn>
inline v128_t load_tail_widen(const TIn* p, std::size_t n) {
  TIn buf[8] = {};
  std::memcpy(buf, p, n);
  return load8_widen(buf);
}

// The (tap t, tap t+1) pairs of channels 0-3 and 4-7.
inline v128_t pairs_lo(v128_t xa, v128_t xb) { return wasm_i16x8_shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11); }
inline v128_t pairs_hi(v128_t xa, v128_t xb) { return wasm_i16x8_shuffle(xa, xb, 4, 12, 5, 13, 6, 14, 7, 15); }

inline v128_t dot_add(v128_t acc, v128_t x, const std::int16_t* w) {
  return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(x, wasm_v128_load(w)));
}

// Eight requantized outputs (eq. K9) as int16, already clamped to [min, max].
inline v128_t requantize_x8(v128_t acc0, v128_t acc1, const float* scale, const RequantFp32Constants& k) {
  const v128_t q0 = requantize_fp32_x4(acc0, wasm_v128_load(scale), k);
  const v128_t q1 = requantize_fp32_x4(acc1, wasm_v128_load(scale + 4), k);
  return wasm_i16x8_narrow_i32x4(q0, q1);
}

// Two int16 vectors narrowed to 16 bytes of the output type; exact, since
// the values are already within [min, max].
template <class TOut>
inline v128_t narrow_x16(v128_t lo, v128_t hi) {
  if constexpr (std::is_signed_v<TOut>) return wasm_i8x16_narrow_i16x8(lo, hi);
  else return wasm_u8x16_narrow_i16x8(lo, hi);
}

template <class TIn, class TOut>
void dwconv_q8_fp32_8c2_wasmsimd(std::size_t channels, std::size_t pixels, std::size_t taps, const TIn* const* input,
                                 std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                 const float* scale, const Q8OutputParams& out_params, TOut* output) noexcept {
  assert(channels >= 1 && pixels >= 1);
  assert(taps >= kQs8DwTR && taps % kQs8DwTR == 0);
  const RequantFp32Constants k(Q8RowCorrection{nullptr, nullptr, 0}, out_params);
  const std::size_t block_stride = taps * kQs8DwCR;
  for (std::size_t p = 0; p < pixels; ++p) {
    const std::size_t offset = p * input_increment;
    std::size_t c = 0;
    for (; c + 2 * kQs8DwCR <= channels; c += 2 * kQs8DwCR) {
      v128_t acc0 = wasm_v128_load(init + c);
      v128_t acc1 = wasm_v128_load(init + c + 4);
      v128_t acc2 = wasm_v128_load(init + c + 8);
      v128_t acc3 = wasm_v128_load(init + c + 12);
      const std::int16_t* w0 = weights + (c / kQs8DwCR) * block_stride;
      const std::int16_t* w1 = w0 + block_stride;
      for (std::size_t t = 0; t < taps; t += kQs8DwTR) {
        const TIn* xa = input[t] + offset + c;
        const TIn* xb = input[t + 1] + offset + c;
        const v128_t xa0 = load8_widen(xa);
        const v128_t xb0 = load8_widen(xb);
        const v128_t xa1 = load8_widen(xa + 8);
        const v128_t xb1 = load8_widen(xb + 8);
        acc0 = dot_add(acc0, pairs_lo(xa0, xb0), w0);
        acc1 = dot_add(acc1, pairs_hi(xa0, xb0), w0 + 8);
        acc2 = dot_add(acc2, pairs_lo(xa1, xb1), w1);
        acc3 = dot_add(acc3, pairs_hi(xa1, xb1), w1 + 8);
        w0 += kQs8DwCR * kQs8DwTR;
        w1 += kQs8DwCR * kQs8DwTR;
      }
      const v128_t q01 = requantize_x8(acc0, acc1, scale + c, k);
      const v128_t q23 = requantize_x8(acc2, acc3, scale + c + 8, k);
      wasm_v128_store(output + c, narrow_x16<TOut>(q01, q23));
    }
    if (c + kQs8DwCR <= channels) {
      v128_t acc0 = wasm_v128_load(init + c);
      v128_t acc1 = wasm_v128_load(init + c + 4);
      const std::int16_t* w0 = weights + (c / kQs8DwCR) * block_stride;
      for (std::size_t t = 0; t < taps; t += kQs8DwTR) {
        const v128_t xa = load8_widen(input[t] + offset + c);
        const v128_t xb = load8_widen(input[t + 1] + offset + c);
        acc0 = dot_add(acc0, pairs_lo(xa, xb), w0);
        acc1 = dot_add(acc1, pairs_hi(xa, xb), w0 + 8);
        w0 += kQs8DwCR * kQs8DwTR;
      }
      const v128_t q01 = requantize_x8(acc0, acc1, scale + c, k);
      wasm_v128_store64_lane(output + c, narrow_x16<TOut>(q01, q01), 0);
      c += kQs8DwCR;
    }
    if (c < channels) {
      // The last channels % 8: the packed weights, init and scale are padded
      // to 8 channels (zero weights), so only inputs and outputs need care.
      const std::size_t n = channels - c;
      v128_t acc0 = wasm_v128_load(init + c);
      v128_t acc1 = wasm_v128_load(init + c + 4);
      const std::int16_t* w0 = weights + (c / kQs8DwCR) * block_stride;
      for (std::size_t t = 0; t < taps; t += kQs8DwTR) {
        const v128_t xa = load_tail_widen(input[t] + offset + c, n);
        const v128_t xb = load_tail_widen(input[t + 1] + offset + c, n);
        acc0 = dot_add(acc0, pairs_lo(xa, xb), w0);
        acc1 = dot_add(acc1, pairs_hi(xa, xb), w0 + 8);
        w0 += kQs8DwCR * kQs8DwTR;
      }
      const v128_t q01 = requantize_x8(acc0, acc1, scale + c, k);
      store_codes_x8__wasmsimd(output + c, narrow_x16<TOut>(q01, q01), n);
    }
    output += channels;
  }
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
