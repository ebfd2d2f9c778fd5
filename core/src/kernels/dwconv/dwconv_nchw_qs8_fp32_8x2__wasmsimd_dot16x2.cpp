// dwconv_nchw_qs8_{qu8,qs8}_fp32_8x2__wasmsimd_dot16x2 — the output plane of
// one channel of an NCHW depthwise convolution (microkernels.h), WebAssembly
// SIMD128.
//
// Eight outputs of a row at a time, the pixels in the lanes: per pair of taps,
// the 8 input bytes each tap sees are sign-extended to i16x8 (stride 1: one
// i16x8.load8x8_s; stride 2: the even bytes of a 16-byte load), interleaved
// into (x_t, x_t+1) pairs for pixels 0-3 and 4-7, and i32x4.dot_i16x8_s with
// the splatted weight pair adds both taps' products: 16 multiply-adds per two
// dots. No transposes and no indirection buffer, unlike the NHWC kernels: a
// channel's weights are scalars here, so the plane stays as it is. 3×3
// kernels (10 taps with the pad) keep their weights and offsets in locals.
// A row's last 8 outputs are computed again from width - 8 (a full store
// inside the row); rows narrower than 8 store 8 bytes while the rows after
// them rewrite the excess, and the last rows store lane by lane. Strides other
// than 1 and 2 take the scalar loop (rare in the models we run).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_fp32_wasmsimd.h"
#include "../store_codes_x8__wasmsimd.h"

namespace quantlab::kernels {
namespace {

template <std::size_t kStride>
inline v128_t load_x8(const std::int8_t* p) {
  if constexpr (kStride == 1) {
    return wasm_i16x8_load8x8(p);
  } else {
    const v128_t v = wasm_v128_load(p);
    return wasm_i16x8_extend_low_i8x16(wasm_i8x16_shuffle(v, v, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14));
  }
}

/// acc0123/acc4567 += the products of taps t and t+1 (weight pair w) for 8 pixels.
template <std::size_t kStride>
inline void tap_pair(const std::int8_t* origin, std::size_t off_a, std::size_t off_b, v128_t w, v128_t& acc0123,
                     v128_t& acc4567) {
  const v128_t a = load_x8<kStride>(origin + off_a);
  const v128_t b = load_x8<kStride>(origin + off_b);
  acc0123 = wasm_i32x4_add(acc0123, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11), w));
  acc4567 = wasm_i32x4_add(acc4567, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15), w));
}

template <std::size_t kStride, bool k3x3, class TOut>
void plane(std::size_t height, std::size_t width, std::size_t taps, const std::int8_t* input, std::size_t row_step,
           const std::size_t* offset, const std::int16_t* weights, std::int32_t init, float scale,
           const Q8OutputParams& p, TOut* output) noexcept {
  const detail::RequantFp32Constants k(Q8RowCorrection{nullptr, nullptr, 0}, p);
  const v128_t vscale = wasm_f32x4_splat(scale);
  const v128_t vinit = wasm_i32x4_splat(init);
  // 3×3: the five weight pairs and ten offsets, loaded once.
  v128_t w01, w23, w45, w67, w89;
  std::size_t o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0, o8 = 0, o9 = 0;
  if constexpr (k3x3) {
    w01 = wasm_v128_load32_splat(weights);
    w23 = wasm_v128_load32_splat(weights + 2);
    w45 = wasm_v128_load32_splat(weights + 4);
    w67 = wasm_v128_load32_splat(weights + 6);
    w89 = wasm_v128_load32_splat(weights + 8);
    o0 = offset[0], o1 = offset[1], o2 = offset[2], o3 = offset[3], o4 = offset[4];
    o5 = offset[5], o6 = offset[6], o7 = offset[7], o8 = offset[8], o9 = offset[9];
  }
  for (std::size_t y = 0; y < height; ++y, input += row_step, output += width) {
    for (std::size_t x0 = 0; x0 < width; x0 += 8) {
      // The row's last full group of 8 starts at width - 8 (recomputing some).
      const std::size_t x = (x0 + 8 > width && width >= 8) ? width - 8 : x0;
      const std::int8_t* origin = input + x * kStride;
      v128_t acc0123 = vinit;
      v128_t acc4567 = vinit;
      if constexpr (k3x3) {
        tap_pair<kStride>(origin, o0, o1, w01, acc0123, acc4567);
        tap_pair<kStride>(origin, o2, o3, w23, acc0123, acc4567);
        tap_pair<kStride>(origin, o4, o5, w45, acc0123, acc4567);
        tap_pair<kStride>(origin, o6, o7, w67, acc0123, acc4567);
        tap_pair<kStride>(origin, o8, o9, w89, acc0123, acc4567);
      } else {
        for (std::size_t t = 0; t < taps; t += 2)
          tap_pair<kStride>(origin, offset[t], offset[t + 1], wasm_v128_load32_splat(weights + t), acc0123, acc4567);
      }
      const v128_t q16 = wasm_i16x8_narrow_i32x4(detail::requantize_fp32_x4(acc0123, vscale, k),
                                                 detail::requantize_fp32_x4(acc4567, vscale, k));
      const v128_t q8 = detail::narrow_i16x8<TOut>(q16);
      // A row narrower than 8 stores 8 codes while the rows after it rewrite
      // the excess (8 codes from its start stay inside the plane); else its own.
      detail::store_codes_x8__wasmsimd(output + x, q8, width >= 8 || (height - y) * width >= 8 ? 8 : width);
    }
  }
}

template <class TOut>
void dispatch(std::size_t height, std::size_t width, std::size_t taps, const std::int8_t* input, std::size_t row_step,
              std::size_t stride, const std::size_t* offset, const std::int16_t* weights, std::int32_t init,
              float scale, const Q8OutputParams& p, TOut* output, DwConvNchwQ8Ukernel<TOut> scalar) noexcept {
  const bool k3x3 = taps == 10;
  if (stride == 1 && k3x3) plane<1, true>(height, width, taps, input, row_step, offset, weights, init, scale, p, output);
  else if (stride == 1) plane<1, false>(height, width, taps, input, row_step, offset, weights, init, scale, p, output);
  else if (stride == 2 && k3x3) plane<2, true>(height, width, taps, input, row_step, offset, weights, init, scale, p, output);
  else if (stride == 2) plane<2, false>(height, width, taps, input, row_step, offset, weights, init, scale, p, output);
  else scalar(height, width, taps, input, row_step, stride, offset, weights, init, scale, p, output);
}

}  // namespace

void dwconv_nchw_qs8_qu8_fp32_8x2__wasmsimd_dot16x2(std::size_t height, std::size_t width, std::size_t taps,
                                                    const std::int8_t* input, std::size_t row_step,
                                                    std::size_t stride, const std::size_t* offset,
                                                    const std::int16_t* weights, std::int32_t init, float scale,
                                                    const Q8OutputParams& out_params, std::uint8_t* output) noexcept {
  dispatch(height, width, taps, input, row_step, stride, offset, weights, init, scale, out_params, output,
           dwconv_nchw_qs8_qu8_fp32_8x2__scalar);
}

void dwconv_nchw_qs8_qs8_fp32_8x2__wasmsimd_dot16x2(std::size_t height, std::size_t width, std::size_t taps,
                                                    const std::int8_t* input, std::size_t row_step,
                                                    std::size_t stride, const std::size_t* offset,
                                                    const std::int16_t* weights, std::int32_t init, float scale,
                                                    const Q8OutputParams& out_params, std::int8_t* output) noexcept {
  dispatch(height, width, taps, input, row_step, stride, offset, weights, init, scale, out_params, output,
           dwconv_nchw_qs8_qs8_fp32_8x2__scalar);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
