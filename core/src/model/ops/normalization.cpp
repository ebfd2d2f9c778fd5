// BatchNormalization (opset 1+), inference form: y = x · a[c] + b[c] with
// a = scale / sqrt(var + epsilon) and b = B - mean · a, computed once in
// build() when the four parameters are constant. Refused by name: training
// (training_mode = 1, or the running-statistics outputs) and spatial = 0.
#include <cmath>
#include <memory>
#include <string>

#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

namespace {

struct ChannelAffine {
  std::vector<float> a, b;
};

ChannelAffine fold_batch_norm(const Node& node, const Tensor& scale, const Tensor& bias, const Tensor& mean,
                              const Tensor& var, float epsilon) {
  const std::int64_t c = scale.size();
  for (const Tensor* t : {&bias, &mean, &var})
    if (t->size() != c) invalid(node, "scale, B, mean and var must have the same number of values");
  const float* s = float_data(node, scale, "scale");
  const float* b = float_data(node, bias, "B");
  const float* m = float_data(node, mean, "mean");
  const float* v = float_data(node, var, "var");
  ChannelAffine f;
  f.a.resize(to_size(c));
  f.b.resize(to_size(c));
  for (std::size_t i = 0; i < to_size(c); ++i) {
    f.a[i] = s[i] / std::sqrt(v[i] + epsilon);
    f.b[i] = b[i] - m[i] * f.a[i];
  }
  return f;
}

void check_inference_only(const Node& node, std::int64_t opset) {
  if (opset >= 14 && node.get_int("training_mode", 0) != 0)
    unsupported(node, "attribute 'training_mode' = 1 is not supported (inference only)");
  for (std::size_t i = 1; i < node.outputs.size(); ++i)
    if (has_output(node, i)) unsupported(node, "output " + std::to_string(i) + " (training statistics) is not supported");
  if (opset < 9 && node.get_int("spatial", 1) != 1)
    unsupported(node, "attribute 'spatial' = " + std::to_string(node.get_int("spatial", 1)) + " is not supported");
}

void infer_batch_norm(InferContext& ctx) {
  check_inference_only(ctx.node, ctx.opset);
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  infer_output(ctx, 0) = TypeShape{DataType::float32, x.rank_known, x.shape, nullptr};
}

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(float epsilon, std::shared_ptr<const ChannelAffine> folded)
      : epsilon_(epsilon), folded_(std::move(folded)) {}

  void run(RunContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.input(0);
    const float* xd = float_data(node, x, "input X");
    if (x.rank() < 2) invalid(node, "input " + shape_string(x.shape()) + " needs at least N and C dims");
    ChannelAffine local;
    const ChannelAffine* f = folded_.get();
    if (f == nullptr) {
      local = fold_batch_norm(node, ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4), epsilon_);
      f = &local;
    }
    const std::size_t channels = to_size(x.dim(1));
    if (f->a.size() != channels)
      invalid(node, "input " + shape_string(x.shape()) + " has " + std::to_string(channels) + " channels, the parameters " +
                        std::to_string(f->a.size()));
    const std::size_t batch = to_size(x.dim(0));
    const std::size_t inner = to_size(product(x.shape(), 2, x.rank()));
    Tensor y(DataType::float32, x.shape());
    float* yd = y.data<float>();
    for (std::size_t n = 0; n < batch; ++n) {
      for (std::size_t c = 0; c < channels; ++c) {
        const float a = f->a[c], b = f->b[c];
        const float* src = xd + (n * channels + c) * inner;
        float* dst = yd + (n * channels + c) * inner;
        for (std::size_t i = 0; i < inner; ++i) dst[i] = src[i] * a + b;
      }
    }
    set_output(ctx, 0, std::move(y));
  }

 private:
  float epsilon_;
  std::shared_ptr<const ChannelAffine> folded_;  // null: folded per run
};

std::unique_ptr<Kernel> build_batch_norm(const BuildContext& ctx) {
  const Node& node = ctx.node;
  check_inference_only(node, ctx.opset);
  require_float(node, ctx.input(0).type, "input X");
  const float epsilon = node.get_float("epsilon", 1e-5f);
  std::shared_ptr<const ChannelAffine> folded;
  bool constant = true;
  for (std::size_t i = 1; i <= 4; ++i) constant = constant && ctx.input(i).value != nullptr;
  if (constant) {
    folded = std::make_shared<const ChannelAffine>(fold_batch_norm(
        node, *ctx.input(1).value, *ctx.input(2).value, *ctx.input(3).value, *ctx.input(4).value, epsilon));
  }
  return std::make_unique<BatchNormKernel>(epsilon, std::move(folded));
}

}  // namespace

void add_normalization_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "BatchNormalization", 1, infer_batch_norm, build_batch_norm});
}

}  // namespace quantlab::model::ops
