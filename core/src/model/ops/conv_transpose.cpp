// ConvTranspose (opset 1+): 1-D and 2-D transposed convolution of float NCHW
// tensors with groups, strides, dilations, pads, output_padding, output_shape
// and auto_pad; 3-D is refused by name. Per image and group, the products
// cols[pixel][(co, ky, kx)] = Σ_ci x[ci][pixel] · w[ci][co][ky][kx] run on the
// f32 GEMM (weights packed once when constant), then col2im scatters them
// into the output.
#include <algorithm>
#include <memory>
#include <string>

#include "model/ops/op_utils.h"
#include "model/ops/spatial.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::ops {

namespace {

// The attributes, per spatial dim.
struct TransposeAttrs {
  std::size_t rank = 0;
  std::int64_t group = 1;
  std::vector<std::int64_t> kernel, strides, dilations, pads_begin, pads_end, output_padding, output_shape;
  std::string auto_pad = "NOTSET";
};

std::vector<std::int64_t> ints_of_rank(const Node& node, const char* attr, std::size_t rank, std::int64_t fallback,
                                       std::int64_t min_value) {
  const std::vector<std::int64_t> v = node.get_ints(attr, std::vector<std::int64_t>(rank, fallback));
  if (v.size() != rank) invalid(node, std::string("attribute '") + attr + "' has " + std::to_string(v.size()) + " values, expected " + std::to_string(rank));
  for (std::int64_t x : v)
    if (x < min_value || x > kMaxWindowValue) invalid(node, std::string("attribute '") + attr + "' has the value " + std::to_string(x));
  return v;
}

TransposeAttrs read_attrs(const Node& node, const std::vector<std::int64_t>& w_shape) {
  if (w_shape.size() < 3) invalid(node, "the weights need at least 3 dims (C × O/group × kernel)");
  TransposeAttrs a;
  a.rank = w_shape.size() - 2;
  if (a.rank > 2)
    unsupported(node, std::to_string(a.rank) + "-D transposed convolution (kernel_shape with " + std::to_string(a.rank) +
                          " dims) is not supported; 1-D and 2-D are");
  a.group = node.get_int("group", 1);
  if (a.group < 1) invalid(node, "attribute 'group' = " + std::to_string(a.group) + " is not positive");
  a.kernel.assign(w_shape.begin() + 2, w_shape.end());
  const std::vector<std::int64_t> k = node.get_ints("kernel_shape");
  if (!k.empty() && k != a.kernel) invalid(node, "attribute 'kernel_shape' " + shape_string(k) + " does not match the weights " + shape_string(w_shape));
  a.strides = ints_of_rank(node, "strides", a.rank, 1, 1);
  a.dilations = ints_of_rank(node, "dilations", a.rank, 1, 1);
  a.output_padding = ints_of_rank(node, "output_padding", a.rank, 0, 0);
  const std::vector<std::int64_t> pads = ints_of_rank(node, "pads", 2 * a.rank, 0, 0);
  a.pads_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(a.rank));
  a.pads_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(a.rank), pads.end());
  a.output_shape = node.get_ints("output_shape");
  if (!a.output_shape.empty() && a.output_shape.size() != a.rank) {
    // output_shape may also list N and C; only the spatial dims matter.
    if (a.output_shape.size() == a.rank + 2) a.output_shape.erase(a.output_shape.begin(), a.output_shape.begin() + 2);
    else invalid(node, "attribute 'output_shape' has " + std::to_string(a.output_shape.size()) + " values, expected " + std::to_string(a.rank));
  }
  a.auto_pad = node.get_string("auto_pad", "NOTSET");
  if (a.auto_pad != "NOTSET" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER" && a.auto_pad != "VALID")
    invalid(node, "attribute 'auto_pad' = '" + a.auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  return a;
}

struct TransposeDim {
  std::int64_t out = -1, pad_begin = 0;
};

// Output size and leading padding of spatial dim d for input size `in` (ONNX's equations).
TransposeDim resolve(const Node& node, const TransposeAttrs& a, std::size_t d, std::int64_t in) {
  TransposeDim r;
  if (in < 0) return r;
  const std::int64_t full = a.strides[d] * (in - 1) + a.output_padding[d] + (a.kernel[d] - 1) * a.dilations[d] + 1;
  const bool same = a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER";
  if (!a.output_shape.empty() || same) {
    const std::int64_t target = !a.output_shape.empty() ? a.output_shape[d] : in * a.strides[d];
    // A target beyond the full output extends it at the end with bias-only
    // values (as onnxruntime and the ONNX reference for one extra element).
    const std::int64_t total = std::max<std::int64_t>(0, full - target);
    r.pad_begin = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    r.out = target;
  } else if (a.auto_pad == "VALID") {
    r.out = full;
  } else {
    r.pad_begin = a.pads_begin[d];
    r.out = full - a.pads_begin[d] - a.pads_end[d];
  }
  if (r.out <= 0) invalid(node, "the output would be empty (pads larger than the full output)");
  return r;
}

void infer_conv_transpose(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  const TypeShape& w = ctx.input(1);
  require_float(ctx.node, x.type, "input X");
  require_float(ctx.node, w.type, "weights W");
  TypeShape& out = infer_output(ctx, 0);
  if (!x.rank_known || !w.rank_known) {
    out = unknown_rank(DataType::float32);
    return;
  }
  for (std::int64_t d : w.shape)
    if (d < 0) {
      out = TypeShape::make(DataType::float32, std::vector<std::int64_t>(x.shape.size(), -1));
      return;
    }
  const TransposeAttrs a = read_attrs(ctx.node, w.shape);
  if (x.shape.size() != a.rank + 2) invalid(ctx.node, "input X " + shape_string(x.shape) + " does not match the weights " + shape_string(w.shape));
  std::vector<std::int64_t> shape{x.shape[0], w.shape[1] * a.group};
  for (std::size_t d = 0; d < a.rank; ++d) shape.push_back(resolve(ctx.node, a, d, x.shape[2 + d]).out);
  out = TypeShape::make(DataType::float32, std::move(shape));
}

// Per group: W_g (in_per_group × out_per_group·kh·kw) packed as the GEMM's B.
std::vector<kernels::PackedWeightsF32> pack_groups(const Tensor& w, std::int64_t group) {
  const float* wd = w.data<float>();
  const std::size_t cg = to_size(w.dim(0) / group);
  const std::size_t cols = to_size(w.size() / w.dim(0));
  std::vector<kernels::PackedWeightsF32> packed;
  for (std::size_t g = 0; g < to_size(group); ++g)
    packed.push_back(kernels::pack_weights_f32(cg, cols, wd + g * cg * cols, cols, nullptr));
  return packed;
}

class ConvTransposeKernel final : public Kernel {
 public:
  explicit ConvTransposeKernel(std::shared_ptr<const std::vector<kernels::PackedWeightsF32>> packed)
      : packed_(std::move(packed)) {}

  void run(RunContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? ctx.inputs[2] : nullptr;
    const float* xd = float_data(node, x, "input X");
    float_data(node, w, "weights W");
    const TransposeAttrs a = read_attrs(node, w.shape());
    if (x.rank() != a.rank + 2) invalid(node, "input X " + shape_string(x.shape()) + " does not match the weights " + shape_string(w.shape()));
    if (x.dim(1) != w.dim(0) || w.dim(0) % a.group != 0)
      invalid(node, "input " + shape_string(x.shape()) + " and weights " + shape_string(w.shape()) + " do not agree with group = " + std::to_string(a.group));
    const std::int64_t out_c = w.dim(1) * a.group;
    if (b != nullptr && b->size() != out_c) invalid(node, "bias B has " + std::to_string(b->size()) + " values for " + std::to_string(out_c) + " output channels");
    // 1-D as 2-D of height 1.
    std::vector<TransposeDim> dims;
    std::vector<std::int64_t> out_shape{x.dim(0), out_c};
    for (std::size_t d = 0; d < a.rank; ++d) {
      dims.push_back(resolve(node, a, d, x.dim(2 + d)));
      out_shape.push_back(dims.back().out);
    }
    const bool two_d = a.rank == 2;
    const std::size_t in_h = two_d ? to_size(x.dim(2)) : 1, in_w = to_size(x.dim(x.rank() - 1));
    const std::size_t out_h = two_d ? to_size(dims[0].out) : 1, out_w = to_size(dims.back().out);
    const std::size_t kh = two_d ? to_size(a.kernel[0]) : 1, kw = to_size(a.kernel.back());
    const std::int64_t sh = two_d ? a.strides[0] : 1, sw = a.strides.back();
    const std::int64_t dh = two_d ? a.dilations[0] : 1, dw = a.dilations.back();
    const std::int64_t pt = two_d ? dims[0].pad_begin : 0, pl = dims.back().pad_begin;
    const std::size_t batch = to_size(x.dim(0)), groups = to_size(a.group);
    const std::size_t cg = to_size(x.dim(1)) / groups, og = to_size(w.dim(1));
    const std::size_t pixels = in_h * in_w, cols = og * kh * kw;

    std::shared_ptr<const std::vector<kernels::PackedWeightsF32>> packed = packed_;
    if (packed == nullptr) packed = std::make_shared<const std::vector<kernels::PackedWeightsF32>>(pack_groups(w, a.group));
    Tensor y = new_tensor(node, DataType::float32, std::move(out_shape));
    float* yd = y.data<float>();
    const float* bd = b != nullptr ? float_data(node, *b, "bias B") : nullptr;
    check_buffer(node, {static_cast<std::int64_t>(pixels), static_cast<std::int64_t>(cols)}, sizeof(float), "the column buffer");
    std::vector<float> x_t(pixels * cg), products(pixels * cols);
    const std::size_t out_plane = out_h * out_w;
    for (std::size_t n = 0; n < batch; ++n) {
      for (std::size_t c = 0; c < to_size(out_c); ++c)
        std::fill(yd + (n * to_size(out_c) + c) * out_plane, yd + (n * to_size(out_c) + c + 1) * out_plane, bd != nullptr ? bd[c] : 0.0f);
      for (std::size_t g = 0; g < groups; ++g) {
        // x_t[pixel][ci]: the group's channels as GEMM rows.
        const float* xg = xd + (n * to_size(x.dim(1)) + g * cg) * pixels;
        for (std::size_t ci = 0; ci < cg; ++ci)
          for (std::size_t p = 0; p < pixels; ++p) x_t[p * cg + ci] = xg[ci * pixels + p];
        kernels::gemm_f32(pixels, x_t.data(), cg, (*packed)[g], products.data(), cols);
        // col2im: each input pixel's products land on its kh × kw output window.
        float* yg = yd + (n * to_size(out_c) + g * og) * out_plane;
        for (std::size_t iy = 0; iy < in_h; ++iy) {
          for (std::size_t ix = 0; ix < in_w; ++ix) {
            const float* row = products.data() + (iy * in_w + ix) * cols;
            for (std::size_t ky = 0; ky < kh; ++ky) {
              const std::int64_t oy = static_cast<std::int64_t>(iy) * sh - pt + static_cast<std::int64_t>(ky) * dh;
              if (oy < 0 || oy >= static_cast<std::int64_t>(out_h)) continue;
              for (std::size_t kx = 0; kx < kw; ++kx) {
                const std::int64_t ox = static_cast<std::int64_t>(ix) * sw - pl + static_cast<std::int64_t>(kx) * dw;
                if (ox < 0 || ox >= static_cast<std::int64_t>(out_w)) continue;
                const std::size_t at = to_size(oy) * out_w + to_size(ox);
                for (std::size_t co = 0; co < og; ++co) yg[co * out_plane + at] += row[(co * kh + ky) * kw + kx];
              }
            }
          }
        }
      }
    }
    set_output(ctx, 0, std::move(y));
  }

 private:
  std::shared_ptr<const std::vector<kernels::PackedWeightsF32>> packed_;  // null: packed per run
};

std::unique_ptr<Kernel> build_conv_transpose(const BuildContext& ctx) {
  const TypeShape& x = ctx.input(0);
  const TypeShape& w = ctx.input(1);
  require_float(ctx.node, x.type, "input X");
  require_float(ctx.node, w.type, "weights W");
  if (w.rank_known) read_attrs(ctx.node, w.shape);  // reports bad or unsupported attributes now
  std::shared_ptr<const std::vector<kernels::PackedWeightsF32>> packed;
  if (w.value != nullptr && w.value->size() > 0) {
    const Tensor& wt = *w.value;
    const TransposeAttrs a = read_attrs(ctx.node, wt.shape());
    if (wt.dim(0) % a.group != 0) invalid(ctx.node, "weights " + shape_string(wt.shape()) + " do not divide into group = " + std::to_string(a.group));
    float_data(ctx.node, wt, "weights W");
    packed = std::make_shared<const std::vector<kernels::PackedWeightsF32>>(pack_groups(wt, a.group));
  }
  return std::make_unique<ConvTransposeKernel>(std::move(packed));
}

}  // namespace

void add_conv_transpose_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "ConvTranspose", 1, infer_conv_transpose, build_conv_transpose});
}

}  // namespace quantlab::model::ops
