// pack_dwconv2d_nchw_qs8, dwconv2d_nchw_q8 — int8 depthwise convolution of
// NCHW tensors on the plane microkernels (qdwconv2d_nchw.h).
#include "model/ops/qdwconv2d_nchw.h"

#include "model/ops/int8_common.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/microkernels.h"

namespace quantlab::model::int8_ops {

using kernels::Conv2dShape;

bool is_depthwise_nchw(const Conv2dShape& s) {
  return s.groups >= 1 && s.in_channels == s.groups && s.out_channels % s.groups == 0;
}

PackedDwConvNchwQs8 pack_dwconv2d_nchw_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                                            const std::vector<std::int32_t>& zero_point,
                                            const std::vector<std::int32_t>& bias) {
  shape.check();
  if (!is_depthwise_nchw(shape)) throw InvalidArgument("depthwise weights: groups must equal the input channels");
  const std::size_t m = shape.out_channels;
  if (zero_point.size() != 1 && zero_point.size() != m)
    throw InvalidArgument("weight zero point needs 1 or out_channels values");
  if (!bias.empty() && bias.size() != m) throw InvalidArgument("bias needs out_channels values");
  PackedDwConvNchwQs8 w;
  w.out_channels = m;
  w.kernel_height = shape.kernel_height;
  w.kernel_width = shape.kernel_width;
  const std::size_t taps = shape.kernel_height * shape.kernel_width;
  w.taps_padded = taps + taps % 2;
  w.weights.assign(m * w.taps_padded, 0);
  w.weight_sums.assign(m, 0);
  w.bias.assign(m, 0);
  for (std::size_t o = 0; o < m; ++o) {
    const std::int32_t zw = zero_point.size() == 1 ? zero_point[0] : zero_point[o];
    std::int32_t sum = 0;
    for (std::size_t t = 0; t < taps; ++t) {
      const std::int32_t v = static_cast<std::int32_t>(weights_oihw[o * taps + t]) - zw;  // −255..255
      w.weights[o * w.taps_padded + t] = static_cast<std::int16_t>(v);
      sum += v;
    }
    w.weight_sums[o] = sum;
    if (!bias.empty()) w.bias[o] = bias[o];
  }
  return w;
}

void dwconv2d_nchw_q8(const PackedDwConvNchwQs8& w, const Conv2dShape& s, const kernels::Q8Input& input,
                      const kernels::Q8Output& output, kernels::Isa isa) {
  s.check();
  if (!is_depthwise_nchw(s)) throw InvalidArgument("depthwise convolution: groups must equal the input channels");
  if (s.out_channels != w.out_channels || s.kernel_height != w.kernel_height || s.kernel_width != w.kernel_width)
    throw InvalidArgument("depthwise convolution: the shape does not match the packed weights");
  check_nchw_q8_io(input, output, s.out_channels);
  const kernels::KernelConfig& cfg = kernels::kernel_config(isa);

  const std::size_t oh = s.out_height(), ow = s.out_width();
  const std::size_t hp = s.pad_top + s.in_height + s.pad_bottom;
  const std::size_t wp = s.pad_left + s.in_width + s.pad_right;
  const std::size_t multiplier = s.out_channels / s.in_channels;
  const std::size_t taps = s.kernel_height * s.kernel_width;
  const bool u8 = input.u8 != nullptr;
  const std::uint8_t flip = u8 ? 0x80 : 0x00;
  const std::int32_t zx = u8 ? input.zero_point - 128 : input.zero_point;  // in the int8 frame

  std::vector<std::size_t> offset(w.taps_padded);
  for (std::size_t ky = 0; ky < s.kernel_height; ++ky)
    for (std::size_t kx = 0; kx < s.kernel_width; ++kx)
      offset[ky * s.kernel_width + kx] = ky * s.dilation_height * wp + kx * s.dilation_width;
  if (w.taps_padded > taps) offset[taps] = offset[taps - 1];  // its weight is 0

  // The kernels read up to 7 outputs past a row's end (and one byte more at
  // stride 2): slack after the last plane, filled with the zero point too.
  // One image's planes are padded at once: the border and slack are filled
  // once per call, and each image's rows copied into the interiors (the
  // border stays). The buffer is kept per thread, so runs after the first
  // allocate nothing.
  const std::size_t slack = 8 * s.stride_width + 16;
  const std::size_t plane_bytes = hp * wp;
  const std::size_t image_bytes = s.in_channels * plane_bytes + slack;
  thread_local std::vector<std::int8_t> planes;
  if (planes.size() < image_bytes) planes.resize(image_bytes);
  const kernels::Q8OutputParams params{output.zero_point, output.min, output.max};
  const std::size_t in_plane = s.in_height * s.in_width, out_plane = oh * ow;
  const auto* x_bytes = u8 ? input.u8 : reinterpret_cast<const std::uint8_t*>(input.s8);
  const std::size_t row_step = s.stride_height * wp;

  std::memset(planes.data(), static_cast<std::uint8_t>(zx), image_bytes);
  for (std::size_t n = 0; n < s.batch; ++n) {
    copy_into_padded_planes(s, hp, wp, x_bytes + n * s.in_channels * in_plane, s.in_channels, flip, planes.data());
    for (std::size_t o = 0; o < s.out_channels; ++o) {
      const std::int8_t* plane = planes.data() + (o / multiplier) * plane_bytes;
      const std::int32_t init = requant_row_init(w.bias[o], zx, w.weight_sums[o]);
      const float scale = output.scale.size() == 1 ? output.scale[0] : output.scale[o];
      const std::int16_t* wo = w.weights.data() + o * w.taps_padded;
      const std::size_t y0 = (n * s.out_channels + o) * out_plane;
      if (output.u8 != nullptr)
        cfg.dwconv_nchw_qu8(oh, ow, w.taps_padded, plane, row_step, s.stride_width, offset.data(), wo, init, scale,
                            params, output.u8 + y0);
      else
        cfg.dwconv_nchw_qs8(oh, ow, w.taps_padded, plane, row_step, s.stride_width, offset.data(), wo, init, scale,
                            params, output.s8 + y0);
    }
  }
}

}  // namespace quantlab::model::int8_ops
