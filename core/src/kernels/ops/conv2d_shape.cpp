// Conv2dShape — output size and validation (ONNX Conv's arithmetic).
#include <string>

#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels {

namespace {

// floor((in + pads - dilation*(kernel-1) - 1) / stride) + 1, 0 when the kernel does not fit.
std::size_t out_size(std::size_t in, std::size_t pad_a, std::size_t pad_b, std::size_t kernel, std::size_t stride,
                     std::size_t dilation) {
  const std::size_t padded = in + pad_a + pad_b;
  const std::size_t span = dilation * (kernel - 1) + 1;
  if (stride == 0 || kernel == 0 || padded < span) return 0;
  return (padded - span) / stride + 1;
}

}  // namespace

std::size_t Conv2dShape::out_height() const {
  return out_size(in_height, pad_top, pad_bottom, kernel_height, stride_height, dilation_height);
}

std::size_t Conv2dShape::out_width() const {
  return out_size(in_width, pad_left, pad_right, kernel_width, stride_width, dilation_width);
}

void Conv2dShape::check() const {
  constexpr std::size_t kMaxDim = std::size_t{1} << 16;
  const std::size_t dims[] = {batch, in_height, in_width, in_channels, out_channels, kernel_height, kernel_width,
                              stride_height, stride_width, dilation_height, dilation_width, groups};
  for (std::size_t d : dims) {
    if (d == 0 || d > kMaxDim) throw InvalidArgument("convolution sizes must be in 1..65536");
  }
  const std::size_t pads[] = {pad_top, pad_left, pad_bottom, pad_right};
  for (std::size_t p : pads) {
    if (p > kMaxDim) throw InvalidArgument("convolution padding must be at most 65536");
  }
  if (in_channels % groups != 0 || out_channels % groups != 0) {
    throw InvalidArgument("channels (" + std::to_string(in_channels) + " in, " + std::to_string(out_channels) +
                          " out) are not divisible by groups = " + std::to_string(groups));
  }
  if (out_height() == 0 || out_width() == 0) throw InvalidArgument("the kernel is larger than the padded input");
  const std::size_t in_elems = detail::checked_mul(detail::checked_mul(batch, in_height * in_width, "input"), in_channels, "input");
  const std::size_t out_elems =
      detail::checked_mul(detail::checked_mul(batch, out_height() * out_width(), "output"), out_channels, "output");
  detail::check_elements(in_elems, "convolution input");
  detail::check_elements(out_elems, "convolution output");
  detail::check_elements(detail::checked_mul(gemm_k(), out_channels, "weights"), "convolution weights");
}

}  // namespace quantlab::kernels
