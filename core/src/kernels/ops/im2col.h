// im2col.h (internal) — output pixels as rows of the convolution's GEMM.
//
// Row r of the block is output pixel m0 + r (over batch × out_h × out_w); its
// K = kh × kw × Cin/groups values are ordered (ky, kx, c), the order in which
// pack_conv2d_* lays out the weights. Taps outside the input read `pad`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "quantlab/kernels/conv.h"

namespace quantlab::kernels::detail {

/// Calls emit(dst_offset, src_or_null) for each (ky, kx) tap of pixel `pixel`,
/// where src points at the first channel of group `g`, or is null for padding.
template <class T, class Emit>
void for_each_tap(const Conv2dShape& s, const T* input, std::size_t group, std::size_t pixel, Emit&& emit) {
  const std::size_t oh = s.out_height();
  const std::size_t ow = s.out_width();
  const std::size_t b = pixel / (oh * ow);
  const std::size_t oy = (pixel / ow) % oh;
  const std::size_t ox = pixel % ow;
  const std::size_t cg = s.in_channels_per_group();
  std::size_t offset = 0;
  for (std::size_t ky = 0; ky < s.kernel_height; ++ky) {
    // Signed arithmetic: the tap may fall in the top/left padding.
    const long long iy = static_cast<long long>(oy * s.stride_height + ky * s.dilation_height) - static_cast<long long>(s.pad_top);
    for (std::size_t kx = 0; kx < s.kernel_width; ++kx, offset += cg) {
      const long long ix = static_cast<long long>(ox * s.stride_width + kx * s.dilation_width) - static_cast<long long>(s.pad_left);
      const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<long long>(s.in_height) && ix < static_cast<long long>(s.in_width);
      const T* src = inside ? input + ((b * s.in_height + static_cast<std::size_t>(iy)) * s.in_width + static_cast<std::size_t>(ix)) *
                                          s.in_channels +
                                  group * cg
                            : nullptr;
      emit(offset, src);
    }
  }
}

/// fp32 im2col: rows × K floats, row stride K.
inline void im2col_f32(const Conv2dShape& s, const float* input, std::size_t group, std::size_t m0, std::size_t rows,
                       float* out) {
  const std::size_t k = s.gemm_k();
  const std::size_t cg = s.in_channels_per_group();
  for (std::size_t r = 0; r < rows; ++r) {
    float* dst = out + r * k;
    for_each_tap(s, input, group, m0 + r, [&](std::size_t offset, const float* src) {
      if (src != nullptr) {
        std::memcpy(dst + offset, src, cg * sizeof(float));
      } else {
        for (std::size_t c = 0; c < cg; ++c) dst[offset + c] = 0.0f;
      }
    });
  }
}

/// int8/uint8 im2col straight into the int16 packed layout of pack_a_*_c2
/// (row stride k_padded, padding taps = the input zero point, the pairing
/// pad = 0) with each row's sum (eq. K5).
template <class T>
void im2col_q8_packed(const Conv2dShape& s, const T* input, std::int32_t zero_point, std::size_t group, std::size_t m0,
                      std::size_t rows, std::size_t k_padded, std::int16_t* out, std::int32_t* row_sums) {
  const std::size_t k = s.gemm_k();
  const std::size_t cg = s.in_channels_per_group();
  for (std::size_t r = 0; r < rows; ++r) {
    std::int16_t* dst = out + r * k_padded;
    std::int32_t sum = 0;
    for_each_tap(s, input, group, m0 + r, [&](std::size_t offset, const T* src) {
      for (std::size_t c = 0; c < cg; ++c) {
        const std::int32_t v = src != nullptr ? static_cast<std::int32_t>(src[c]) : zero_point;
        dst[offset + c] = static_cast<std::int16_t>(v);
        sum += v;
      }
    });
    for (std::size_t kk = k; kk < k_padded; ++kk) dst[kk] = 0;
    row_sums[r] = sum;
  }
}

}  // namespace quantlab::kernels::detail
