// quantlab/kernels/microkernels.h — the microkernels: one output tile each.
//
// Names follow XNNPACK: <datatype>_<op>_<MR>x<NR>[c<KR>]__<isa>[_<variant>],
// and every function lives in a file of the same name under core/src/kernels/.
// Every SIMD kernel has a scalar twin with the identical signature that reads
// the same packed weights; the driver picks one through config.h. The SIMD
// kernels are declared only in builds that compile them (__wasm_simd128__).
//
// Every kernel is noexcept (and the pointer types say so): under Emscripten
// with -fexceptions, an indirect call that may throw goes through a JS
// "invoke" trampoline, which would cost more than a small tile.
//
// Equation numbers (eq. K1 ... K10) refer to core/docs/kernels.md.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

/// @brief Output clamp of the fp32 kernels (fused ReLU / ReLU6 / none).
/// Values below `min` become `min`, above `max` become `max`; NaN passes through.
struct F32MinMax {
  float min;
  float max;
};

// ---------------------------------------------------------------------------
// fp32 GEMM tile (eq. K2): for i < mr, j < nc
//   c[i*c_stride + j] = clamp(bias[j] + sum_{k<kc} a[i*a_stride + k] * B[k][j])
// `w` is one packed panel (PackedWeightsF32::panel): kF32NR biases, then kc rows
// of kF32NR weights; the 1x32 (matrix-vector) kernels also read the next three
// panels, each kF32NR * (kc + 1) floats further, as far as nc reaches.
// Products are accumulated in increasing k, one rounding per multiply and per
// add, so the scalar and SIMD twins agree bit for bit. mr <= the kernel's MR, 1 <= nc <= its NR (8 or 32),
// kc >= 1. Rows i >= mr are never read or written; columns j >= nc are never
// written, and panels past nc are not read.
using F32GemmUkernel = void (*)(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                                std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                                const F32MinMax& params) noexcept;

void f32_gemm_4x8__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                          std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                          const F32MinMax& params) noexcept;
void f32_gemm_1x32__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                          std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                          const F32MinMax& params) noexcept;

// ---------------------------------------------------------------------------
// int8 GEMM tile (eq. K4): for i < mr, j < nc
//   c[i*c_stride + j] = sum_{k<kc} a[i*a_stride + k] * B[k][j]      (int32, raw)
// `a` holds activations widened to int16 (pack_a_qu8_c2 / pack_a_qs8_c2: uint8
// 0..255 or int8 -128..127), kc is even (K rounded up to kQs8KR, padding zero).
// `w` is one packed int8 panel (PackedWeightsQs8::panel); the 1x32 kernels
// also read the next three, each (kc / 2) * 16 bytes further, as far as nc
// reaches. Zero points, bias and scales are applied afterwards by the
// requantization kernels (eq. K6-K9).
// Overflow: |a*b| <= 255*128 = 32640, so the int32 sum is exact while
// kc <= 65792; the operators limit K to kMaxQ8K = 32768 (see eq. K7).
using Qs8GemmUkernel = void (*)(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                                std::size_t c_stride) noexcept;

void qs8_gemm_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                            std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                            std::size_t c_stride) noexcept;
void qs8_gemm_1x32c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                            std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                            std::size_t c_stride) noexcept;

// ---------------------------------------------------------------------------
// Requantization of one row of n int32 accumulators (eq. K6, K8, K9):
//   acc'[j] = acc[j] + col_offset[j] - b_zero_point[j] * row_sum
//   out[j]  = clamp(round_half_even((float)acc'[j] * scale[j]) + zero_point, min, max)
// computed in fp32 exactly as eq. K9 states (see kernels.md for why fp32 and
// not a fixed-point multiplier). Twins agree bit for bit.

/// @brief Per-row corrections of the int32 accumulators (eq. K6).
struct Q8RowCorrection {
  const std::int32_t* col_offset;    ///< bias[j] - za*colsum[j] + K*za*zb[j] (n values)
  const std::int32_t* b_zero_point;  ///< zb[j] (n values)
  std::int32_t row_sum;              ///< sum_k a[k] of this row
};

/// @brief Output zero point and clamp, in the output's integer domain.
struct Q8OutputParams {
  std::int32_t zero_point;
  std::int32_t min;  ///< >= -128 (int8) or >= 0 (uint8); min <= max
  std::int32_t max;  ///< <= 127 (int8) or <= 255 (uint8)
};

using RequantQu8Ukernel = void (*)(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, std::uint8_t* out) noexcept;
using RequantQs8Ukernel = void (*)(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, std::int8_t* out) noexcept;

void requant_qs32_qu8_fp32__scalar(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, std::uint8_t* out) noexcept;
void requant_qs32_qs8_fp32__scalar(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, std::int8_t* out) noexcept;

// int8 GEMM tile with the requantization fused (eq. K4, K6, K9), for rows that
// are output channels (weights stationary, model/ops/qconv2d_nchw.h): for
// i < mr, j < nc
//   acc = init[i] + sum_{k<kc} a[i*a_stride + k] * B[k][j]                (int32, modulo 2^32)
//   out[i*out_stride + j] = clamp(round_half_even((float)acc * scale[i]) + zero_point, min, max)
// a, w and kc as the plain tile kernels; init and scale have mr values. The
// int32 tile never leaves the registers. Names: qs8_gemm_<output>_fp32_4x8c2.
template <class TOut>
using Qs8GemmQ8Ukernel = void (*)(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                  std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                  const float* scale, const Q8OutputParams& out_params, TOut* out,
                                  std::size_t out_stride) noexcept;

void qs8_gemm_qu8_fp32_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                     std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* out,
                                     std::size_t out_stride) noexcept;
void qs8_gemm_qs8_fp32_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                     std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* out,
                                     std::size_t out_stride) noexcept;

// Dequantization of one row to fp32 (eq. K10):
//   out[j] = clamp((float)acc'[j] * scale[j] + bias[j], min, max)
using DequantF32Ukernel = void (*)(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const float* bias, const F32MinMax& params,
                                   float* out) noexcept;

void dequant_qs32_f32__scalar(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                              const float* scale, const float* bias, const F32MinMax& params, float* out) noexcept;

// ---------------------------------------------------------------------------
// int8 depthwise convolution, NHWC, fused requantization (eq. K11, K9): for
// p < pixels and c < channels,
//   acc = init[c] + sum_{t<taps} x_t[c] * w'[t][c]                   (int32, modulo 2^32)
//   output[p*channels + c] = clamp(round_half_even((float)acc * scale[c]) + zero_point, min, max)
// where x_t = input[t] + p * input_increment (tap t's input pixel, or a row of
// zero-point values for padding). `weights` is PackedDwConvQs8::weights: per
// block of kQs8DwCR channels, taps/2 rows of 8 channels × 2 taps of int16
// w' = w - zw[c]. `init` (bias - za * weight_sums, eq. K11) and `scale` hold
// round_up(channels, kQs8DwCR) values. taps is even (>= 2). Exactly
// pixels*channels outputs are written; inputs are read only within
// [x_t, x_t + channels).
// Names: dwconv_<input>_<output>_fp32_8c2 — input and output types (qu8 =
// uint8, qs8 = int8), fp32 requantization, blocks of 8 channels × 2 taps.

/// Channels per packed block of the depthwise kernels.
inline constexpr std::size_t kQs8DwCR = 8;
/// Consecutive taps packed together per channel: one i32x4.dot_i16x8_s pair.
inline constexpr std::size_t kQs8DwTR = 2;

template <class TIn, class TOut>
using DwConvQ8Ukernel = void (*)(std::size_t channels, std::size_t pixels, std::size_t taps, const TIn* const* input,
                                 std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                 const float* scale, const Q8OutputParams& out_params, TOut* output) noexcept;

void dwconv_qu8_qu8_fp32_8c2__scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                     std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_qu8_qs8_fp32_8c2__scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                     std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept;
void dwconv_qs8_qu8_fp32_8c2__scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const std::int8_t* const* input,
                                     std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_qs8_qs8_fp32_8c2__scalar(std::size_t channels, std::size_t pixels, std::size_t taps, const std::int8_t* const* input,
                                     std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept;

// ---------------------------------------------------------------------------
// int8 depthwise convolution, NCHW, the output plane of one channel, fused
// requantization (eq. K11, K9): for y < height and x < width,
//   acc = init + sum_{t<taps} input[y*row_step + x*stride + offset[t]] * weights[t]   (int32, modulo 2^32)
//   output[y*width + x] = clamp(round_half_even((float)acc * scale) + zero_point, min, max)
// `input` is a zero-point-padded plane in the int8 frame (uint8 values flipped
// by 0x80), `weights` are w' = w - zw as int16, `offset[t]` the tap's place in
// the plane relative to an output pixel's window origin, `row_step` the bytes
// between the origins of two output rows (stride_h * padded width). taps is
// even (a zero weight pads an odd count). The SIMD kernels compute 8 outputs
// of a row at a time and read the last row up to
// (round_up(width, 8) - 1) * stride + max(offset) + 2 bytes past its origin;
// exactly height*width outputs are written.
// Names: dwconv_nchw_qs8_<output>_fp32_8x2 — int8 input, output type, fp32
// requantization, 8 pixels × 2 taps per i32x4.dot_i16x8_s pair.
template <class TOut>
using DwConvNchwQ8Ukernel = void (*)(std::size_t height, std::size_t width, std::size_t taps, const std::int8_t* input,
                                     std::size_t row_step, std::size_t stride, const std::size_t* offset,
                                     const std::int16_t* weights, std::int32_t init, float scale,
                                     const Q8OutputParams& out_params, TOut* output) noexcept;

void dwconv_nchw_qs8_qu8_fp32_8x2__scalar(std::size_t height, std::size_t width, std::size_t taps,
                                          const std::int8_t* input, std::size_t row_step, std::size_t stride,
                                          const std::size_t* offset, const std::int16_t* weights, std::int32_t init,
                                          float scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_nchw_qs8_qs8_fp32_8x2__scalar(std::size_t height, std::size_t width, std::size_t taps,
                                          const std::int8_t* input, std::size_t row_step, std::size_t stride,
                                          const std::size_t* offset, const std::int16_t* weights, std::int32_t init,
                                          float scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept;

// ---------------------------------------------------------------------------
// 2×2 max pooling at stride 2 of int8 / uint8 codes, one output row: for i < n
//   out[i] = max(r0[2i], r0[2i+1], r1[2i], r1[2i+1])
// (the max commutes with a monotone quantizer, so it runs on the codes). The
// SIMD kernels read 16 codes of each row per 8 outputs, the last 8 again from
// n − 8; below 8 outputs, the scalar loop.
template <class T>
using MaxPool2x2Ukernel = void (*)(std::size_t n, const T* r0, const T* r1, T* out) noexcept;

void maxpool2x2s2_qu8__scalar(std::size_t n, const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* out) noexcept;
void maxpool2x2s2_qs8__scalar(std::size_t n, const std::int8_t* r0, const std::int8_t* r1, std::int8_t* out) noexcept;

// ---------------------------------------------------------------------------
// Quantized addition of two code arrays of one type into that type, in fp32
// exactly as DequantizeLinear → Add → QuantizeLinear compute it:
//   out[i] = clamp(round_half_even(fl(fl((a[i] − za)·sa) + fl((b[i] − zb)·sb)) / sy), lo, hi) + zy
// with lo, hi the clamp as quotient bounds (qmin − zy, qmax − zy: integers).
struct Q8AddParams {
  float a_scale, b_scale, y_scale;
  std::int32_t a_zero_point, b_zero_point, y_zero_point;
  float lo, hi;
};

template <class T>
using VAddQ8Ukernel = void (*)(std::size_t n, const T* a, const T* b, const Q8AddParams& params, T* out) noexcept;

void vadd_qu8_fp32__scalar(std::size_t n, const std::uint8_t* a, const std::uint8_t* b, const Q8AddParams& params,
                           std::uint8_t* out) noexcept;
void vadd_qs8_fp32__scalar(std::size_t n, const std::int8_t* a, const std::int8_t* b, const Q8AddParams& params,
                           std::int8_t* out) noexcept;

#ifdef __wasm_simd128__
void f32_gemm_4x8__wasmsimd(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                            std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                            const F32MinMax& params) noexcept;
void f32_gemm_1x32__wasmsimd(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                            std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                            const F32MinMax& params) noexcept;
void qs8_gemm_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc,
                                      const std::int16_t* a, std::size_t a_stride, const std::int8_t* w,
                                      std::int32_t* c, std::size_t c_stride) noexcept;
void qs8_gemm_1x32c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc,
                                      const std::int16_t* a, std::size_t a_stride, const std::int8_t* w,
                                      std::int32_t* c, std::size_t c_stride) noexcept;
void requant_qs32_qu8_fp32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* out) noexcept;
void requant_qs32_qs8_fp32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* out) noexcept;
void dequant_qs32_f32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                const float* scale, const float* bias, const F32MinMax& params, float* out) noexcept;
void dwconv_qu8_qu8_fp32_8c2__wasmsimd_dot16x2(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_qu8_qs8_fp32_8c2__wasmsimd_dot16x2(std::size_t channels, std::size_t pixels, std::size_t taps, const std::uint8_t* const* input,
                                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept;
void dwconv_qs8_qu8_fp32_8c2__wasmsimd_dot16x2(std::size_t channels, std::size_t pixels, std::size_t taps, const std::int8_t* const* input,
                                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_qs8_qs8_fp32_8c2__wasmsimd_dot16x2(std::size_t channels, std::size_t pixels, std::size_t taps, const std::int8_t* const* input,
                                               std::size_t input_increment, const std::int16_t* weights, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params, std::int8_t* output) noexcept;
void qs8_gemm_qu8_fp32_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                               std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params,
                                               std::uint8_t* out, std::size_t out_stride) noexcept;
void qs8_gemm_qs8_fp32_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                               std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params,
                                               std::int8_t* out, std::size_t out_stride) noexcept;
void dwconv_nchw_qs8_qu8_fp32_8x2__wasmsimd_dot16x2(std::size_t height, std::size_t width, std::size_t taps,
                                                    const std::int8_t* input, std::size_t row_step,
                                                    std::size_t stride, const std::size_t* offset,
                                                    const std::int16_t* weights, std::int32_t init, float scale,
                                                    const Q8OutputParams& out_params, std::uint8_t* output) noexcept;
void dwconv_nchw_qs8_qs8_fp32_8x2__wasmsimd_dot16x2(std::size_t height, std::size_t width, std::size_t taps,
                                                    const std::int8_t* input, std::size_t row_step,
                                                    std::size_t stride, const std::size_t* offset,
                                                    const std::int16_t* weights, std::int32_t init, float scale,
                                                    const Q8OutputParams& out_params, std::int8_t* output) noexcept;
void maxpool2x2s2_qu8__wasmsimd(std::size_t n, const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* out) noexcept;
void maxpool2x2s2_qs8__wasmsimd(std::size_t n, const std::int8_t* r0, const std::int8_t* r1, std::int8_t* out) noexcept;
void vadd_qu8_fp32__wasmsimd(std::size_t n, const std::uint8_t* a, const std::uint8_t* b, const Q8AddParams& params,
                             std::uint8_t* out) noexcept;
void vadd_qs8_fp32__wasmsimd(std::size_t n, const std::int8_t* a, const std::int8_t* b, const Q8AddParams& params,
                             std::int8_t* out) noexcept;
#endif  // __wasm_simd128__

}  // namespace quantlab::kernels
