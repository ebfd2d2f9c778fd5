// depthwise_conv2d_f32_plane — the direct convolution of one padded input
// plane into one output plane (conv_f32.h), for convolutions with one input
// channel per group. Plain C++ that the compiler vectorizes along output rows
// (no intrinsics, so there is no scalar/SIMD pair to keep in step); the input
// already carries its padding, so no tap needs a bounds check.
#include <limits>

#include "model/ops/conv_f32.h"

namespace quantlab::model::ops {

namespace {

// One output row of a 3×3, dilation-1 kernel; three input rows. `Stride` is a
// template argument so the stride-1 loop is plain unit-stride loads.
template <std::size_t Stride>
void row_3x3(std::size_t ow, const float* __restrict__ r0, const float* __restrict__ r1, const float* __restrict__ r2,
             const float* __restrict__ w, float bias, float* __restrict__ out) {
  const float w00 = w[0], w01 = w[1], w02 = w[2];
  const float w10 = w[3], w11 = w[4], w12 = w[5];
  const float w20 = w[6], w21 = w[7], w22 = w[8];
  for (std::size_t ox = 0; ox < ow; ++ox) {
    const std::size_t i = ox * Stride;
    float acc = bias;
    acc += w00 * r0[i] + w01 * r0[i + 1] + w02 * r0[i + 2];
    acc += w10 * r1[i] + w11 * r1[i + 1] + w12 * r1[i + 2];
    acc += w20 * r2[i] + w21 * r2[i + 1] + w22 * r2[i + 2];
    out[ox] = acc;
  }
}

// Any kernel: out_row += w · (input row shifted by the tap), one tap at a time.
void row_generic(const ConvGeometry& g, const float* in, std::size_t oy, const float* w, float bias,
                 float* __restrict__ out) {
  const std::size_t pw = g.padded_w();
  for (std::size_t ox = 0; ox < g.out_w; ++ox) out[ox] = bias;
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    const float* row = in + (oy * g.stride_h + ky * g.dilation_h) * pw;
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const float wv = w[ky * g.kernel_w + kx];
      const float* __restrict__ src = row + kx * g.dilation_w;
      if (g.stride_w == 1) {
        for (std::size_t ox = 0; ox < g.out_w; ++ox) out[ox] += wv * src[ox];
      } else {
        for (std::size_t ox = 0; ox < g.out_w; ++ox) out[ox] += wv * src[ox * g.stride_w];
      }
    }
  }
}

void clamp_row(std::size_t n, float* __restrict__ out, float lo, float hi) {
  // NaN passes through, as in the GEMM microkernels.
  for (std::size_t i = 0; i < n; ++i) {
    float v = out[i];
    v = v < lo ? lo : v;
    v = hi < v ? hi : v;
    out[i] = v;
  }
}

}  // namespace

void depthwise_conv2d_f32_plane(const ConvGeometry& g, const float* padded_plane, const float* weights, float bias,
                                float* out, const kernels::F32MinMax& clamp) {
  const std::size_t pw = g.padded_w();
  const bool three_by_three = g.kernel_h == 3 && g.kernel_w == 3 && g.dilation_h == 1 && g.dilation_w == 1;
  const bool clamped = clamp.min > -std::numeric_limits<float>::infinity() ||
                       clamp.max < std::numeric_limits<float>::infinity();
  for (std::size_t oy = 0; oy < g.out_h; ++oy) {
    float* row_out = out + oy * g.out_w;
    const float* r0 = padded_plane + oy * g.stride_h * pw;
    if (three_by_three && g.stride_w == 1) {
      row_3x3<1>(g.out_w, r0, r0 + pw, r0 + 2 * pw, weights, bias, row_out);
    } else if (three_by_three && g.stride_w == 2) {
      row_3x3<2>(g.out_w, r0, r0 + pw, r0 + 2 * pw, weights, bias, row_out);
    } else {
      row_generic(g, padded_plane, oy, weights, bias, row_out);
    }
    if (clamped) clamp_row(g.out_w, row_out, clamp.min, clamp.max);
  }
}

}  // namespace quantlab::model::ops
