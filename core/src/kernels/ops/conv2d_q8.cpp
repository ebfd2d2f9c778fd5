// pack_conv2d_qs8, conv2d_q8 — int8 convolution by im2col + GEMM, one GEMM per group.
// im2col writes the int16 packed rows and their sums directly (no extra pass).
#include <algorithm>
#include <memory>
#include <vector>

#include "../size_check.h"
#include "blocking.h"
#include "gemm_q8_driver.h"
#include "im2col.h"
#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels {

PackedConvQs8 pack_conv2d_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                              const std::vector<std::int32_t>& zero_point, const std::vector<std::int32_t>& bias) {
  shape.check();
  if (weights_oihw == nullptr) throw InvalidArgument("convolution weights pointer is null");
  if (shape.gemm_k() > kMaxQ8K) throw InvalidArgument("convolution depth kh*kw*Cin/groups exceeds 32768");
  if (zero_point.size() != 1 && zero_point.size() != shape.out_channels) {
    throw InvalidArgument("weight zero point needs 1 or out_channels values");
  }
  if (!bias.empty() && bias.size() != shape.out_channels) throw InvalidArgument("bias needs out_channels values");
  PackedConvQs8 packed;
  packed.shape = shape;
  const std::size_t k = shape.gemm_k();
  const std::size_t cg = shape.in_channels_per_group();
  const std::size_t og = shape.out_channels_per_group();
  const std::size_t taps = shape.kernel_height * shape.kernel_width;
  std::vector<std::int8_t> b(k * og);
  for (std::size_t g = 0; g < shape.groups; ++g) {
    for (std::size_t o = 0; o < og; ++o) {
      const std::int8_t* src = weights_oihw + (g * og + o) * cg * taps;
      for (std::size_t c = 0; c < cg; ++c) {
        for (std::size_t t = 0; t < taps; ++t) b[(t * cg + c) * og + o] = src[c * taps + t];
      }
    }
    std::vector<std::int32_t> zp = zero_point.size() == 1
                                       ? zero_point
                                       : std::vector<std::int32_t>(zero_point.begin() + g * og, zero_point.begin() + (g + 1) * og);
    std::vector<std::int32_t> gb = bias.empty() ? bias : std::vector<std::int32_t>(bias.begin() + g * og, bias.begin() + (g + 1) * og);
    packed.groups.push_back(pack_weights_qs8(k, og, b.data(), og, zp, gb));
  }
  return packed;
}

void conv2d_q8(const PackedConvQs8& w, const Q8Input& input, const Q8Output& output, Isa isa) {
  const Conv2dShape& s = w.shape;
  s.check();
  if (w.groups.size() != s.groups) throw InvalidArgument("packed convolution has the wrong number of groups");
  detail::check_q8_input(input, 0, 0);
  detail::check_q8_output(output);
  const KernelConfig& cfg = kernel_config(isa);
  const std::size_t pixels = s.batch * s.out_height() * s.out_width();
  const std::size_t og = s.out_channels_per_group();
  const std::vector<float> scale = detail::expand_scales(output.scale, s.out_channels, s.out_channels);
  const Q8OutputParams params{output.zero_point, output.min, output.max};
  const std::size_t kp = w.groups[0].k_padded;
  const std::size_t chunk = detail::block_rows(pixels, kp * sizeof(std::int16_t), cfg.qs8_mr);
  std::unique_ptr<std::int16_t[]> a_packed(new std::int16_t[chunk * kp]);  // fully written by im2col: no zeroing
  std::vector<std::int32_t> row_sums(chunk);
  std::vector<std::vector<std::int32_t>> col_offsets;
  for (const PackedWeightsQs8& gw : w.groups) {
    gw.check();
    col_offsets.push_back(detail::column_offsets(gw, input.zero_point));
  }
  for (std::size_t m0 = 0; m0 < pixels; m0 += chunk) {
    const std::size_t rows = std::min(chunk, pixels - m0);
    for (std::size_t g = 0; g < s.groups; ++g) {
      if (input.u8 != nullptr) {
        detail::im2col_q8_packed(s, input.u8, input.zero_point, g, m0, rows, kp, a_packed.get(), row_sums.data());
      } else {
        detail::im2col_q8_packed(s, input.s8, input.zero_point, g, m0, rows, kp, a_packed.get(), row_sums.data());
      }
      const float* group_scale = scale.data() + g * og;
      detail::run_q8_block(rows, a_packed.get(), row_sums.data(), w.groups[g], col_offsets[g].data(), cfg,
                           [&](std::size_t row, std::size_t n0, std::size_t nc, const std::int32_t* acc,
                               const Q8RowCorrection& correction) {
                             const std::size_t at = (m0 + row) * s.out_channels + g * og + n0;
                             if (output.u8 != nullptr) {
                               cfg.requant_qu8(nc, acc, correction, group_scale + n0, params, output.u8 + at);
                             } else {
                               cfg.requant_qs8(nc, acc, correction, group_scale + n0, params, output.s8 + at);
                             }
                           });
    }
  }
}

}  // namespace quantlab::kernels
