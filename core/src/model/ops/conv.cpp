// Conv (opset 1+): 1-D and 2-D convolution of float NCHW tensors with groups
// (depthwise included), pads, strides, dilations and auto_pad. 3-D and wider
// are refused by name. Constant weights are laid out once, in build().
#include <memory>
#include <optional>
#include <string>

#include "model/ops/conv_f32.h"
#include "model/ops/op_utils.h"
#include "model/ops/spatial.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::model::ops {

namespace {

// Spatial dims from the weights' rank, else kernel_shape, else the input's
// rank; 0 when none is known yet.
std::size_t conv_spatial_rank(const Node& node, const TypeShape& x, const TypeShape* w) {
  std::int64_t rank = -1;
  if (w != nullptr && w->rank_known) rank = static_cast<std::int64_t>(w->shape.size()) - 2;
  else if (const Attribute* k = node.find("kernel_shape")) rank = static_cast<std::int64_t>(k->ints.size());
  else if (x.rank_known) rank = static_cast<std::int64_t>(x.shape.size()) - 2;
  if (rank == -1) return 0;
  if (rank < 1) invalid(node, "the weights need at least 3 dims (O × C/group × kernel)");
  if (rank > 2) unsupported(node, std::to_string(rank) + "-D convolution (kernel_shape with " + std::to_string(rank) +
                                      " dims) is not supported; 1-D and 2-D are");
  return static_cast<std::size_t>(rank);
}

// kernel_shape when given (checked against the weights), else the weights'
// spatial dims; empty when neither is known.
std::vector<std::int64_t> conv_kernel(const Node& node, std::size_t rank, const std::vector<std::int64_t>* w_shape) {
  std::vector<std::int64_t> from_weights;
  if (w_shape != nullptr && w_shape->size() == rank + 2) from_weights.assign(w_shape->begin() + 2, w_shape->end());
  const std::vector<std::int64_t> attr = node.get_ints("kernel_shape");
  if (!attr.empty()) {
    if (attr.size() != rank) invalid(node, "attribute 'kernel_shape' has " + std::to_string(attr.size()) + " values, expected " + std::to_string(rank));
    for (std::size_t d = 0; d < from_weights.size(); ++d)
      if (from_weights[d] >= 0 && from_weights[d] != attr[d])
        invalid(node, "attribute 'kernel_shape' " + shape_string(attr) + " does not match the weights " + shape_string(*w_shape));
    return attr;
  }
  for (std::int64_t k : from_weights)
    if (k < 0) return {};
  return from_weights;
}

std::int64_t conv_group(const Node& node) {
  const std::int64_t group = node.get_int("group", 1);
  if (group < 1) invalid(node, "attribute 'group' = " + std::to_string(group) + " is not positive");
  return group;
}

void infer_conv(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  const TypeShape& w = ctx.input(1);
  require_float(ctx.node, x.type, "input X");
  require_float(ctx.node, w.type, "weights W");
  TypeShape& out = infer_output(ctx, 0);
  const std::size_t rank = conv_spatial_rank(ctx.node, x, &w);
  const std::int64_t group = conv_group(ctx.node);
  if (rank == 0 || !x.rank_known) {
    out = unknown_rank(DataType::float32);
    return;
  }
  if (x.shape.size() != rank + 2) invalid(ctx.node, "input X has shape " + shape_string(x.shape) + ", expected " + std::to_string(rank + 2) + " dims");
  const std::vector<std::int64_t> kernel = conv_kernel(ctx.node, rank, w.rank_known ? &w.shape : nullptr);
  if (w.rank_known && x.shape[1] >= 0 && w.shape[1] >= 0 && x.shape[1] != w.shape[1] * group)
    invalid(ctx.node, "input channels " + std::to_string(x.shape[1]) + " do not match weights " + shape_string(w.shape) +
                          " with group = " + std::to_string(group));
  std::vector<std::int64_t> shape{x.shape[0], w.rank_known ? w.shape[0] : -1};
  if (kernel.empty()) {
    shape.resize(rank + 2, -1);
  } else {
    const WindowAttrs attrs = read_window_attrs(ctx.node, kernel, false);
    for (std::size_t d = 0; d < rank; ++d) shape.push_back(resolve_window(ctx.node, attrs, d, x.shape[2 + d]).out);
  }
  out = TypeShape::make(DataType::float32, std::move(shape));
}

class ConvKernel final : public Kernel {
 public:
  ConvKernel(std::size_t rank, std::int64_t group, std::optional<WindowAttrs> attrs,
             std::shared_ptr<const ConvWeightsF32> packed, kernels::Isa isa)
      : rank_(rank), group_(group), attrs_(std::move(attrs)), packed_(std::move(packed)), isa_(isa) {}

  void run(RunContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? ctx.inputs[2] : nullptr;
    const float* xd = float_data(node, x, "input X");
    const float* wd = float_data(node, w, "weights W");
    const float* bd = b != nullptr ? float_data(node, *b, "bias B") : nullptr;
    const TypeShape w_shape = TypeShape::of(w);
    const std::size_t rank = rank_ != 0 ? rank_ : conv_spatial_rank(node, TypeShape::of(x), &w_shape);
    if (x.rank() != rank + 2 || w.rank() != rank + 2)
      invalid(node, "input X " + shape_string(x.shape()) + " and weights W " + shape_string(w.shape()) + " must both have " +
                        std::to_string(rank + 2) + " dims");
    ConvGeometry g;
    g.batch = to_size(x.dim(0));
    g.in_channels = to_size(x.dim(1));
    g.out_channels = to_size(w.dim(0));
    g.groups = to_size(group_);
    if (w.dim(1) * group_ != x.dim(1) || g.out_channels % g.groups != 0)
      invalid(node, "input " + shape_string(x.shape()) + " and weights " + shape_string(w.shape()) + " do not agree with group = " +
                        std::to_string(group_));
    if (b != nullptr && b->size() != w.dim(0))
      invalid(node, "bias B has " + std::to_string(b->size()) + " values for " + std::to_string(w.dim(0)) + " output channels");
    const WindowAttrs attrs = attrs_ ? *attrs_ : read_window_attrs(node, conv_kernel(node, rank, &w.shape()), false);
    std::vector<std::int64_t> out_shape{x.dim(0), w.dim(0)};
    std::vector<WindowDim> dims;
    for (std::size_t d = 0; d < rank; ++d) {
      dims.push_back(resolve_window(node, attrs, d, x.dim(2 + d)));
      out_shape.push_back(dims.back().out);
    }
    // 1-D runs as 2-D with height 1: the last spatial dim is the width.
    const std::size_t wd_i = rank - 1;
    g.in_w = to_size(x.dim(2 + wd_i));
    g.kernel_w = to_size(attrs.kernel[wd_i]);
    g.stride_w = to_size(attrs.strides[wd_i]);
    g.dilation_w = to_size(attrs.dilations[wd_i]);
    g.pad_left = to_size(dims[wd_i].pad_begin);
    g.pad_right = to_size(dims[wd_i].pad_end);
    g.out_w = to_size(dims[wd_i].out);
    if (rank == 2) {
      g.in_h = to_size(x.dim(2));
      g.kernel_h = to_size(attrs.kernel[0]);
      g.stride_h = to_size(attrs.strides[0]);
      g.dilation_h = to_size(attrs.dilations[0]);
      g.pad_top = to_size(dims[0].pad_begin);
      g.pad_bottom = to_size(dims[0].pad_end);
      g.out_h = to_size(dims[0].out);
    }
    check_buffer(node, {x.dim(1), static_cast<std::int64_t>(g.padded_h()), static_cast<std::int64_t>(g.padded_w())},
                 sizeof(float), "the padded input");
    Tensor y = new_tensor(node, DataType::float32, std::move(out_shape));
    if (packed_ != nullptr) {
      conv2d_f32_nchw(g, *packed_, xd, y.data<float>(), kernels::kNoClamp, isa_);
    } else {
      const ConvWeightsF32 packed = pack_conv_weights_f32(g, wd, bd);
      conv2d_f32_nchw(g, packed, xd, y.data<float>(), kernels::kNoClamp, isa_);
    }
    set_output(ctx, 0, std::move(y));
  }

 private:
  std::size_t rank_;  // 0: known only at run time
  std::int64_t group_;
  std::optional<WindowAttrs> attrs_;
  std::shared_ptr<const ConvWeightsF32> packed_;  // null: weights packed per run
  kernels::Isa isa_;
};

std::unique_ptr<Kernel> build_conv(const BuildContext& ctx) {
  const Node& node = ctx.node;
  const TypeShape& x = ctx.input(0);
  const TypeShape& w = ctx.input(1);
  require_float(node, x.type, "input X");
  require_float(node, w.type, "weights W");
  const std::size_t rank = conv_spatial_rank(node, x, &w);
  const std::int64_t group = conv_group(node);
  std::optional<WindowAttrs> attrs;
  if (rank != 0) {
    const std::vector<std::int64_t> kernel = conv_kernel(node, rank, w.rank_known ? &w.shape : nullptr);
    if (!kernel.empty()) attrs = read_window_attrs(node, kernel, false);
  }
  // Constant weights (and bias): lay them out once for every run.
  std::shared_ptr<const ConvWeightsF32> packed;
  const bool bias_constant = !ctx.has_input(2) || ctx.input(2).value != nullptr;
  if (w.value != nullptr && bias_constant && rank != 0) {
    const Tensor& wt = *w.value;
    const Tensor* bt = ctx.has_input(2) ? ctx.input(2).value : nullptr;
    if (wt.rank() != rank + 2) invalid(node, "weights W " + shape_string(wt.shape()) + " must have " + std::to_string(rank + 2) + " dims");
    if (wt.dim(0) % group != 0) invalid(node, "output channels " + std::to_string(wt.dim(0)) + " are not divisible by group = " + std::to_string(group));
    if (bt != nullptr && bt->size() != wt.dim(0))
      invalid(node, "bias B has " + std::to_string(bt->size()) + " values for " + std::to_string(wt.dim(0)) + " output channels");
    ConvGeometry g;
    g.groups = to_size(group);
    g.in_channels = to_size(wt.dim(1) * group);
    g.out_channels = to_size(wt.dim(0));
    g.kernel_h = rank == 2 ? to_size(wt.dim(2)) : 1;
    g.kernel_w = to_size(wt.dim(wt.rank() - 1));
    packed = std::make_shared<const ConvWeightsF32>(pack_conv_weights_f32(
        g, float_data(node, wt, "weights W"), bt != nullptr ? float_data(node, *bt, "bias B") : nullptr));
  }
  return std::make_unique<ConvKernel>(rank, group, std::move(attrs), std::move(packed), kernels::best_isa());
}

}  // namespace

void add_conv_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Conv", 1, infer_conv, build_conv});
}

}  // namespace quantlab::model::ops
