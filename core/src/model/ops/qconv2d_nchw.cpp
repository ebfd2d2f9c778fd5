// pack_conv2d_nchw_qs8, conv2d_nchw_q8 — int8 convolution of NCHW tensors,
// weights stationary, as an implicit GEMM on the int8 microkernels
// (qconv2d_nchw.h; equations of core/docs/kernels.md).
#include "model/ops/qconv2d_nchw.h"

#include "model/ops/int8_common.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/microkernels.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::int8_ops {
namespace {

using kernels::Conv2dShape;

constexpr std::size_t kNR = kernels::kQs8NR;  // pixels per panel
constexpr std::size_t kKR = kernels::kQs8KR;  // k per panel row and pixel
constexpr std::size_t kBlock = 8 * kNR;       // columns per GEMM block: 8 panels, as gemm_q8 blocks
constexpr std::size_t kMaxMR = 4;             // tallest tile of any int8 microkernel

std::size_t round_up(std::size_t v, std::size_t m) { return (v + m - 1) / m * m; }

/// One image's implicit GEMM. Output rows are padded to whole panels
/// (ow_padded columns, the extra ones computed and dropped), so every panel's
/// 8 pixels lie in one output row and, for stride 1, read 8 consecutive bytes
/// of the padded input. Where that pads much (a 14-pixel row takes two
/// panels, 16 columns), a stride-1 convolution with rows of 7 pixels or more
/// `crosses` instead: panels are 8 consecutive pixels of the whole output
/// plane, and one that runs into the next row reads its bytes from two
/// places (cross_row_bytes). A 1×1, stride-1, unpadded convolution is `flat`:
/// its columns are the input plane's pixels as they are (no copy), the last
/// panel completed from a small copy.
///
/// A flat or crossing plane that ends a few pixels past its last whole panel
/// (49 = 6·8 + 1) may compute those `tail` pixels one at a time instead,
/// with the matrix-vector kernel (conv_tail_pixels, tail_pays): a panel for
/// one pixel would compute 8 and drop 7, an eighth of the work of a 7×7 plane. (A panel
/// spans at most two output rows while rows have 7 pixels or more; rows of 7
/// cross only with a tail, 49 = 6 panels + 1, as 7 panels would pad as many.)
struct Geometry {
  bool flat = false;
  bool cross = false;
  std::size_t oh = 0, ow = 0, ow_padded = 0;
  std::size_t hp = 0, wp = 0;  ///< the zero-point-padded input plane (not flat); rows of wp bytes
  std::size_t columns = 0;     ///< oh · ow_padded, or the pixels in whole panels (flat, cross)
  std::size_t tail = 0;        ///< the plane's last pixels, computed one at a time (flat, cross)
};

/// Whether the last `t` pixels of a plane cost less one at a time than as a
/// panel, for `og` output channels. Counted in i32x4.dot_i16x8_s per k pair:
/// a panel takes 8 per tile of 4 channels; a pixel takes 8 per matrix-vector
/// call of 32 channels (which computes all 32) plus about 4 for gathering
/// its taps. One at a time when that saves a quarter or more: a 7×7 plane's
/// last pixel for 32 channels (12 against 64), not 14×14's last 4 for 16
/// (48 against 32).
bool tail_pays(std::size_t t, std::size_t og) {
  const std::size_t one_at_a_time = t * (8 * ((og + 31) / 32) + 4);
  const std::size_t panel = 8 * ((og + 3) / 4);
  return 4 * one_at_a_time <= 3 * panel;
}

/// Rows below a crossing plane's padding, so that the last panel's pixels
/// past the plane (computed and dropped) read inside it.
constexpr std::size_t kCrossSlackRows = 2;

/// `tail_ok`: the packed weights have the matrix-vector copy (tail_weights).
Geometry geometry(const Conv2dShape& s, bool tail_ok) {
  Geometry g;
  g.oh = s.out_height();
  g.ow = s.out_width();
  g.flat = s.kernel_height == 1 && s.kernel_width == 1 && s.stride_height == 1 && s.stride_width == 1 &&
           s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 && s.pad_right == 0;
  const std::size_t plane = g.oh * g.ow, extra = plane % kNR;
  const std::size_t tail = tail_ok && extra != 0 && tail_pays(extra, s.out_channels_per_group()) ? extra : 0;
  const std::size_t panel_columns = tail != 0 ? plane - tail : round_up(plane, kNR);
  if (g.flat) {
    g.ow_padded = g.ow;
    g.columns = panel_columns;
    g.tail = tail;
    return g;
  }
  g.ow_padded = round_up(g.ow, kNR);
  g.hp = s.pad_top + s.in_height + s.pad_bottom;
  g.cross = s.stride_height == 1 && s.stride_width == 1 && g.ow + 1 >= kNR && panel_columns < g.oh * g.ow_padded;
  if (g.cross) {
    g.ow_padded = g.ow;
    g.hp += kCrossSlackRows;
    g.wp = s.pad_left + s.in_width + s.pad_right;
    g.columns = panel_columns;
    g.tail = tail;
    return g;
  }
  // Wide enough for the padded columns' taps too.
  const std::size_t reach = (g.ow_padded - 1) * s.stride_width + (s.kernel_width - 1) * s.dilation_width + 1;
  g.wp = std::max(s.pad_left + s.in_width + s.pad_right, reach);
  g.columns = g.oh * g.ow_padded;
  return g;
}

/// The offset in the padded planes of each k = (c, ky, kx) relative to a
/// pixel's window origin; k past K repeats the last (its weight is 0).
std::vector<std::size_t> tap_offsets(const Conv2dShape& s, const Geometry& g, std::size_t k, std::size_t k_padded) {
  std::vector<std::size_t> tap(k_padded);
  std::size_t i = 0;
  for (std::size_t c = 0; c < s.in_channels_per_group(); ++c)
    for (std::size_t ky = 0; ky < s.kernel_height; ++ky)
      for (std::size_t kx = 0; kx < s.kernel_width; ++kx)
        tap[i++] = (c * g.hp + ky * s.dilation_height) * g.wp + kx * s.dilation_width;
  for (; i < k_padded; ++i) tap[i] = tap[k - 1];
  return tap;
}

/// Bytes the padded planes are read past their end by the 16-byte loads of
/// a stride-2 panel row (its last pixel's byte is at offset 14).
constexpr std::size_t kReadSlack = 16;

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#define QUANTLAB_HAVE_SHUFFLEVECTOR 1
typedef std::int8_t Bytes8 __attribute__((vector_size(8)));
typedef std::int8_t Bytes16 __attribute__((vector_size(16)));
#endif

/// One panel row: d[2j] = a[j·stride] ^ flip, d[2j + 1] = b[j·stride] ^ flip
/// for j < 8. With the compilers' vector extensions (one shuffle: i8x16.shuffle
/// in WebAssembly, punpcklbw on x86) for strides 1 and 2; bytes otherwise.
inline void interleave_row(const std::int8_t* a, const std::int8_t* b, std::size_t stride, std::int8_t flip,
                           std::int8_t* d) {
#ifdef QUANTLAB_HAVE_SHUFFLEVECTOR
  if (stride == 1) {
    Bytes8 x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    Bytes16 r = __builtin_shufflevector(x, y, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    if (flip != 0) r ^= flip;
    std::memcpy(d, &r, 16);
    return;
  }
  if (stride == 2) {
    Bytes16 x, y;
    std::memcpy(&x, a, 16);
    std::memcpy(&y, b, 16);
    Bytes16 r = __builtin_shufflevector(x, y, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    if (flip != 0) r ^= flip;
    std::memcpy(d, &r, 16);
    return;
  }
#endif
  for (std::size_t j = 0; j < kNR; ++j) {
    d[2 * j] = static_cast<std::int8_t>(a[j * stride] ^ flip);
    d[2 * j + 1] = static_cast<std::int8_t>(b[j * stride] ^ flip);
  }
}

/// The 8 bytes of a panel row whose first `r` pixels (1..7) end an output
/// row and the rest begin the next, at stride 1: the first r from `at`, the
/// others from `at + gap` (gap = wp − ow, the padding between the rows).
/// Bytes are little-endian in the word, as in WebAssembly and on x86.
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cross_row_bytes assumes little-endian words");
#endif
inline std::uint64_t cross_row_bytes(const std::int8_t* at, std::size_t gap, std::uint64_t first_r) {
  std::uint64_t lo, hi;
  std::memcpy(&lo, at, 8);
  std::memcpy(&hi, at + gap, 8);
  return (lo & first_r) | (hi & ~first_r);
}

/// Panels [p0, p0 + count) of a crossing geometry: panel q holds output
/// pixels 8q .. 8q + 7 of the plane.
void pack_panels_crossing(const Geometry& g, const std::int8_t* xp, const std::size_t* tap, std::size_t k_padded,
                          std::size_t p0, std::size_t count, std::int8_t* out) {
  const std::size_t gap = g.wp - g.ow;
  for (std::size_t q = p0; q < p0 + count; ++q) {
    const std::size_t oy = q * kNR / g.ow, ox0 = q * kNR % g.ow;
    const std::int8_t* origin = xp + oy * g.wp + ox0;
    std::int8_t* d = out + (q - p0) * k_padded * kNR;
    const std::size_t r = g.ow - ox0;  // pixels left in this output row
    if (r >= kNR) {
      for (std::size_t t = 0; t < k_padded; t += kKR, d += kKR * kNR)
        interleave_row(origin + tap[t], origin + tap[t + 1], 1, 0, d);
      continue;
    }
    const std::uint64_t first_r = ~std::uint64_t{0} >> (64 - 8 * r);
    for (std::size_t t = 0; t < k_padded; t += kKR, d += kKR * kNR) {
      const std::uint64_t a = cross_row_bytes(origin + tap[t], gap, first_r);
      const std::uint64_t b = cross_row_bytes(origin + tap[t + 1], gap, first_r);
      std::int8_t ab[16];
      std::memcpy(ab, &a, 8);
      std::memcpy(ab + 8, &b, 8);
      interleave_row(ab, ab + 8, 1, 0, d);
    }
  }
}

/// The last g.tail pixels of one image's group (flat or crossing geometry),
/// one at a time: the pixel's K taps widened to int16 are one A row for the
/// matrix-vector kernel against the group's int8 weights (tail_weights), and
/// the requantization kernel adds the same init (bias − zx'·R) and applies
/// the same scale as the panels' fused tiles, with −zw·Σx' for the raw
/// weights. The integers equal the panels', so the codes do too.
template <class TOut>
void conv_tail_pixels(const kernels::KernelConfig& cfg, const kernels::PackedWeightsQs8& w, const Geometry& g,
                      const std::int8_t* padded, const std::size_t* tap, const std::int8_t* x, std::size_t in_plane,
                      std::int8_t flip, const std::int32_t* row_init, const float* row_scale,
                      const kernels::Q8OutputParams& params, TOut* y, std::size_t out_plane) {
  thread_local std::vector<std::int16_t> a;
  a.assign(w.k_padded, 0);
  std::int32_t acc[kernels::kGemvNR];
  TOut codes[kernels::kGemvNR];
  for (std::size_t p = out_plane - g.tail; p < out_plane; ++p) {
    std::int32_t row_sum = 0;
    if (g.flat) {
      for (std::size_t k = 0; k < w.k; ++k) a[k] = static_cast<std::int8_t>(x[k * in_plane + p] ^ flip);
    } else {
      const std::int8_t* origin = padded + p / g.ow * g.wp + p % g.ow;
      for (std::size_t k = 0; k < w.k; ++k) a[k] = origin[tap[k]];
    }
    for (std::size_t k = 0; k < w.k; ++k) row_sum += a[k];
    for (std::size_t c0 = 0; c0 < w.n; c0 += kernels::kGemvNR) {
      const std::size_t nc = std::min(kernels::kGemvNR, w.n - c0);
      cfg.qs8_gemv(1, nc, w.k_padded, a.data(), w.k_padded, w.panel(c0 / kNR), acc, kernels::kGemvNR);
      const kernels::Q8RowCorrection row{row_init + c0, w.zero_point.data() + c0, row_sum};
      if constexpr (std::is_same_v<TOut, std::uint8_t>)
        cfg.requant_qu8(nc, acc, row, row_scale + c0, params, codes);
      else
        cfg.requant_qs8(nc, acc, row, row_scale + c0, params, codes);
      for (std::size_t j = 0; j < nc; ++j) y[(c0 + j) * out_plane + p] = codes[j];
    }
  }
}

/// Panels [p0, p0 + count) of B (K × columns, B[k][p] = padded input at
/// pixel p's window origin + tap[k]): the microkernels' layout, per panel
/// k_padded / 2 rows of 8 pixels × 2 consecutive k (Qs8PanelRow).
void pack_panels(const Conv2dShape& s, const Geometry& g, const std::int8_t* xp, const std::size_t* tap,
                 std::size_t k_padded, std::size_t p0, std::size_t count, std::int8_t* out) {
  if (g.cross) {
    pack_panels_crossing(g, xp, tap, k_padded, p0, count, out);
    return;
  }
  const std::size_t per_row = g.ow_padded / kNR;
  const std::size_t sw = s.stride_width;
  for (std::size_t q = p0; q < p0 + count; ++q) {
    const std::size_t oy = q / per_row, ox0 = (q % per_row) * kNR;
    const std::int8_t* origin = xp + oy * s.stride_height * g.wp + ox0 * sw;
    std::int8_t* d = out + (q - p0) * k_padded * kNR;
    if (sw <= 2) {
      for (std::size_t t = 0; t < k_padded; t += kKR, d += kKR * kNR)
        interleave_row(origin + tap[t], origin + tap[t + 1], sw, 0, d);
    } else {
      for (std::size_t t = 0; t < k_padded; t += kKR, d += kKR * kNR) {
        const std::int8_t* a = origin + tap[t];
        const std::int8_t* b = origin + tap[t + 1];
        for (std::size_t j = 0; j < kNR; ++j) {
          d[2 * j] = a[j * sw];
          d[2 * j + 1] = b[j * sw];
        }
      }
    }
  }
}

/// Flat panels [p0, p0 + count) of one image's group of a pointwise
/// convolution: B[k][p] = x[k][p] (channel k's plane, `plane` pixels), read in
/// place and flipped to the int8 frame; the panel holding the last pixels
/// comes from `tail` (k_padded rows of 8, filled by the caller).
void pack_panels_flat(const std::int8_t* x, std::size_t plane, std::size_t k, std::size_t k_padded, std::int8_t flip,
                      const std::int8_t* tail, std::size_t p0, std::size_t count, std::int8_t* out) {
  const std::size_t full = plane / kNR;
  for (std::size_t q = p0; q < p0 + count; ++q) {
    std::int8_t* d = out + (q - p0) * k_padded * kNR;
    for (std::size_t t = 0; t < k_padded; t += kKR, d += kKR * kNR) {
      if (q < full) {
        // The partner of an odd last k reads the last channel again (its weight is 0).
        const std::int8_t* a = x + t * plane + q * kNR;
        const std::int8_t* b = x + std::min(t + 1, k - 1) * plane + q * kNR;
        interleave_row(a, b, 1, flip, d);
      } else {
        interleave_row(tail + t * kNR, tail + (t + 1) * kNR, 1, 0, d);
      }
    }
  }
}

}  // namespace

PackedConvNchwQs8 pack_conv2d_nchw_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                                        const std::vector<std::int32_t>& zero_point,
                                        const std::vector<std::int32_t>& bias) {
  shape.check();
  const std::size_t m = shape.out_channels;
  if (zero_point.size() != 1 && zero_point.size() != m)
    throw InvalidArgument("weight zero point needs 1 or out_channels values");
  if (!bias.empty() && bias.size() != m) throw InvalidArgument("bias needs out_channels values");
  PackedConvNchwQs8 w;
  w.shape = shape;
  w.shape.batch = 1;
  w.k = shape.gemm_k();
  if (w.k > kernels::kMaxQ8K) throw InvalidArgument("convolution depth kh*kw*Cin/groups exceeds 32768");
  w.k_padded = round_up(w.k, kKR);
  w.weights.assign(m * w.k_padded, 0);
  w.weight_sums.assign(m, 0);
  w.bias.assign(m, 0);
  for (std::size_t o = 0; o < m; ++o) {
    const std::int32_t zw = zero_point.size() == 1 ? zero_point[0] : zero_point[o];
    std::int32_t sum = 0;  // |sum| <= 255 · 32768 < 2^23
    for (std::size_t i = 0; i < w.k; ++i) {
      const std::int32_t v = static_cast<std::int32_t>(weights_oihw[o * w.k + i]) - zw;
      w.weights[o * w.k_padded + i] = static_cast<std::int16_t>(v);
      sum += v;
    }
    w.weight_sums[o] = sum;
    if (!bias.empty()) w.bias[o] = bias[o];
  }
  // Made for the image size packed; a caller running other sizes with these
  // weights gets the tail path only if it has them.
  if (geometry(w.shape, true).tail != 0) {
    const std::size_t og = shape.out_channels_per_group();
    for (std::size_t gi = 0; gi < shape.groups; ++gi) {
      std::vector<std::int32_t> zp(zero_point.size() == 1 ? zero_point : std::vector<std::int32_t>(
                                                                              zero_point.begin() + gi * og,
                                                                              zero_point.begin() + (gi + 1) * og));
      w.tail_weights.push_back(kernels::pack_weights_qs8(w.k, og, weights_oihw + gi * og * w.k, w.k, zp, {},
                                                         kernels::WeightLayout::n_by_k));
    }
  }
  return w;
}

ConvNchwQ8Plan plan_conv2d_nchw_q8(const PackedConvNchwQs8& w, bool u8_input, std::int32_t x_zero_point,
                                   const kernels::Q8Output& output) {
  const Conv2dShape& s = w.shape;
  s.check();
  const std::size_t channels = s.out_channels;
  if (output.scale.size() != 1 && output.scale.size() != channels)
    throw InvalidArgument("output scale needs 1 or out_channels values");
  const Geometry g = geometry(s, !w.tail_weights.empty());
  const std::int32_t zx = u8_input ? x_zero_point - 128 : x_zero_point;  // in the int8 frame of B
  // Per output channel m, what the fused kernels add to the sums and scale
  // them by: init = bias[m] − zx·R[m] and M[m].
  ConvNchwQ8Plan plan;
  plan.row_init.resize(channels);
  plan.row_scale.resize(channels);
  for (std::size_t m = 0; m < channels; ++m) {
    plan.row_init[m] = requant_row_init(w.bias[m], zx, w.weight_sums[m]);
    plan.row_scale[m] = output.scale.size() == 1 ? output.scale[0] : output.scale[m];
  }
  if (!g.flat) plan.tap = tap_offsets(s, g, w.k, w.k_padded);
  return plan;
}

void conv2d_nchw_q8(const PackedConvNchwQs8& w, std::size_t batch, const kernels::Q8Input& input,
                    const kernels::Q8Output& output, kernels::Isa isa, const ConvNchwQ8Plan* plan) {
  const Conv2dShape& s = w.shape;
  s.check();
  const std::size_t channels = s.out_channels;
  check_nchw_q8_io(input, output, channels);
  const kernels::KernelConfig& cfg = kernels::kernel_config(isa);
  if (cfg.qs8_mr > kMaxMR) throw InvalidArgument("int8 microkernel taller than 4 rows");

  const Geometry g = geometry(s, !w.tail_weights.empty());
  const std::size_t cg = s.in_channels_per_group(), og = s.out_channels_per_group();
  const std::size_t kp = w.k_padded;
  const std::size_t in_plane = s.in_height * s.in_width, out_plane = g.oh * g.ow;
  const bool u8 = input.u8 != nullptr;
  const std::uint8_t flip = u8 ? 0x80 : 0x00;
  const auto zx_raw = static_cast<std::uint8_t>(input.zero_point);

  ConvNchwQ8Plan made;
  if (plan == nullptr) {
    made = plan_conv2d_nchw_q8(w, u8, input.zero_point, output);
    plan = &made;
  } else if (plan->row_init.size() != channels || plan->row_scale.size() != channels ||
             plan->tap.size() != (g.flat ? 0 : kp)) {
    throw InvalidArgument("conv2d_nchw_q8: the plan was made for another convolution");
  }
  if (!w.tail_weights.empty() && w.tail_weights.size() != s.groups)
    throw InvalidArgument("conv2d_nchw_q8: the packed weights' groups do not match");
  const std::int32_t* const row_init = plan->row_init.data();
  const float* const row_scale = plan->row_scale.data();
  const std::vector<std::size_t>& tap = plan->tap;
  const kernels::Q8OutputParams params{output.zero_point, output.min, output.max};

  const std::size_t padded_bytes = g.flat ? kp * kNR : cg * g.hp * g.wp;  // flat: the tail panel's source
  // Scratch kept per thread: runs after the first allocate nothing.
  thread_local std::vector<std::int8_t> padded_buffer, panel_buffer;
  if (padded_buffer.size() < padded_bytes + kReadSlack) padded_buffer.resize(padded_bytes + kReadSlack);
  if (panel_buffer.size() < kBlock * kp) panel_buffer.resize(kBlock * kp);  // one block of 8 panels
  std::int8_t* const padded = padded_buffer.data();
  std::int8_t* const panels = panel_buffer.data();
  std::memset(padded + padded_bytes, 0, kReadSlack);
  // The planes' border: the zero point, set once; each image and group then
  // copies its rows into the interiors only.
  if (!g.flat) std::memset(padded, zx_raw ^ flip, padded_bytes);
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t gi = 0; gi < s.groups; ++gi) {
      const std::size_t first = (n * s.in_channels + gi * cg) * in_plane;
      const std::int8_t* x = u8 ? reinterpret_cast<const std::int8_t*>(input.u8) + first : input.s8 + first;
      if (g.flat && g.tail == 0) {
        // The last panel's pixels, completed with the zero point, in the int8 frame.
        const std::size_t done = in_plane / kNR * kNR;
        std::memset(padded, zx_raw ^ flip, kp * kNR);
        for (std::size_t c = 0; c < cg; ++c)
          for (std::size_t j = done; j < in_plane; ++j)
            padded[c * kNR + j - done] = static_cast<std::int8_t>(x[c * in_plane + j] ^ flip);
      } else if (!g.flat) {
        copy_into_padded_planes(s, g.hp, g.wp, reinterpret_cast<const std::uint8_t*>(x), cg, flip, padded);
      }
      const std::int16_t* a = w.weights.data() + gi * og * kp;
      for (std::size_t n0 = 0; n0 < g.columns; n0 += kBlock) {
        const std::size_t nb = std::min(kBlock, g.columns - n0);
        if (g.flat)
          pack_panels_flat(x, in_plane, w.k, kp, static_cast<std::int8_t>(flip), padded, n0 / kNR, nb / kNR,
                           panels);
        else
          pack_panels(s, g, padded, tap.data(), kp, n0 / kNR, nb / kNR, panels);
        for (std::size_t i = 0; i < og; i += cfg.qs8_mr) {
          const std::size_t r = std::min(cfg.qs8_mr, og - i);
          const std::size_t m = gi * og + i;
          const std::size_t y0 = (n * channels + m) * out_plane;
          for (std::size_t j = 0; j < nb; j += kNR) {
            // The panel's 8 pixels lie in one output row (or, flat or
            // crossing, are consecutive outputs); those past the row's (the
            // plane's) end are dropped.
            const std::size_t col = n0 + j;
            std::size_t at = col, nc = kNR;
            if (g.flat || g.cross) {
              nc = std::min(kNR, out_plane - col);
            } else if (g.ow != g.ow_padded) {
              const std::size_t oy = col / g.ow_padded, ox = col % g.ow_padded;
              at = oy * g.ow + ox;
              nc = std::min(kNR, g.ow - ox);
            }
            const std::int16_t* ai = a + i * kp;
            const std::int8_t* panel = panels + j * kp;
            if (output.u8 != nullptr)
              cfg.qs8_gemm_qu8(r, nc, kp, ai, kp, panel, row_init + m, row_scale + m, params,
                               output.u8 + y0 + at, out_plane);
            else
              cfg.qs8_gemm_qs8(r, nc, kp, ai, kp, panel, row_init + m, row_scale + m, params,
                               output.s8 + y0 + at, out_plane);
          }
        }
      }
      if (g.tail != 0) {
        const std::size_t m0 = gi * og, y0 = (n * channels + m0) * out_plane;
        const auto f = static_cast<std::int8_t>(flip);
        if (output.u8 != nullptr)
          conv_tail_pixels(cfg, w.tail_weights[gi], g, padded, tap.data(), x, in_plane, f, row_init + m0,
                           row_scale + m0, params, output.u8 + y0, out_plane);
        else
          conv_tail_pixels(cfg, w.tail_weights[gi], g, padded, tap.data(), x, in_plane, f, row_init + m0,
                           row_scale + m0, params, output.s8 + y0, out_plane);
      }
    }
  }
}

}  // namespace quantlab::model::int8_ops
