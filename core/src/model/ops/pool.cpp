// MaxPool (float, int8, uint8), AveragePool, GlobalAveragePool and
// GlobalMaxPool (float) over NCHW tensors, 1-D and 2-D windows (a 1-D window
// is a 2-D one of height 1). Refused by name: 3-D windows, MaxPool's Indices
// output and storage_order = 1 (which only affects Indices).
#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

#include "model/ops/op_utils.h"
#include "model/ops/spatial.h"
#include "quantlab/kernels/config.h"

namespace quantlab::model::ops {

namespace {

// Sizes of one pooling over planes (N·C of them) of in_h × in_w.
struct PoolGeometry {
  std::size_t planes = 1, in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  std::size_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// The taps [lo, hi) of a window starting at `start` (may be negative) whose
// positions start + k·dilation fall inside [0, size).
struct TapRange {
  std::size_t lo = 0, hi = 0;
};

TapRange taps_inside(std::int64_t start, std::size_t kernel, std::size_t dilation, std::size_t size) {
  const auto d = static_cast<std::int64_t>(dilation);
  const std::int64_t lo = start < 0 ? (-start + d - 1) / d : 0;
  const std::int64_t last = static_cast<std::int64_t>(size) - 1 - start;  // largest k·d allowed
  const std::int64_t hi = last < 0 ? 0 : std::min<std::int64_t>(static_cast<std::int64_t>(kernel), last / d + 1);
  if (hi <= lo) return TapRange{};
  return TapRange{static_cast<std::size_t>(lo), static_cast<std::size_t>(hi)};
}

// Per output index: its taps inside the input, and (AveragePool with
// count_include_pad) its taps inside the padded extent [-pad_begin, size + pad_end).
std::vector<TapRange> tap_ranges(std::size_t out, std::size_t stride, std::size_t pad_begin, std::size_t kernel,
                                 std::size_t dilation, std::size_t size, std::size_t extent_pad_end, bool padded_extent) {
  std::vector<TapRange> r(out);
  for (std::size_t o = 0; o < out; ++o) {
    const std::int64_t start = static_cast<std::int64_t>(o * stride) - static_cast<std::int64_t>(pad_begin);
    r[o] = padded_extent ? taps_inside(start + static_cast<std::int64_t>(pad_begin), kernel, dilation,
                                       size + pad_begin + extent_pad_end)
                         : taps_inside(start, kernel, dilation, size);
  }
  return r;
}

// Reads the window of a pooling node for an input of `x_rank` dims.
WindowAttrs pool_window(const Node& node, std::int64_t opset, std::size_t x_rank) {
  const std::vector<std::int64_t> kernel = node.get_ints("kernel_shape");
  if (kernel.empty()) invalid(node, "attribute 'kernel_shape' is required");
  if (kernel.size() > 2)
    unsupported(node, std::to_string(kernel.size()) + "-D pooling (kernel_shape with " + std::to_string(kernel.size()) +
                          " dims) is not supported; 1-D and 2-D are");
  if (x_rank != 0 && x_rank != kernel.size() + 2)
    invalid(node, "input has " + std::to_string(x_rank) + " dims for a " + std::to_string(kernel.size()) + "-D kernel");
  return read_window_attrs(node, kernel, opset >= 10);
}

void infer_pool_shape(InferContext& ctx, DataType type, const WindowAttrs& w) {
  const TypeShape& x = ctx.input(0);
  TypeShape& out = infer_output(ctx, 0);
  if (!x.rank_known) {
    out = unknown_rank(type);
    return;
  }
  std::vector<std::int64_t> shape{x.shape[0], x.shape[1]};
  for (std::size_t d = 0; d < w.rank; ++d) shape.push_back(resolve_window(ctx.node, w, d, x.shape[2 + d]).out);
  out = TypeShape::make(type, std::move(shape));
}

PoolGeometry pool_geometry(const Node& node, const WindowAttrs& w, const Tensor& x, std::vector<std::int64_t>& out_shape) {
  if (x.rank() != w.rank + 2)
    invalid(node, "input " + shape_string(x.shape()) + " has " + std::to_string(x.rank()) + " dims for a " +
                      std::to_string(w.rank) + "-D kernel");
  PoolGeometry g;
  g.planes = to_size(x.dim(0) * x.dim(1));
  out_shape = {x.dim(0), x.dim(1)};
  std::vector<WindowDim> dims;
  for (std::size_t d = 0; d < w.rank; ++d) {
    dims.push_back(resolve_window(node, w, d, x.dim(2 + d)));
    out_shape.push_back(dims.back().out);
  }
  const std::size_t last = w.rank - 1;
  g.in_w = to_size(x.dim(2 + last));
  g.out_w = to_size(dims[last].out);
  g.kernel_w = to_size(w.kernel[last]);
  g.stride_w = to_size(w.strides[last]);
  g.dilation_w = to_size(w.dilations[last]);
  g.pad_left = to_size(dims[last].pad_begin);
  g.pad_right = to_size(dims[last].pad_end);
  if (w.rank == 2) {
    g.in_h = to_size(x.dim(2));
    g.out_h = to_size(dims[0].out);
    g.kernel_h = to_size(w.kernel[0]);
    g.stride_h = to_size(w.strides[0]);
    g.dilation_h = to_size(w.dilations[0]);
    g.pad_top = to_size(dims[0].pad_begin);
    g.pad_bottom = to_size(dims[0].pad_end);
  }
  return g;
}

// ============================================================================
// MaxPool
// ============================================================================

template <class T>
void max_pool(const PoolGeometry& g, const T* x, T* y) {
  const std::size_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  const bool two_by_two = g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.dilation_h == 1 &&
                          g.dilation_w == 1 && g.pad_top == 0 && g.pad_left == 0 && 2 * g.out_h <= g.in_h &&
                          2 * g.out_w <= g.in_w;
  if (two_by_two) {
    // The usual CNN downsampling: every window lies inside the input. Codes
    // take the SIMD row kernels (microkernels.h maxpool2x2s2_*).
    if constexpr (std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int8_t>) {
      const kernels::KernelConfig& cfg = kernels::kernel_config(kernels::best_isa());
      kernels::MaxPool2x2Ukernel<T> row;
      if constexpr (std::is_same_v<T, std::uint8_t>) row = cfg.maxpool2x2_qu8;
      else row = cfg.maxpool2x2_qs8;
      for (std::size_t p = 0; p < g.planes; ++p)
        for (std::size_t oy = 0; oy < g.out_h; ++oy) {
          const T* r0 = x + p * in_plane + 2 * oy * g.in_w;
          row(g.out_w, r0, r0 + g.in_w, y + p * out_plane + oy * g.out_w);
        }
      return;
    }
    for (std::size_t p = 0; p < g.planes; ++p) {
      for (std::size_t oy = 0; oy < g.out_h; ++oy) {
        const T* r0 = x + p * in_plane + 2 * oy * g.in_w;
        const T* r1 = r0 + g.in_w;
        T* out = y + p * out_plane + oy * g.out_w;
        for (std::size_t ox = 0; ox < g.out_w; ++ox) {
          const T a = std::max(r0[2 * ox], r0[2 * ox + 1]);
          const T b = std::max(r1[2 * ox], r1[2 * ox + 1]);
          out[ox] = std::max(a, b);
        }
      }
    }
    return;
  }
  const std::vector<TapRange> rows = tap_ranges(g.out_h, g.stride_h, g.pad_top, g.kernel_h, g.dilation_h, g.in_h, 0, false);
  const std::vector<TapRange> cols = tap_ranges(g.out_w, g.stride_w, g.pad_left, g.kernel_w, g.dilation_w, g.in_w, 0, false);
  // Padding never wins: an all-padding window (not produced by valid pads) gives the lowest value.
  const T lowest = std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  for (std::size_t p = 0; p < g.planes; ++p) {
    const T* plane = x + p * in_plane;
    T* out = y + p * out_plane;
    for (std::size_t oy = 0; oy < g.out_h; ++oy) {
      // Window origins may lie in the padding (negative): unsigned arithmetic
      // wraps and comes back, because only taps inside the input are read.
      const std::size_t iy0 = oy * g.stride_h - g.pad_top;
      for (std::size_t ox = 0; ox < g.out_w; ++ox) {
        const std::size_t ix0 = ox * g.stride_w - g.pad_left;
        T m = lowest;
        for (std::size_t ky = rows[oy].lo; ky < rows[oy].hi; ++ky) {
          const std::size_t row = (iy0 + ky * g.dilation_h) * g.in_w + ix0;
          for (std::size_t kx = cols[ox].lo; kx < cols[ox].hi; ++kx) {
            const T v = plane[row + kx * g.dilation_w];
            m = v > m ? v : m;
          }
        }
        out[oy * g.out_w + ox] = m;
      }
    }
  }
}

template <class F>
decltype(auto) visit_max_pool_type(const Node& node, DataType type, F&& f) {
  switch (type) {
    case DataType::float32: return f(float{});
    case DataType::int8: return f(std::int8_t{});
    case DataType::uint8: return f(std::uint8_t{});
    default: unsupported(node, "input of type " + type_name(type) + " is not supported (float, int8, uint8)");
  }
}

void check_max_pool(const Node& node) {
  if (has_output(node, 1)) unsupported(node, "the Indices output is not supported");
  const std::int64_t order = node.get_int("storage_order", 0);
  if (order != 0) unsupported(node, "attribute 'storage_order' = " + std::to_string(order) + " is not supported");
}

void infer_max_pool(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  if (x.type != DataType::undefined) visit_max_pool_type(ctx.node, x.type, [](auto) {});
  check_max_pool(ctx.node);
  infer_pool_shape(ctx, x.type, pool_window(ctx.node, ctx.opset, x.rank_known ? x.shape.size() : 0));
}

std::unique_ptr<Kernel> build_max_pool(const BuildContext& ctx) {
  const TypeShape& x = ctx.input(0);
  if (x.type != DataType::undefined) visit_max_pool_type(ctx.node, x.type, [](auto) {});
  check_max_pool(ctx.node);
  const WindowAttrs w = pool_window(ctx.node, ctx.opset, x.rank_known ? x.shape.size() : 0);
  return function_kernel([w](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<std::int64_t> out_shape;
    const PoolGeometry g = pool_geometry(ctx.node, w, x, out_shape);
    Tensor y = new_tensor(ctx.node, x.type(), std::move(out_shape));
    visit_max_pool_type(ctx.node, x.type(), [&](auto zero) {
      using T = decltype(zero);
      max_pool<T>(g, x.data<T>(), y.data<T>());
    });
    set_output(ctx, 0, std::move(y));
  });
}

// ============================================================================
// AveragePool
// ============================================================================

void average_pool(const PoolGeometry& g, bool count_include_pad, const float* x, float* y) {
  const std::size_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  const std::vector<TapRange> rows = tap_ranges(g.out_h, g.stride_h, g.pad_top, g.kernel_h, g.dilation_h, g.in_h, 0, false);
  const std::vector<TapRange> cols = tap_ranges(g.out_w, g.stride_w, g.pad_left, g.kernel_w, g.dilation_w, g.in_w, 0, false);
  // With count_include_pad the divisor counts padding taps too, but not
  // taps past the padded input (ceil_mode's last window), as PyTorch.
  const std::vector<TapRange> row_extent =
      tap_ranges(g.out_h, g.stride_h, g.pad_top, g.kernel_h, g.dilation_h, g.in_h, g.pad_bottom, true);
  const std::vector<TapRange> col_extent =
      tap_ranges(g.out_w, g.stride_w, g.pad_left, g.kernel_w, g.dilation_w, g.in_w, g.pad_right, true);
  for (std::size_t p = 0; p < g.planes; ++p) {
    const float* plane = x + p * in_plane;
    float* out = y + p * out_plane;
    for (std::size_t oy = 0; oy < g.out_h; ++oy) {
      const std::size_t iy0 = oy * g.stride_h - g.pad_top;
      for (std::size_t ox = 0; ox < g.out_w; ++ox) {
        const std::size_t ix0 = ox * g.stride_w - g.pad_left;
        float sum = 0.0f;
        for (std::size_t ky = rows[oy].lo; ky < rows[oy].hi; ++ky) {
          const std::size_t row = (iy0 + ky * g.dilation_h) * g.in_w + ix0;  // wraps as in max_pool
          for (std::size_t kx = cols[ox].lo; kx < cols[ox].hi; ++kx) sum += plane[row + kx * g.dilation_w];
        }
        const std::size_t count = count_include_pad
                                      ? (row_extent[oy].hi - row_extent[oy].lo) * (col_extent[ox].hi - col_extent[ox].lo)
                                      : (rows[oy].hi - rows[oy].lo) * (cols[ox].hi - cols[ox].lo);
        out[oy * g.out_w + ox] = count == 0 ? 0.0f : sum / static_cast<float>(count);
      }
    }
  }
}

bool count_include_pad(const Node& node) {
  const std::int64_t c = node.get_int("count_include_pad", 0);
  if (c != 0 && c != 1) invalid(node, "attribute 'count_include_pad' = " + std::to_string(c) + " is not 0 or 1");
  return c == 1;
}

void infer_average_pool(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  count_include_pad(ctx.node);
  infer_pool_shape(ctx, DataType::float32, pool_window(ctx.node, ctx.opset, x.rank_known ? x.shape.size() : 0));
}

std::unique_ptr<Kernel> build_average_pool(const BuildContext& ctx) {
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  const bool include_pad = count_include_pad(ctx.node);
  const WindowAttrs w = pool_window(ctx.node, ctx.opset, x.rank_known ? x.shape.size() : 0);
  return function_kernel([w, include_pad](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const float* xd = float_data(ctx.node, x, "input X");
    std::vector<std::int64_t> out_shape;
    const PoolGeometry g = pool_geometry(ctx.node, w, x, out_shape);
    Tensor y = new_tensor(ctx.node, DataType::float32, std::move(out_shape));
    average_pool(g, include_pad, xd, y.data<float>());
    set_output(ctx, 0, std::move(y));
  });
}

// ============================================================================
// GlobalAveragePool, GlobalMaxPool: one value per (n, c) over every spatial dim
// ============================================================================

void infer_global_pool(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  TypeShape& out = infer_output(ctx, 0);
  if (!x.rank_known) {
    out = unknown_rank(DataType::float32);
    return;
  }
  if (x.shape.size() < 2) invalid(ctx.node, "input " + shape_string(x.shape) + " needs at least N and C dims");
  std::vector<std::int64_t> shape = x.shape;
  std::fill(shape.begin() + 2, shape.end(), 1);
  out = TypeShape::make(DataType::float32, std::move(shape));
}

template <bool kMax>
std::unique_ptr<Kernel> build_global_pool(const BuildContext& ctx) {
  require_float(ctx.node, ctx.input(0).type, "input X");
  return function_kernel([](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const float* xd = float_data(ctx.node, x, "input X");
    if (x.rank() < 2) invalid(ctx.node, "input " + shape_string(x.shape()) + " needs at least N and C dims");
    std::vector<std::int64_t> shape = x.shape();
    std::fill(shape.begin() + 2, shape.end(), 1);
    Tensor y(DataType::float32, std::move(shape));
    float* yd = y.data<float>();
    const std::size_t planes = to_size(x.dim(0) * x.dim(1));
    const std::size_t size = planes == 0 ? 0 : to_size(x.size()) / planes;
    for (std::size_t p = 0; p < planes; ++p) {
      const float* v = xd + p * size;
      if constexpr (kMax) {
        float m = -std::numeric_limits<float>::infinity();
        for (std::size_t i = 0; i < size; ++i) m = v[i] > m ? v[i] : m;
        yd[p] = m;
      } else {
        float sum = 0.0f;
        for (std::size_t i = 0; i < size; ++i) sum += v[i];
        yd[p] = size == 0 ? 0.0f : sum / static_cast<float>(size);
      }
    }
    set_output(ctx, 0, std::move(y));
  });
}

}  // namespace

void add_pool_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "MaxPool", 1, infer_max_pool, build_max_pool});
  ops.push_back(OpDef{"", "AveragePool", 1, infer_average_pool, build_average_pool});
  ops.push_back(OpDef{"", "GlobalAveragePool", 1, infer_global_pool, build_global_pool<false>});
  ops.push_back(OpDef{"", "GlobalMaxPool", 1, infer_global_pool, build_global_pool<true>});
}

}  // namespace quantlab::model::ops
