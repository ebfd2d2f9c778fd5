// model/ops/qdwconv2d_nchw.h (private) — int8 depthwise convolution of NCHW
// tensors, one input channel per group (depthwise, with any channel
// multiplier; a one-channel stem convolution is the case groups = 1):
//
//   Y[o][p] = clamp(round_half_even(fl(acc[o][p]) · M[o]) + zy, qmin, qmax)       (eq. K9)
//   acc[o][p] = Σ_t (w[o][t] − zw[o]) · (x_t[p] − zx) + bias[o]                     (eq. K11)
//
// where output channel o reads input channel o / multiplier. Each input plane
// is copied once into a zero-point-padded int8 plane (uint8 flipped by 0x80:
// x' = x − 128, zx' = zx − 128), and the microkernels (microkernels.h,
// dwconv_nchw_*, one output plane per call) compute Σ_t w'·x'_t + init with init = bias − zx'·R[o],
// R[o] = Σ_t w'[o][t]: padding holds zx', so it adds nothing. The integers
// equal conv2d_q8's, so the codes are the same bit for bit, without the two
// NCHW↔NHWC transposes the NHWC depthwise kernel needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/kernels/conv.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/isa.h"

namespace quantlab::model::int8_ops {

/// @brief Depthwise weights for dwconv2d_nchw_q8: independent of the image size.
struct PackedDwConvNchwQs8 {
  std::size_t out_channels = 0;
  std::size_t kernel_height = 0, kernel_width = 0;
  std::size_t taps_padded = 0;            ///< kh·kw rounded up to even (the pad weight is 0)
  std::vector<std::int16_t> weights;      ///< out_channels rows of taps_padded: w − zw[o], (ky, kx) order
  std::vector<std::int32_t> weight_sums;  ///< R[o]
  std::vector<std::int32_t> bias;         ///< out_channels values (0 when none)
};

/// @brief True when every group of `s` has one input channel.
bool is_depthwise_nchw(const kernels::Conv2dShape& s);

/// @brief Packs OIHW int8 weights (out_channels × 1 × kh × kw); `zero_point`
/// has 1 or out_channels values, `bias` is empty or out_channels values.
PackedDwConvNchwQs8 pack_dwconv2d_nchw_qs8(const kernels::Conv2dShape& shape, const std::int8_t* weights_oihw,
                                            const std::vector<std::int32_t>& zero_point,
                                            const std::vector<std::int32_t>& bias);

/// @brief s.batch images of NCHW uint8/int8 input to NCHW requantized output;
/// `s` is the geometry of this call (its kernel size must be the packed one).
void dwconv2d_nchw_q8(const PackedDwConvNchwQs8& w, const kernels::Conv2dShape& s, const kernels::Q8Input& input,
                      const kernels::Q8Output& output, kernels::Isa isa = kernels::best_isa());

}  // namespace quantlab::model::int8_ops
