// dwconv2d_q8 — int8 depthwise convolution, NHWC, by the direct dwconv
// microkernels (eq. K11, K9): the operator around them.
//
// Per output row, the kernel gets one input pointer per tap ("indirection",
// after XNNPACK's dwconv): a pixel of the input, or a row of zero-point values
// for padding, which contribute x - za = 0 like conv2d_q8's padding taps. The
// pixels whose every tap lies inside the input horizontally (the interior of
// the row) share one pointer set advanced by stride_width * C per pixel, so
// the pointers are rebuilt once per row and per border pixel, not per pixel
// and tap. A tap row in the vertical padding points at the zero row for the
// whole interior run; the zero row holds W * C values, as far as such a
// pointer advances (an interior run spans at most W input pixels).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "../ops/gemm_q8_driver.h"
#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels {

namespace {

template <class TIn, class TOut>
void run_dwconv(const PackedDwConvQs8& w, const TIn* x, std::int32_t x_zero_point, TOut* y,
                DwConvQ8Ukernel<TIn, TOut> ukernel, const std::int32_t* init, const float* scale,
                const Q8OutputParams& params) {
  const Conv2dShape& s = w.shape;
  const std::size_t c_count = w.channels;
  const std::size_t in_h = s.in_height, in_w = s.in_width;
  const std::size_t oh = s.out_height(), ow = s.out_width();
  const std::size_t kh = s.kernel_height, kw = s.kernel_width;
  const std::vector<TIn> zero(in_w * c_count, static_cast<TIn>(x_zero_point));
  std::vector<const TIn*> taps(w.taps_padded, zero.data());  // an odd kernel's last partner stays on `zero`
  std::vector<const TIn*> rows(kh);

  // Interior [ox_lo, ox_hi): ox * sw - pad_left >= 0 and
  // ox * sw + (kw - 1) * dw - pad_left <= W - 1 (every kx inside).
  const std::size_t sw = s.stride_width, dw = s.dilation_width, pl = s.pad_left;
  std::size_t ox_lo = std::min(ow, detail::divide_round_up(pl, sw));
  std::size_t ox_hi = ox_lo;
  if (in_w - 1 + pl >= (kw - 1) * dw) ox_hi = std::min(ow, (in_w - 1 + pl - (kw - 1) * dw) / sw + 1);
  ox_hi = std::max(ox_hi, ox_lo);

  // Points `taps` at output pixel ox's inputs (row pointers in `rows`, null
  // for a padding row). Interior pixels need no horizontal check, but the
  // check is cheap next to a pixel's work, so every pixel takes it.
  auto point_taps = [&](std::size_t ox) {
    for (std::size_t ky = 0; ky < kh; ++ky) {
      for (std::size_t kx = 0; kx < kw; ++kx) {
        // Signed: the tap may fall in the left padding.
        const long long ix = static_cast<long long>(ox * sw + kx * dw) - static_cast<long long>(pl);
        const bool inside = rows[ky] != nullptr && ix >= 0 && ix < static_cast<long long>(in_w);
        taps[ky * kw + kx] = inside ? rows[ky] + static_cast<std::size_t>(ix) * c_count : zero.data();
      }
    }
  };

  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t oy = 0; oy < oh; ++oy) {
      for (std::size_t ky = 0; ky < kh; ++ky) {
        const long long iy = static_cast<long long>(oy * s.stride_height + ky * s.dilation_height) - static_cast<long long>(s.pad_top);
        rows[ky] = iy >= 0 && iy < static_cast<long long>(in_h)
                       ? x + (b * in_h + static_cast<std::size_t>(iy)) * in_w * c_count
                       : nullptr;
      }
      TOut* out_row = y + (b * oh + oy) * ow * c_count;
      for (std::size_t ox = 0; ox < ox_lo; ++ox) {
        point_taps(ox);
        ukernel(c_count, 1, w.taps_padded, taps.data(), 0, w.weights.data(), init, scale, params, out_row + ox * c_count);
      }
      if (ox_hi > ox_lo) {
        point_taps(ox_lo);
        ukernel(c_count, ox_hi - ox_lo, w.taps_padded, taps.data(), sw * c_count, w.weights.data(), init, scale, params,
                out_row + ox_lo * c_count);
      }
      for (std::size_t ox = ox_hi; ox < ow; ++ox) {
        point_taps(ox);
        ukernel(c_count, 1, w.taps_padded, taps.data(), 0, w.weights.data(), init, scale, params, out_row + ox * c_count);
      }
    }
  }
}

}  // namespace

void dwconv2d_q8(const PackedDwConvQs8& w, const Q8Input& input, const Q8Output& output, Isa isa) {
  w.check();
  detail::check_q8_input(input, 0, 0);
  detail::check_q8_output(output);
  const KernelConfig& cfg = kernel_config(isa);
  const std::size_t columns = detail::round_up(w.channels, kQs8DwCR);
  const std::vector<float> scale = detail::expand_scales(output.scale, w.channels, columns);
  // eq. K11: init[c] = bias[c] - za * S[c], modulo 2^32 like the kernels' int32 adds.
  std::vector<std::int32_t> init(columns);
  const auto za = static_cast<std::uint32_t>(input.zero_point);
  for (std::size_t c = 0; c < columns; ++c) {
    init[c] = static_cast<std::int32_t>(static_cast<std::uint32_t>(w.bias[c]) - za * static_cast<std::uint32_t>(w.weight_sums[c]));
  }
  const Q8OutputParams params{output.zero_point, output.min, output.max};
  if (input.u8 != nullptr) {
    if (output.u8 != nullptr) {
      run_dwconv(w, input.u8, input.zero_point, output.u8, cfg.dwconv_qu8_qu8, init.data(), scale.data(), params);
    } else {
      run_dwconv(w, input.u8, input.zero_point, output.s8, cfg.dwconv_qu8_qs8, init.data(), scale.data(), params);
    }
  } else {
    if (output.u8 != nullptr) {
      run_dwconv(w, input.s8, input.zero_point, output.u8, cfg.dwconv_qs8_qu8, init.data(), scale.data(), params);
    } else {
      run_dwconv(w, input.s8, input.zero_point, output.s8, cfg.dwconv_qs8_qs8, init.data(), scale.data(), params);
    }
  }
}

}  // namespace quantlab::kernels
