// conv2d_f32_nchw — NCHW convolution: im2col panels × the f32 GEMM
// microkernels, or the direct per-channel path (conv_f32.h).
#include "model/ops/conv_f32.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "quantlab/kernels/config.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::ops {

namespace {

constexpr std::size_t kNR = kernels::kF32NR;
// Packed im2col panels per block: about a quarter of a 512 KiB L2, so the
// block stays cached while every row tile of the weights passes over it.
constexpr std::size_t kPanelBlockBytes = 128 * 1024;

// Copies `channels` planes of one image into `buffer` inside their padding
// and returns the padded planes (x itself when there is no padding). The
// buffer's borders are zero from its allocation and are never written.
const float* pad_planes(const ConvGeometry& g, const float* image, std::size_t channels, float* buffer) {
  if (!g.padded()) return image;
  const std::size_t ph = g.padded_h(), pw = g.padded_w();
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t y = 0; y < g.in_h; ++y) {
      std::memcpy(buffer + (c * ph + y + g.pad_top) * pw + g.pad_left, image + (c * g.in_h + y) * g.in_w,
                  g.in_w * sizeof(float));
    }
  }
  return buffer;
}

// One microkernel panel for output pixels [p0, p0 + nc) of `group`: kNR zeros
// (the panel's bias row, unused), kNR ones (meeting the bias column of A),
// then kNR tap values per (c, ky, kx). Columns past nc repeat the last pixel:
// computed by the tile, never stored.
void pack_im2col_panel(const ConvGeometry& g, const float* planes, std::size_t group, std::size_t p0, std::size_t nc,
                       const std::size_t* tap_offsets, float* panel) {
  const std::size_t pw = g.padded_w();
  const std::size_t plane_size = g.padded_h() * pw;
  std::size_t base[kNR];
  bool contiguous = true;
  for (std::size_t j = 0; j < kNR; ++j) {
    const std::size_t q = p0 + std::min(j, nc - 1);
    base[j] = (q / g.out_w) * g.stride_h * pw + (q % g.out_w) * g.stride_w;
    contiguous = contiguous && base[j] == base[0] + j;
  }
  for (std::size_t j = 0; j < kNR; ++j) {
    panel[j] = 0.0f;
    panel[kNR + j] = 1.0f;
  }
  float* dst = panel + 2 * kNR;
  const std::size_t taps = g.kernel_h * g.kernel_w;
  const std::size_t cg = g.in_per_group();
  const float* first = planes + group * cg * plane_size;
  for (std::size_t c = 0; c < cg; ++c) {
    const float* plane = first + c * plane_size;
    for (std::size_t t = 0; t < taps; ++t, dst += kNR) {
      const float* src = plane + tap_offsets[t];
      if (contiguous) {
        // Eight neighbours of one input row (stride 1, one output row, or a 1×1 kernel).
        std::memcpy(dst, src + base[0], kNR * sizeof(float));
      } else {
        for (std::size_t j = 0; j < kNR; ++j) dst[j] = src[base[j]];
      }
    }
  }
}

void conv2d_gemm(const ConvGeometry& g, const ConvWeightsF32& w, const float* x, float* y,
                 const kernels::F32MinMax& clamp, kernels::Isa isa) {
  const kernels::KernelConfig& cfg = kernels::kernel_config(isa);
  const std::size_t mr = cfg.f32_mr;
  const std::size_t pixels = g.out_h * g.out_w;
  const std::size_t k1 = 1 + g.taps();  // the ones row, then the taps
  const std::size_t panel_floats = kNR * (k1 + 1);
  const std::size_t panels = (pixels + kNR - 1) / kNR;
  const std::size_t block = std::min(panels, std::max<std::size_t>(1, kPanelBlockBytes / (panel_floats * sizeof(float))));
  std::unique_ptr<float[]> packed(new float[block * panel_floats]);
  std::vector<float> padded(g.padded() ? g.in_channels * g.padded_h() * g.padded_w() : 0);
  std::vector<std::size_t> tap_offsets(g.kernel_h * g.kernel_w);
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky)
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx)
      tap_offsets[ky * g.kernel_w + kx] = ky * g.dilation_h * g.padded_w() + kx * g.dilation_w;
  const std::size_t og = g.out_per_group();
  for (std::size_t n = 0; n < g.batch; ++n) {
    const float* planes = pad_planes(g, x + n * g.in_channels * g.in_h * g.in_w, g.in_channels, padded.data());
    float* y_image = y + n * g.out_channels * pixels;
    for (std::size_t group = 0; group < g.groups; ++group) {
      const float* a = w.values.data() + group * og * k1;
      float* y_group = y_image + group * og * pixels;
      for (std::size_t pb = 0; pb < panels; pb += block) {
        const std::size_t nb = std::min(block, panels - pb);
        for (std::size_t i = 0; i < nb; ++i) {
          const std::size_t p0 = (pb + i) * kNR;
          pack_im2col_panel(g, planes, group, p0, std::min(kNR, pixels - p0), tap_offsets.data(),
                            packed.get() + i * panel_floats);
        }
        // Row tiles outside, panels inside: a tile's weight rows stay in L1
        // while it meets every panel of the block.
        for (std::size_t o = 0; o < og; o += mr) {
          const std::size_t m = std::min(mr, og - o);
          for (std::size_t i = 0; i < nb; ++i) {
            const std::size_t p0 = (pb + i) * kNR;
            cfg.f32_gemm(m, std::min(kNR, pixels - p0), k1, a + o * k1, k1, packed.get() + i * panel_floats,
                         y_group + o * pixels + p0, pixels, clamp);
          }
        }
      }
    }
  }
}

void conv2d_direct(const ConvGeometry& g, const ConvWeightsF32& w, const float* x, float* y,
                   const kernels::F32MinMax& clamp) {
  const std::size_t plane_in = g.in_h * g.in_w;
  const std::size_t plane_out = g.out_h * g.out_w;
  const std::size_t og = g.out_per_group();
  std::vector<float> padded(g.padded() ? g.padded_h() * g.padded_w() : 0);
  for (std::size_t n = 0; n < g.batch; ++n) {
    for (std::size_t c = 0; c < g.in_channels; ++c) {
      const float* plane = pad_planes(g, x + (n * g.in_channels + c) * plane_in, 1, padded.data());
      for (std::size_t m = 0; m < og; ++m) {
        const std::size_t o = c * og + m;
        depthwise_conv2d_f32_plane(g, plane, w.values.data() + o * w.row, w.bias[o],
                                   y + (n * g.out_channels + o) * plane_out, clamp);
      }
    }
  }
}

}  // namespace

ConvWeightsF32 pack_conv_weights_f32(const ConvGeometry& g, const float* weights, const float* bias) {
  ConvWeightsF32 w;
  w.direct = g.direct();
  w.out_channels = g.out_channels;
  const std::size_t taps = g.taps();
  if (w.direct) {
    w.row = taps;
    w.values.assign(weights, weights + g.out_channels * taps);
    w.bias.assign(g.out_channels, 0.0f);
    if (bias != nullptr) w.bias.assign(bias, bias + g.out_channels);
    return w;
  }
  // OIHW is already (c, ky, kx) per output channel: prepend the bias.
  w.row = 1 + taps;
  w.values.resize(g.out_channels * w.row);
  for (std::size_t o = 0; o < g.out_channels; ++o) {
    float* dst = w.values.data() + o * w.row;
    dst[0] = bias != nullptr ? bias[o] : 0.0f;
    std::memcpy(dst + 1, weights + o * taps, taps * sizeof(float));
  }
  return w;
}

void conv2d_f32_nchw(const ConvGeometry& g, const ConvWeightsF32& w, const float* x, float* y,
                     const kernels::F32MinMax& clamp, kernels::Isa isa) {
  if (g.batch == 0 || g.out_channels == 0 || g.out_h == 0 || g.out_w == 0) return;
  if (w.direct) conv2d_direct(g, w, x, y, clamp);
  else conv2d_gemm(g, w, x, y, clamp, isa);
}

}  // namespace quantlab::model::ops
