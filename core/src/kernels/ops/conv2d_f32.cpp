// pack_conv2d_f32, conv2d_f32 — fp32 convolution by im2col + GEMM, one GEMM per group.
#include <algorithm>
#include <memory>
#include <vector>

#include "../size_check.h"
#include "blocking.h"
#include "im2col.h"
#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels {

PackedConvF32 pack_conv2d_f32(const Conv2dShape& shape, const float* weights_oihw, const float* bias) {
  shape.check();
  if (weights_oihw == nullptr) throw InvalidArgument("convolution weights pointer is null");
  PackedConvF32 packed;
  packed.shape = shape;
  const std::size_t k = shape.gemm_k();
  const std::size_t cg = shape.in_channels_per_group();
  const std::size_t og = shape.out_channels_per_group();
  const std::size_t taps = shape.kernel_height * shape.kernel_width;
  std::vector<float> b(k * og);  // one group's GEMM weights, K × N with k = (ky, kx, c)
  for (std::size_t g = 0; g < shape.groups; ++g) {
    for (std::size_t o = 0; o < og; ++o) {
      const float* src = weights_oihw + (g * og + o) * cg * taps;  // [c][ky][kx]
      for (std::size_t c = 0; c < cg; ++c) {
        for (std::size_t t = 0; t < taps; ++t) b[(t * cg + c) * og + o] = src[c * taps + t];
      }
    }
    packed.groups.push_back(pack_weights_f32(k, og, b.data(), og, bias != nullptr ? bias + g * og : nullptr));
  }
  return packed;
}

void conv2d_f32(const PackedConvF32& w, const float* input, float* output, const F32MinMax& clamp, Isa isa) {
  const Conv2dShape& s = w.shape;
  s.check();
  if (w.groups.size() != s.groups) throw InvalidArgument("packed convolution has the wrong number of groups");
  if (input == nullptr || output == nullptr) throw InvalidArgument("convolution tensor pointer is null");
  const KernelConfig& cfg = kernel_config(isa);
  const std::size_t pixels = s.batch * s.out_height() * s.out_width();
  const std::size_t k = s.gemm_k();
  const std::size_t cg = s.in_channels_per_group();
  const std::size_t og = s.out_channels_per_group();
  // A 1x1, stride-1, unpadded convolution reads its GEMM rows straight from
  // the input (row stride = in_channels); every other one goes through im2col.
  const bool pointwise = s.kernel_height == 1 && s.kernel_width == 1 && s.stride_height == 1 && s.stride_width == 1 &&
                         s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 && s.pad_right == 0;
  if (pointwise) {
    for (std::size_t g = 0; g < s.groups; ++g) {
      gemm_f32(pixels, input + g * cg, s.in_channels, w.groups[g], output + g * og, s.out_channels, clamp, isa);
    }
    return;
  }
  const std::size_t chunk = detail::block_rows(pixels, k * sizeof(float), cfg.f32_mr);
  std::unique_ptr<float[]> columns(new float[chunk * k]);  // fully written by im2col: no zeroing
  for (std::size_t m0 = 0; m0 < pixels; m0 += chunk) {
    const std::size_t rows = std::min(chunk, pixels - m0);
    for (std::size_t g = 0; g < s.groups; ++g) {
      detail::im2col_f32(s, input, g, m0, rows, columns.get());
      gemm_f32(rows, columns.get(), k, w.groups[g], output + m0 * s.out_channels + g * og, s.out_channels, clamp, isa);
    }
  }
}

}  // namespace quantlab::kernels
