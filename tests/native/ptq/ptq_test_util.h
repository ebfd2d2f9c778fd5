// Small float ONNX models built in C++ for the post-training quantization
// tests (tests/native/ptq/), and helpers to calibrate, run and inspect them.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "quantlab/model/graph.h"
#include "quantlab/model/session.h"
#include "quantlab/model/tensor.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq::test {

using model::Attribute;
using model::DataType;
using model::Model;
using model::Node;
using model::Tensor;

inline Attribute int_attr(const std::string& name, std::int64_t v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::int_;
  a.i = v;
  return a;
}

inline Attribute float_attr(const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::float_;
  a.f = v;
  return a;
}

inline Attribute ints_attr(const std::string& name, std::vector<std::int64_t> v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::ints;
  a.ints = std::move(v);
  return a;
}

/// Uniform floats in [lo, hi), deterministic.
inline std::vector<float> uniform(std::size_t n, float lo, float hi, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

/// Multiples of 1/`denominator` in [-limit, limit]: sums and products of a few
/// of them are exact in float32, whatever the order (exact float references).
inline std::vector<float> dyadic(std::size_t n, int limit_steps, float denominator, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-limit_steps, limit_steps);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(dist(gen)) / denominator;
  return v;
}

/// A float model under construction; opset 13 unless told.
class Builder {
 public:
  explicit Builder(std::int64_t opset = 13, const std::string& graph_name = "g") {
    model_.opsets = {{"", opset}};
    model_.graph.name = graph_name;
  }

  /// A float input whose first dim is the symbolic "batch".
  Builder& input(const std::string& name, const std::vector<std::int64_t>& sample_shape,
                 DataType type = DataType::float32) {
    model::ValueInfo v;
    v.name = name;
    v.type = type;
    v.has_shape = true;
    v.dims.push_back(model::Dim{-1, "batch"});
    // -1: a symbolic dim of its own ("d1", "d2", ...).
    for (std::int64_t d : sample_shape)
      v.dims.push_back(d < 0 ? model::Dim{-1, "d" + std::to_string(v.dims.size())} : model::Dim{d, ""});
    model_.graph.inputs.push_back(v);
    return *this;
  }

  Builder& output(const std::string& name) {
    model::ValueInfo v;
    v.name = name;
    v.type = DataType::float32;
    model_.graph.outputs.push_back(v);
    return *this;
  }

  std::string constant(const std::string& name, const std::vector<std::int64_t>& shape,
                       const std::vector<float>& values) {
    model_.graph.initializers[name] = Tensor::from<float>(shape, values);
    return name;
  }

  Node& node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
             const std::string& name = "", std::vector<Attribute> attrs = {}) {
    Node n;
    n.op_type = op;
    n.name = name;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.attributes = std::move(attrs);
    model_.graph.nodes.push_back(n);
    return model_.graph.nodes.back();
  }

  /// BatchNormalization (inference) with constant gamma, beta, mean, var named `<name>.*`.
  Node& batchnorm(const std::string& x, const std::string& y, const std::string& name, const std::vector<float>& gamma,
                  const std::vector<float>& beta, const std::vector<float>& mean, const std::vector<float>& var,
                  float epsilon = 1e-5f) {
    const std::int64_t c = static_cast<std::int64_t>(gamma.size());
    return node("BatchNormalization",
                {x, constant(name + ".weight", {c}, gamma), constant(name + ".bias", {c}, beta),
                 constant(name + ".running_mean", {c}, mean), constant(name + ".running_var", {c}, var)},
                {y}, name, {float_attr("epsilon", epsilon)});
  }

  const Model& model() const { return model_; }
  Model& model() { return model_; }

 private:
  Model model_;
};

// ---- the small CNN most tests use -------------------------------------------

constexpr std::int64_t kCin = 2, kCout = 4, kSide = 6, kFcOut = 5;

/// x [N,2,6,6] → Conv(3×3, pad 1, bias) → Relu → MaxPool 2×2 → Flatten →
/// Gemm(transB = 0, W [36, 5], bias) → y. `spatial` = -1 makes H and W symbolic.
inline Builder conv_pool_fc(std::int64_t opset = 13, std::int64_t spatial = kSide) {
  Builder m(opset, "conv_pool_fc");
  m.input("x", {kCin, spatial, spatial}).output("y");
  m.node("Conv",
         {"x", m.constant("conv.weight", {kCout, kCin, 3, 3}, uniform(kCout * kCin * 9, -0.6f, 0.6f, 101)),
          m.constant("conv.bias", {kCout}, uniform(kCout, -0.2f, 0.2f, 102))},
         {"c"}, "conv", {ints_attr("pads", {1, 1, 1, 1})});
  m.node("Relu", {"c"}, {"r"}, "relu");
  m.node("MaxPool", {"r"}, {"p"}, "pool", {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})});
  m.node("Flatten", {"p"}, {"f"}, "flat");
  const std::int64_t k = kCout * (kSide / 2) * (kSide / 2);
  m.node("Gemm",
         {"f", m.constant("fc.weight", {k, kFcOut}, uniform(static_cast<std::size_t>(k * kFcOut), -0.4f, 0.4f, 103)),
          m.constant("fc.bias", {kFcOut}, uniform(kFcOut, -0.3f, 0.3f, 104))},
         {"y"}, "fc");
  return m;
}

/// `n` inputs of conv_pool_fc, uniform in [-1.5, 1.5).
inline Tensor conv_images(std::int64_t n, std::uint32_t seed, std::int64_t side = kSide) {
  const std::vector<std::int64_t> shape{n, kCin, side, side};
  return Tensor::from<float>(shape, uniform(static_cast<std::size_t>(n * kCin * side * side), -1.5f, 1.5f, seed));
}

/// A float32 tensor.
inline Tensor tensor(const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
  return Tensor::from<float>(shape, values);
}

inline std::vector<float> values(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.size());
}

/// The node that produces `value`, or null.
inline const Node* producer(const Model& m, const std::string& value) {
  for (const Node& n : m.graph.nodes)
    for (const std::string& o : n.outputs)
      if (o == value) return &n;
  return nullptr;
}

inline const Node* node_named(const Model& m, const std::string& name) {
  for (const Node& n : m.graph.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

inline int count_op(const Model& m, const std::string& op) {
  int k = 0;
  for (const Node& n : m.graph.nodes) k += n.op_type == op;
  return k;
}

inline const Layer* layer_named(const Prepared& p, const std::string& name) {
  for (const Layer& l : p.layers)
    if (l.name == name) return &l;
  return nullptr;
}

/// Calibrates `prepared` on `batches` (feeds of its input).
inline Calibration calibrate(const Prepared& prepared, const Options& options, const std::vector<Tensor>& batches) {
  Calibrator c(prepared, options);
  for (const Tensor& b : batches) c.observe({{prepared.input, b}});
  return c.result();
}

/// Runs a model once on one input and returns its first output.
inline Tensor run_first_output(const Model& m, const std::string& input, const Tensor& x,
                               model::SessionOptions options = {}) {
  const model::Session s(m, options);
  const auto out = s.run({{input, x}});
  return out.at(s.outputs()[0].name);
}

/// The message of the exception `f` throws as E (fails the test when it throws nothing or another type).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

}  // namespace quantlab::ptq::test
