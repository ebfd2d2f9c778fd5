// The int8 ops and Cast (core/src/model/ops/quantize_linear.cpp, integer_gemm.cpp,
// integer_conv.cpp, cast.cpp), run through the Session on one-node models:
// - every ONNX backend node test of these ops, and extra cases with numpy
//   references (int8_op_fixtures.inc, from scripts/fixtures/make_int8_op_fixtures.py),
//   each run twice: all inputs fed (weights packed per run), then every input
//   after the first as an initializer (weights packed once at build);
// - what the ops refuse, by name, and what they reject as malformed;
// - behaviour ONNX leaves open (NaN, an all-zero DynamicQuantizeLinear input,
//   float -> bfloat16 rounding) and the paths the fixtures do not reach.
// Integer results are compared exactly, floats bit for bit (NaN equals NaN).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <array>
#include <cstring>
#include <limits>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/model/graph.h"
#include "quantlab/model/session.h"
#include "quantlab/model/tensor.h"

namespace quantlab::test::int8_op_fixtures {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

struct Attr {
  std::string name;
  int kind;  // ONNX AttributeProto.AttributeType: 2 int, 3 string, 7 ints
  std::int64_t i;
  std::vector<std::int64_t> ints;
  std::string s;
};

/// Values as numbers (float, double) or integers (the rest; float16 and
/// bfloat16 as bit patterns, uint64 as its two's complement int64 pattern).
struct FixtureTensor {
  std::string name;
  int type;  // ONNX TensorProto.DataType
  std::vector<std::int64_t> shape;
  std::vector<double> floats;
  std::vector<std::int64_t> ints;
};

struct Case {
  std::string name;
  std::string source;  // "backend" (ONNX test data) or "extra" (numpy)
  std::string op_type;
  int opset;
  bool refused;  // string tensors: quantlab must refuse the model
  std::vector<std::string> node_inputs;
  std::vector<std::string> node_outputs;
  std::vector<Attr> attrs;
  std::vector<FixtureTensor> inputs;   // the graph inputs
  std::vector<FixtureTensor> outputs;  // expected
  std::vector<std::int64_t> truncated;  // float -> bfloat16 only: ONNX 1.12's truncated bits
};

#include "model/int8_op_fixtures.inc"

/// Names a case in gtest's messages (instead of dumping its bytes).
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

}  // namespace quantlab::test::int8_op_fixtures

namespace quantlab::model {
namespace {

using test::int8_op_fixtures::Case;
using test::int8_op_fixtures::FixtureTensor;
using test::int8_op_fixtures::kCases;

// ============================================================================
// Building and running one-node models
// ============================================================================

Tensor make_tensor(const FixtureTensor& f) {
  const auto type = static_cast<DataType>(f.type);
  Tensor t(type, f.shape);
  const auto n = static_cast<std::size_t>(t.size());
  const bool floating = type == DataType::float32 || type == DataType::float64;
  EXPECT_EQ(floating ? f.floats.size() : f.ints.size(), n) << f.name;
  auto fill = [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    for (std::size_t i = 0; i < n; ++i) p[i] = floating ? static_cast<T>(f.floats[i]) : static_cast<T>(f.ints[i]);
  };
  switch (type) {
    case DataType::float32: fill(t.data<float>()); break;
    case DataType::float64: fill(t.data<double>()); break;
    case DataType::float16: case DataType::bfloat16: case DataType::uint16: fill(t.data<std::uint16_t>()); break;
    case DataType::uint8: case DataType::boolean: fill(t.data<std::uint8_t>()); break;
    case DataType::int8: fill(t.data<std::int8_t>()); break;
    case DataType::int16: fill(t.data<std::int16_t>()); break;
    case DataType::int32: fill(t.data<std::int32_t>()); break;
    case DataType::int64: fill(t.data<std::int64_t>()); break;
    case DataType::uint32: fill(t.data<std::uint32_t>()); break;
    case DataType::uint64: fill(t.data<std::uint64_t>()); break;
    default: ADD_FAILURE() << "fixture type " << f.type;
  }
  return t;
}

ValueInfo value_info(const std::string& name, DataType type, const std::vector<std::int64_t>& shape) {
  ValueInfo v;
  v.name = name;
  v.type = type;
  v.has_shape = true;
  for (std::int64_t d : shape) v.dims.push_back(Dim{d, ""});
  return v;
}

Attribute make_attribute(const test::int8_op_fixtures::Attr& a) {
  Attribute out;
  out.name = a.name;
  out.kind = static_cast<Attribute::Kind>(a.kind);
  out.i = a.i;
  out.ints = a.ints;
  out.s = a.s;
  return out;
}

/// The case as a model; with `weights_constant`, inputs after the first are initializers.
Model make_model(const Case& c, bool weights_constant) {
  Model m;
  m.opsets = {{"", c.opset}};
  Node node;
  node.name = c.name;
  node.op_type = c.op_type;
  node.inputs = c.node_inputs;
  node.outputs = c.node_outputs;
  for (const auto& a : c.attrs) node.attributes.push_back(make_attribute(a));
  m.graph.nodes.push_back(node);
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const FixtureTensor& in = c.inputs[i];
    if (weights_constant && i > 0) m.graph.initializers[in.name] = make_tensor(in);
    else m.graph.inputs.push_back(value_info(in.name, static_cast<DataType>(in.type), in.shape));
  }
  for (const FixtureTensor& out : c.outputs)
    m.graph.outputs.push_back(value_info(out.name, static_cast<DataType>(out.type), out.shape));
  return m;
}

std::map<std::string, Tensor> run_case(const Case& c, bool weights_constant) {
  Session session(make_model(c, weights_constant));
  std::map<std::string, Tensor> feeds;
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (!(weights_constant && i > 0)) feeds[c.inputs[i].name] = make_tensor(c.inputs[i]);
  // Inference must agree with what running produces.
  const ShapeReport report = session.infer_shapes();
  for (const FixtureTensor& out : c.outputs) {
    EXPECT_EQ(report.types.at(out.name), static_cast<DataType>(out.type)) << out.name;
    EXPECT_EQ(report.shapes.at(out.name), out.shape) << out.name;
  }
  return session.run(feeds);
}

/// Empty when equal: integers exactly, floats bit for bit except that any NaN equals any NaN.
std::string difference(const Tensor& got, const Tensor& want) {
  if (got.type() != want.type()) return "type " + type_name(got.type()) + ", expected " + type_name(want.type());
  if (got.shape() != want.shape()) return "shape " + shape_string(got.shape()) + ", expected " + shape_string(want.shape());
  const std::size_t bytes = element_size(got.type());
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const std::uint8_t* a = got.bytes() + i * bytes;
    const std::uint8_t* b = want.bytes() + i * bytes;
    if (std::memcmp(a, b, bytes) == 0) continue;
    if (got.type() == DataType::float32 && std::isnan(got.data<float>()[i]) && std::isnan(want.data<float>()[i])) continue;
    if (got.type() == DataType::float64 && std::isnan(got.data<double>()[i]) && std::isnan(want.data<double>()[i])) continue;
    const bool floating = got.type() == DataType::float32 || got.type() == DataType::float64;
    std::string g = floating ? std::to_string(got.to_double()[i]) : std::to_string(got.to_int64()[i]);
    std::string w = floating ? std::to_string(want.to_double()[i]) : std::to_string(want.to_int64()[i]);
    if (got.type() == DataType::float16 || got.type() == DataType::bfloat16) {
      g = std::to_string(got.data<std::uint16_t>()[i]);
      w = std::to_string(want.data<std::uint16_t>()[i]);
    }
    return "element " + std::to_string(i) + " is " + g + ", expected " + w;
  }
  return "";
}

const Case& find_case(const std::string& name) {
  for (const Case& c : kCases)
    if (c.name == name) return c;
  throw InvalidArgument("no fixture " + name);
}

// ============================================================================
// The fixtures
// ============================================================================

class OpsInt8Fixture : public testing::TestWithParam<Case> {};

TEST_P(OpsInt8Fixture, matches_reference_with_fed_and_constant_weights) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.name + " (" + c.source + ")");
  if (c.refused) {
    try {
      Session session(make_model(c, false));
      ADD_FAILURE() << "a model with string tensors was accepted";
    } catch (const Unsupported& e) {
      EXPECT_NE(std::string(e.what()).find("string"), std::string::npos) << e.what();
    }
    return;
  }
  for (bool weights_constant : {false, true}) {
    SCOPED_TRACE(weights_constant ? "inputs after the first are initializers" : "all inputs fed");
    const std::map<std::string, Tensor> got = run_case(c, weights_constant);
    for (const FixtureTensor& want : c.outputs)
      EXPECT_EQ(difference(got.at(want.name), make_tensor(want)), "") << "output " << want.name;
  }
}

std::string case_name(const testing::TestParamInfo<Case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(OpsInt8, OpsInt8Fixture, testing::ValuesIn(kCases), case_name);

TEST(OpsInt8Fixtures, cover_every_backend_test_of_the_ops) {
  std::size_t backend = 0;
  for (const Case& c : kCases) backend += c.source.rfind("backend", 0) == 0;
  EXPECT_EQ(backend, 39u);
}

// ============================================================================
// One-node models written by hand
// ============================================================================

/// A model of one node whose inputs are fed (names x0, x1, ...) or, when given
/// in `constants`, initializers. Absent optional inputs are "".
struct OneNode {
  explicit OneNode(std::string op, std::int64_t version = 13) : op_type(std::move(op)), opset(version) {}

  std::string op_type;
  std::int64_t opset;
  std::vector<Attribute> attributes;
  std::vector<std::pair<std::string, Tensor>> inputs;  // "" name: absent; constants marked in `constant`
  std::vector<bool> constant;
  std::size_t outputs = 1;

  OneNode& input(const std::string& name, Tensor t, bool is_constant = false) {
    inputs.emplace_back(name, std::move(t));
    constant.push_back(is_constant);
    return *this;
  }
  OneNode& absent() {
    inputs.emplace_back("", Tensor());
    constant.push_back(false);
    return *this;
  }
  OneNode& attr_int(const std::string& name, std::int64_t v) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::int_;
    a.i = v;
    attributes.push_back(a);
    return *this;
  }
  OneNode& attr_ints(const std::string& name, std::vector<std::int64_t> v) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::ints;
    a.ints = std::move(v);
    attributes.push_back(a);
    return *this;
  }

  Model model(const std::vector<std::int64_t>* symbolic_dims_of_first = nullptr) const {
    Model m;
    m.opsets = {{"", opset}};
    Node node;
    node.name = "n";
    node.op_type = op_type;
    node.attributes = attributes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const auto& [name, t] = inputs[i];
      node.inputs.push_back(name);
      if (name.empty()) continue;
      if (constant[i]) {
        m.graph.initializers[name] = t;
      } else {
        ValueInfo v = value_info(name, t.type(), t.shape());
        if (i == 0 && symbolic_dims_of_first)
          for (std::int64_t d : *symbolic_dims_of_first)
            v.dims[static_cast<std::size_t>(d)] = Dim{-1, "d" + std::to_string(d)};
        m.graph.inputs.push_back(v);
      }
    }
    for (std::size_t o = 0; o < outputs; ++o) {
      node.outputs.push_back("y" + std::to_string(o));
      ValueInfo v;
      v.name = node.outputs.back();
      m.graph.outputs.push_back(v);
    }
    m.graph.nodes.push_back(node);
    return m;
  }

  std::map<std::string, Tensor> feeds() const {
    std::map<std::string, Tensor> f;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i].first.empty() && !constant[i]) f[inputs[i].first] = inputs[i].second;
    return f;
  }

  std::vector<Tensor> run() const {
    Session session(model());
    std::map<std::string, Tensor> out = session.run(feeds());
    std::vector<Tensor> result;
    for (std::size_t o = 0; o < outputs; ++o) result.push_back(out.at("y" + std::to_string(o)));
    return result;
  }
};

/// The message of the Unsupported a Session build throws, "" when it does not.
std::string unsupported_message(const Model& m) {
  try {
    Session session(m);
  } catch (const Unsupported& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- refusals ---------------------------------------------------------------

TEST(OpsInt8Refusals, cast_to_float8_names_the_type) {
  OneNode n{"Cast", 19};
  n.input("x", Tensor::from<float>({2}, {1.0f, 2.0f})).attr_int("to", 17);
  const std::string msg = unsupported_message(n.model());
  EXPECT_TRUE(contains(msg, "float8e4m3fn")) << msg;
  EXPECT_TRUE(contains(msg, "Cast 'n'")) << msg;
}

TEST(OpsInt8Refusals, cast_to_string) {
  OneNode n{"Cast"};
  n.input("x", Tensor::from<float>({1}, {1.0f})).attr_int("to", 8);
  EXPECT_TRUE(contains(unsupported_message(n.model()), "string casts are not supported"));
}

TEST(OpsInt8Refusals, blocked_quantize_linear) {
  OneNode n{"QuantizeLinear", 21};
  n.input("x", Tensor::from<float>({2, 4}, std::vector<float>(8, 1.0f)))
      .input("s", Tensor::from<float>({2, 2}, {1.0f, 1.0f, 1.0f, 1.0f}), true)
      .attr_int("block_size", 2);
  EXPECT_TRUE(contains(unsupported_message(n.model()), "'block_size' = 2")) << unsupported_message(n.model());
}

TEST(OpsInt8Refusals, float16_scale_names_the_input_and_type) {
  OneNode n{"DequantizeLinear", 19};
  n.input("x", Tensor::from<std::uint8_t>({2}, {1, 2})).input("s", Tensor(DataType::float16, {}), true);
  const std::string msg = unsupported_message(n.model());
  EXPECT_TRUE(contains(msg, "x_scale")) << msg;
  EXPECT_TRUE(contains(msg, "float16")) << msg;
}

TEST(OpsInt8Refusals, three_d_convolution) {
  OneNode n{"ConvInteger", 10};
  n.input("x", Tensor(DataType::uint8, {1, 1, 2, 2, 2})).input("w", Tensor(DataType::uint8, {1, 1, 1, 1, 1}), true);
  EXPECT_TRUE(contains(unsupported_message(n.model()), "3-D convolution")) << unsupported_message(n.model());
}

TEST(OpsInt8Refusals, matmul_depth_beyond_the_exact_int32_limit) {
  OneNode n{"MatMulInteger", 10};
  n.input("a", Tensor(DataType::uint8, {1, 32769})).input("b", Tensor(DataType::int8, {32769, 1}), true);
  EXPECT_TRUE(contains(unsupported_message(n.model()), "K = 32769")) << unsupported_message(n.model());
}

TEST(OpsInt8Refusals, float_matmul_inputs) {
  OneNode n{"MatMulInteger", 10};
  n.input("a", Tensor(DataType::float32, {2, 2})).input("b", Tensor(DataType::int8, {2, 2}), true);
  const std::string msg = unsupported_message(n.model());
  EXPECT_TRUE(contains(msg, "input 'A' is float; supported: uint8 or int8")) << msg;
}

// ---- malformed models -------------------------------------------------------

TEST(OpsInt8Invalid, zero_point_type_differs_from_the_tensor) {
  OneNode n{"DequantizeLinear"};
  n.input("x", Tensor::from<std::uint8_t>({2}, {1, 2}))
      .input("s", Tensor::scalar<float>(0.5f), true)
      .input("z", Tensor::scalar<std::int8_t>(0), true);
  EXPECT_THROW(Session{n.model()}, InvalidArgument);
}

TEST(OpsInt8Invalid, per_axis_scales_need_opset_13) {
  OneNode n{"QuantizeLinear", 10};
  n.input("x", Tensor::from<float>({1, 2}, {1.0f, 2.0f}))
      .input("s", Tensor::from<float>({2}, {1.0f, 2.0f}), true)
      .input("z", Tensor::from<std::uint8_t>({2}, {0, 0}), true);
  EXPECT_THROW(n.run(), InvalidArgument);
}

TEST(OpsInt8Invalid, matmul_inner_dimensions_differ) {
  OneNode n{"MatMulInteger", 10};
  n.input("a", Tensor(DataType::uint8, {2, 3})).input("b", Tensor(DataType::uint8, {4, 2}), true);
  EXPECT_THROW(Session{n.model()}, InvalidArgument);
}

TEST(OpsInt8Invalid, qlinear_matmul_zero_output_scale) {
  OneNode n{"QLinearMatMul", 10};
  n.input("a", Tensor::from<std::uint8_t>({1, 2}, {1, 2}))
      .input("sa", Tensor::scalar<float>(0.1f), true)
      .input("za", Tensor::scalar<std::uint8_t>(0), true)
      .input("b", Tensor::from<std::int8_t>({2, 1}, {1, 2}), true)
      .input("sb", Tensor::scalar<float>(0.1f), true)
      .input("zb", Tensor::scalar<std::int8_t>(0), true)
      .input("sy", Tensor::scalar<float>(0.0f), true)
      .input("zy", Tensor::scalar<std::uint8_t>(0), true);
  try {
    n.run();
    ADD_FAILURE() << "a zero y_scale was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), "y_scale")) << e.what();
  }
}

TEST(OpsInt8Invalid, convolution_channels_do_not_match_the_weights) {
  OneNode n{"ConvInteger", 10};
  n.input("x", Tensor(DataType::uint8, {1, 3, 4, 4})).input("w", Tensor(DataType::uint8, {2, 2, 1, 1}), true);
  EXPECT_THROW(Session{n.model()}, InvalidArgument);
}

// ---- behaviour ONNX leaves open ----------------------------------------------

TEST(OpsInt8Quantize, nan_gets_the_zero_point) {
  OneNode n{"QuantizeLinear"};
  n.input("x", Tensor::from<float>({3}, {std::nanf(""), 1.0f, -std::numeric_limits<float>::infinity()}))
      .input("s", Tensor::scalar<float>(0.5f), true)
      .input("z", Tensor::scalar<std::int8_t>(-7), true);
  const Tensor y = n.run()[0];
  EXPECT_EQ(y.to_int64(), (std::vector<std::int64_t>{-7, -5, -128}));
}

TEST(OpsInt8Quantize, divides_by_the_scale_as_onnx_does) {
  // With s = 0.3f: 2.25f / s = 7.4999995 but 2.25f * (1 / s) = 7.5, and
  // 3.7500002f / s = 12.5 (a tie, to 12) but 3.7500002f * (1 / s) = 12.500001.
  // ONNX divides, so the codes are 7 and 12 (PyTorch's product gives 8 and 13).
  OneNode n{"QuantizeLinear"};
  n.input("x", Tensor::from<float>({2}, {2.25f, 3.7500002f}))
      .input("s", Tensor::scalar<float>(0.3f), true)
      .input("z", Tensor::scalar<std::uint8_t>(10), true);
  EXPECT_EQ(n.run()[0].to_int64(), (std::vector<std::int64_t>{17, 22}));
}

/// A 4-bit tensor (one value per byte in memory) holding `values`.
Tensor four_bit(DataType type, std::vector<std::int64_t> shape, const std::vector<int>& values) {
  Tensor t(type, std::move(shape));
  for (std::size_t i = 0; i < values.size(); ++i) t.bytes()[i] = static_cast<std::uint8_t>(values[i]);
  return t;
}

TEST(OpsInt8Quantize, int4_and_uint4_of_opset_21_per_tensor_and_per_axis) {
  OneNode q{"QuantizeLinear", 21};
  q.input("x", Tensor::from<float>({4}, {-10.0f, -1.0f, 0.74f, 9.0f}))
      .input("s", Tensor::scalar<float>(0.5f), true)
      .input("z", four_bit(DataType::int4, {}, {1}), true);
  const Tensor y = q.run()[0];
  EXPECT_EQ(y.type(), DataType::int4);
  EXPECT_EQ(y.to_int64(), (std::vector<std::int64_t>{-8, -1, 2, 7})) << "saturated to -8..7";
  OneNode u{"QuantizeLinear", 21};
  u.input("x", Tensor::from<float>({3}, {-1.0f, 2.0f, 100.0f}))
      .input("s", Tensor::scalar<float>(1.0f), true)
      .input("z", four_bit(DataType::uint4, {}, {3}), true);
  EXPECT_EQ(u.run()[0].to_int64(), (std::vector<std::int64_t>{2, 5, 15}));

  OneNode dq{"DequantizeLinear", 21};
  Attribute axis;
  axis.name = "axis";
  axis.kind = Attribute::Kind::int_;
  axis.i = 0;
  dq.attributes = {axis};
  dq.input("w", four_bit(DataType::int4, {2, 3}, {-8, 7, 1, 3, -2, 0}), true)
      .input("s", Tensor::from<float>({2}, {0.5f, 0.25f}), true)
      .input("z", four_bit(DataType::int4, {2}, {0, -1}), true);
  EXPECT_EQ(dq.run()[0].to_double(), (std::vector<double>{-4.0, 3.5, 0.5, 1.0, -0.25, 0.25}));
  OneNode du{"DequantizeLinear", 21};
  du.input("w", four_bit(DataType::uint4, {2}, {0, 15}), true)
      .input("s", Tensor::scalar<float>(2.0f), true)
      .input("z", four_bit(DataType::uint4, {}, {8}), true);
  EXPECT_EQ(du.run()[0].to_double(), (std::vector<double>{-16.0, 14.0}));
}

TEST(OpsInt8Quantize, dynamic_range_skips_nan) {
  OneNode n{"DynamicQuantizeLinear", 11};
  n.input("x", Tensor::from<float>({3}, {std::nanf(""), -1.0f, 1.0f}));
  n.outputs = 3;
  const std::vector<Tensor> out = n.run();
  EXPECT_EQ(out[1].data<float>()[0], 2.0f / 255.0f);
  EXPECT_EQ(out[2].to_int64()[0], 127);  // 1 / (2 / 255) is 127.49999 in float32
  EXPECT_EQ(out[0].to_int64(), (std::vector<std::int64_t>{127, 0, 254}));
}

TEST(OpsInt8Cast, bfloat16_rounds_where_onnx_1_12_test_data_truncates) {
  // test_cast_FLOAT_to_BFLOAT16 of ONNX 1.12 truncates; quantlab rounds to
  // nearest even like onnxruntime and current onnx.helper. The two differ
  // exactly where the dropped half of the float is above one half ulp.
  const Case& c = find_case("test_cast_FLOAT_to_BFLOAT16");
  const Tensor x = make_tensor(c.inputs[0]);
  const Tensor y = run_case(c, false).at(c.node_outputs[0]);
  int rounded_up = 0;
  for (std::int64_t i = 0; i < x.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &x.data<float>()[i], sizeof bits);
    const bool nan = std::isnan(x.data<float>()[i]);
    const bool above_half = (bits & 0xFFFFu) > 0x8000u || ((bits & 0xFFFFu) == 0x8000u && (bits & 0x10000u));
    const auto truncated = static_cast<std::uint16_t>(c.truncated[static_cast<std::size_t>(i)]);
    const std::uint16_t got = y.data<std::uint16_t>()[i];
    if (!nan && above_half) {
      EXPECT_EQ(got, truncated + 1) << i;
      ++rounded_up;
    } else {
      EXPECT_EQ(got, truncated) << i;
    }
  }
  EXPECT_EQ(rounded_up, 5);  // of 12 elements
}

// ---- paths the fixtures do not reach -----------------------------------------

TEST(OpsInt8Conv, constant_weights_serve_inputs_of_any_size) {
  // Weights are packed at build time for the declared (symbolic) input; runs
  // with other sizes must give what packing per run gives.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::int8_t> w(4 * 3 * 3 * 3);
  for (auto& v : w) v = static_cast<std::int8_t>(byte(rng) - 128);
  auto make = [&](bool constant) {
    OneNode n{"QLinearConv", 10};
    n.input("x", Tensor(DataType::uint8, {1, 3, 6, 6}))
        .input("sx", Tensor::scalar<float>(0.02f), true)
        .input("zx", Tensor::scalar<std::uint8_t>(120), true)
        .input("w", Tensor::from<std::int8_t>({4, 3, 3, 3}, w), constant)
        .input("sw", Tensor::from<float>({4}, {0.003f, 0.004f, 0.005f, 0.006f}), true)
        .input("zw", Tensor::from<std::int8_t>({4}, {0, 1, -1, 3}), true)
        .input("sy", Tensor::scalar<float>(0.1f), true)
        .input("zy", Tensor::scalar<std::uint8_t>(128), true)
        .input("b", Tensor::from<std::int32_t>({4}, {100, -200, 300, 0}), true)
        .attr_ints("pads", {1, 1, 1, 1})
        .attr_ints("strides", {2, 1});
    return n;
  };
  const std::vector<std::int64_t> symbolic{0, 2, 3};  // batch, height, width
  Session packed_once(make(true).model(&symbolic));
  Session packed_per_run(make(false).model(&symbolic));
  // Only the batch symbolic: the geometry and the convolution's tables are
  // made once at build for 6×6 images and serve every batch size.
  const std::vector<std::int64_t> batch_only{0};
  Session planned_once(make(true).model(&batch_only));
  for (std::int64_t batch : {1, 3, 1}) {
    std::vector<std::uint8_t> x(static_cast<std::size_t>(batch * 3 * 6 * 6));
    for (auto& v : x) v = static_cast<std::uint8_t>(byte(rng));
    std::map<std::string, Tensor> feeds{{"x", Tensor::from<std::uint8_t>({batch, 3, 6, 6}, x)}};
    const Tensor a = planned_once.run(feeds).at("y0");
    feeds["w"] = Tensor::from<std::int8_t>({4, 3, 3, 3}, w);
    const Tensor b = packed_per_run.run(feeds).at("y0");
    EXPECT_EQ(a.shape(), (std::vector<std::int64_t>{batch, 4, 3, 6}));
    EXPECT_EQ(difference(a, b), "") << "batch " << batch;
  }
  for (auto [batch, h, wd] : std::vector<std::array<std::int64_t, 3>>{{1, 6, 6}, {2, 5, 9}, {1, 3, 3}}) {
    std::vector<std::uint8_t> x(static_cast<std::size_t>(batch * 3 * h * wd));
    for (auto& v : x) v = static_cast<std::uint8_t>(byte(rng));
    std::map<std::string, Tensor> feeds{{"x", Tensor::from<std::uint8_t>({batch, 3, h, wd}, x)}};
    const Tensor a = packed_once.run(feeds).at("y0");
    std::map<std::string, Tensor> feeds_w = feeds;
    feeds_w["w"] = Tensor::from<std::int8_t>({4, 3, 3, 3}, w);
    const Tensor b = packed_per_run.run(feeds_w).at("y0");
    EXPECT_EQ(a.shape(), (std::vector<std::int64_t>{batch, 4, (h + 2 - 3) / 2 + 1, wd}));
    EXPECT_EQ(difference(a, b), "") << batch << "x" << h << "x" << wd;
  }
}

TEST(OpsInt8Conv, pointwise_weights_packed_for_any_size_serve_planes_with_a_tail) {
  // A 1×1 convolution over symbolic sizes is packed for a one-pixel plane,
  // which is all tail, so the packed weights carry the matrix-vector copy.
  // Planes ending 1-3 pixels past a whole panel (7×7, 3×9, 2×1, 1×1) use it
  // for 70 channels (three calls: 32 + 32 + 6); 4 (14×14) and 5 (1×13) do
  // not pay, and complete their last panel instead.
  std::mt19937 rng(37);
  std::uniform_int_distribution<int> byte(0, 255);
  constexpr std::int64_t kIn = 5, kOut = 70;
  std::vector<std::int8_t> w(kOut * kIn);
  for (auto& v : w) v = static_cast<std::int8_t>(byte(rng) - 128);
  std::vector<std::int8_t> zw(kOut);
  std::vector<float> sw(kOut);
  std::vector<std::int32_t> bias(kOut);
  for (std::size_t o = 0; o < zw.size(); ++o) {
    zw[o] = static_cast<std::int8_t>(static_cast<int>(o % 7) - 3);
    sw[o] = 0.002f + 0.0003f * static_cast<float>(o);
    bias[o] = static_cast<std::int32_t>(byte(rng) * 17) - 2000;
  }
  auto make = [&](bool constant) {
    OneNode n{"QLinearConv", 10};
    n.input("x", Tensor(DataType::uint8, {1, kIn, 7, 7}))
        .input("sx", Tensor::scalar<float>(0.02f), true)
        .input("zx", Tensor::scalar<std::uint8_t>(131), true)
        .input("w", Tensor::from<std::int8_t>({kOut, kIn, 1, 1}, w), constant)
        .input("sw", Tensor::from<float>({kOut}, sw), true)
        .input("zw", Tensor::from<std::int8_t>({kOut}, zw), true)
        .input("sy", Tensor::scalar<float>(0.05f), true)
        .input("zy", Tensor::scalar<std::int8_t>(-3), true)
        .input("b", Tensor::from<std::int32_t>({kOut}, bias), true);
    return n;
  };
  const std::vector<std::int64_t> symbolic{0, 2, 3};  // batch, height, width
  Session packed_once(make(true).model(&symbolic));
  Session packed_per_run(make(false).model(&symbolic));
  for (auto [batch, h, wd] : std::vector<std::array<std::int64_t, 3>>{
           {1, 7, 7}, {2, 3, 9}, {3, 2, 1}, {1, 1, 1}, {2, 14, 14}, {1, 1, 13}}) {
    std::vector<std::uint8_t> x(static_cast<std::size_t>(batch * kIn * h * wd));
    for (auto& v : x) v = static_cast<std::uint8_t>(byte(rng));
    std::map<std::string, Tensor> feeds{{"x", Tensor::from<std::uint8_t>({batch, kIn, h, wd}, x)}};
    const Tensor a = packed_once.run(feeds).at("y0");
    feeds["w"] = Tensor::from<std::int8_t>({kOut, kIn, 1, 1}, w);
    const Tensor b = packed_per_run.run(feeds).at("y0");
    EXPECT_EQ(a.shape(), (std::vector<std::int64_t>{batch, kOut, h, wd}));
    EXPECT_EQ(difference(a, b), "") << batch << "x" << h << "x" << wd;
  }
}

/// A QLinearConv for the prepacked-versus-generic comparisons below.
struct QConvCase {
  const char* name;
  std::int64_t batch, channels, out_c, group, h, w, kh, kw, sh, sw, dh, dw;
  std::vector<std::int64_t> pads;
  bool u8_in, u8_out;
};

/// Runs `c` with constant weights (packed when the op is built: the NCHW
/// paths, qconv2d_nchw.h / qdwconv2d_nchw.h) and with the weights fed at run
/// time (im2col + GEMM, conv2d_q8); the codes must be the same bit for bit.
/// Per-channel weight zero points and scales, int32 biases.
void expect_prepacked_matches_generic(const QConvCase& c, std::mt19937& rng) {
  SCOPED_TRACE(c.name);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::int64_t cg = c.channels / c.group;
  const std::vector<std::int64_t> w_shape{c.out_c, cg, c.kh, c.kw};
  std::vector<std::int8_t> w(static_cast<std::size_t>(c.out_c * cg * c.kh * c.kw));
  for (auto& v : w) v = static_cast<std::int8_t>(byte(rng) - 128);
  std::vector<std::int8_t> zw(static_cast<std::size_t>(c.out_c));
  std::vector<float> sw(static_cast<std::size_t>(c.out_c));
  std::vector<std::int32_t> bias(static_cast<std::size_t>(c.out_c));
  for (std::size_t o = 0; o < zw.size(); ++o) {
    zw[o] = static_cast<std::int8_t>(static_cast<int>(o % 5) - 2);
    sw[o] = 0.001f + 0.0005f * static_cast<float>(o);
    bias[o] = static_cast<std::int32_t>(byte(rng) * 39) - 4500;
  }
  const DataType x_type = c.u8_in ? DataType::uint8 : DataType::int8;
  const DataType y_type = c.u8_out ? DataType::uint8 : DataType::int8;
  Tensor xt(x_type, {c.batch, c.channels, c.h, c.w});
  auto* xb = static_cast<std::uint8_t*>(xt.bytes());
  for (std::int64_t i = 0; i < xt.size(); ++i) xb[i] = static_cast<std::uint8_t>(byte(rng));
  auto code = [](DataType t, int v) {
    return t == DataType::uint8 ? Tensor::scalar<std::uint8_t>(static_cast<std::uint8_t>(v))
                                : Tensor::scalar<std::int8_t>(static_cast<std::int8_t>(v - 128));
  };
  auto make = [&](bool constant) {
    OneNode n{"QLinearConv", 10};
    n.input("x", xt)
        .input("sx", Tensor::scalar<float>(0.02f), true)
        .input("zx", code(x_type, 121), true)
        .input("w", Tensor::from<std::int8_t>(w_shape, w), constant)
        .input("sw", Tensor::from<float>({c.out_c}, sw), true)
        .input("zw", Tensor::from<std::int8_t>({c.out_c}, zw), true)
        .input("sy", Tensor::scalar<float>(0.06f), true)
        .input("zy", code(y_type, 127), true)
        .input("b", Tensor::from<std::int32_t>({c.out_c}, bias), true)
        .attr_int("group", c.group)
        .attr_ints("kernel_shape", {c.kh, c.kw})
        .attr_ints("strides", {c.sh, c.sw})
        .attr_ints("dilations", {c.dh, c.dw})
        .attr_ints("pads", c.pads);
    return n;
  };
  Session prepacked(make(true).model());
  Session generic(make(false).model());
  std::map<std::string, Tensor> feeds{{"x", xt}};
  const Tensor a = prepacked.run(feeds).at("y0");
  feeds["w"] = Tensor::from<std::int8_t>(w_shape, w);
  const Tensor b = generic.run(feeds).at("y0");
  EXPECT_EQ(a.shape(), b.shape());
  EXPECT_EQ(difference(a, b), "");
}

TEST(OpsInt8Conv, one_input_channel_per_group_matches_the_generic_path) {
  // Depthwise layers (channel multipliers 1-7) and one-channel stems run on
  // the NCHW plane kernels (qdwconv2d_nchw.h): strides 1-3 (3: the scalar
  // rows), dilation, 1×1 to 5×5, widths 1 to 28, narrow planes.
  std::mt19937 rng(29);
  for (const QConvCase& c : std::vector<QConvCase>{
           {"dw3x3_s1_14", 2, 5, 5, 5, 14, 14, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, true},
           {"dw3x3_s2_odd", 1, 3, 3, 3, 9, 9, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, false, false},
           {"multiplier3", 2, 2, 6, 2, 7, 11, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, false},
           {"stem_28", 1, 1, 7, 1, 28, 28, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, true},
           {"stem_s2", 3, 1, 4, 1, 13, 17, 3, 3, 2, 2, 1, 1, {1, 0, 1, 1}, true, true},
           {"dw5x5_dilation2", 1, 4, 4, 4, 12, 10, 5, 5, 1, 1, 2, 2, {4, 4, 4, 4}, true, true},
           {"dw1x3_odd_taps", 1, 3, 6, 3, 5, 19, 1, 3, 1, 1, 1, 1, {0, 1, 0, 1}, false, true},
           {"dw1x1", 2, 6, 6, 6, 3, 9, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, true, true},
           {"stride3_scalar_rows", 1, 3, 3, 3, 11, 23, 3, 3, 3, 3, 1, 1, {1, 1, 1, 1}, true, false},
           {"width1", 2, 4, 4, 4, 6, 1, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, false},
           {"width3_3rows", 1, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, true},
           {"stride_2_1", 1, 3, 3, 3, 8, 21, 3, 3, 2, 1, 1, 1, {1, 2, 0, 1}, true, true},
       })
    expect_prepacked_matches_generic(c, rng);
}

TEST(OpsInt8Conv, weights_stationary_nchw_matches_the_generic_path) {
  // Other convolutions with constant weights run weights-stationary on NCHW
  // (qconv2d_nchw.h: fused GEMM + requantization tiles writing codes): output
  // channels 1..10 (tiles of 1 to 4 rows), rows narrower and wider than a
  // panel, flat 1×1 planes not a multiple of 8, strides, groups.
  std::mt19937 rng(31);
  for (const QConvCase& c : std::vector<QConvCase>{
           {"3x3_14_wide", 2, 16, 9, 1, 14, 14, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, true},
           {"3x3_7_wide_int8", 1, 5, 6, 1, 7, 7, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, false},
           {"3x3_width_1", 2, 3, 7, 1, 5, 1, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, false},
           {"3x3_width_17_stride2", 1, 4, 5, 1, 9, 33, 3, 3, 2, 2, 1, 1, {1, 0, 1, 2}, false, true},
           {"1x1_flat_49", 3, 24, 10, 1, 7, 7, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, true, true},
           {"1x1_flat_3", 2, 9, 4, 1, 1, 3, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, false, false},
           {"5x5_groups2", 1, 6, 8, 2, 11, 10, 5, 5, 1, 1, 1, 1, {2, 2, 2, 2}, true, true},
           {"one_output_channel", 1, 7, 1, 1, 6, 9, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, true},
           // Panels crossing output rows (stride 1, rows of 8+ pixels that
           // panels would pad): rows of 28, 11, 13 and 18, dilation, groups,
           // a last panel running past the plane.
           {"crossing_28", 1, 3, 5, 1, 28, 28, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, false},
           {"crossing_9x11_int8", 2, 5, 6, 1, 9, 11, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, false},
           {"crossing_dilation2", 1, 4, 7, 1, 12, 13, 3, 3, 1, 1, 2, 2, {2, 2, 2, 2}, true, true},
           {"crossing_5x3_unpadded", 2, 3, 9, 1, 10, 20, 5, 3, 1, 1, 1, 1, {0, 0, 0, 0}, false, true},
           {"crossing_groups2", 1, 6, 4, 2, 10, 10, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, true},
           {"crossing_uneven_pads", 3, 2, 3, 1, 7, 12, 3, 3, 1, 1, 1, 1, {0, 2, 1, 0}, true, false},
           {"rows_of_8_do_not_cross", 1, 4, 4, 1, 8, 8, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, true},
           // Planes ending a few pixels past a whole panel compute those one
           // at a time where that pays (tail_pays; 7×7 above, 1 of 6
           // channels, and flat_49): rows of 7 crossing with 3 left, 14×14's
           // 4 in two groups of 64, more output channels than one
           // matrix-vector call takes; ends that stay panels (flat_3 and
           // 14×14 above: too few channels; 5 and 7 left).
           {"rows_of_7_tail_3", 2, 4, 64, 1, 5, 7, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, false},
           {"tail_4_groups2", 1, 8, 128, 2, 14, 14, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, false},
           {"tail_40_output_channels", 1, 3, 40, 1, 7, 7, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, true},
           {"1x1_flat_13_no_tail", 2, 5, 6, 1, 1, 13, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, true, false},
           {"one_row_of_7_no_tail", 1, 3, 4, 1, 1, 7, 1, 3, 1, 1, 1, 1, {0, 1, 0, 1}, false, false},
       })
    expect_prepacked_matches_generic(c, rng);
}

TEST(OpsInt8MatMul, uint8_weights_over_the_usual_zero_points_match_the_int64_loop) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::int64_t m = 19, k = 131, n = 37;
  std::vector<std::uint8_t> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
  for (auto& v : a) v = static_cast<std::uint8_t>(byte(rng));
  for (auto& v : b) v = static_cast<std::uint8_t>(byte(rng));
  for (int za : {0, 18, 75, 128, 157, 231, 255}) {
    const int zb = 255 - za;
    OneNode node{"MatMulInteger", 10};
    node.input("a", Tensor::from<std::uint8_t>({m, k}, a))
        .input("b", Tensor::from<std::uint8_t>({k, n}, b), true)
        .input("za", Tensor::scalar<std::uint8_t>(static_cast<std::uint8_t>(za)), true)
        .input("zb", Tensor::scalar<std::uint8_t>(static_cast<std::uint8_t>(zb)), true);
    const Tensor y = node.run()[0];
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        std::int64_t want = 0;
        for (std::int64_t p = 0; p < k; ++p) want += (a[i * k + p] - za) * (b[p * n + j] - zb);
        ASSERT_EQ(y.data<std::int32_t>()[i * n + j], want) << "za " << za << " at " << i << "," << j;
      }
  }
}

TEST(OpsInt8MatMul, empty_depth_gives_zeros_and_the_output_zero_point) {
  OneNode n{"QLinearMatMul", 10};
  n.input("a", Tensor(DataType::uint8, {2, 0}))
      .input("sa", Tensor::scalar<float>(0.1f), true)
      .input("za", Tensor::scalar<std::uint8_t>(3), true)
      .input("b", Tensor(DataType::int8, {0, 3}), true)
      .input("sb", Tensor::scalar<float>(0.1f), true)
      .input("zb", Tensor::scalar<std::int8_t>(0), true)
      .input("sy", Tensor::scalar<float>(0.5f), true)
      .input("zy", Tensor::scalar<std::int8_t>(-4), true);
  EXPECT_EQ(n.run()[0].to_int64(), std::vector<std::int64_t>(6, -4));
}

TEST(OpsInt8Cast, castlike_takes_the_type_of_its_second_input) {
  OneNode n{"CastLike", 15};
  n.input("x", Tensor::from<float>({3}, {-1.5f, 2.9f, 300.0f})).input("like", Tensor(DataType::uint8, {1}), true);
  const Tensor y = n.run()[0];
  EXPECT_EQ(y.type(), DataType::uint8);
  EXPECT_EQ(y.to_int64(), (std::vector<std::int64_t>{0, 2, 255}));
}

TEST(OpsInt8Cast, int64_shape_values_to_float_and_back) {
  // Cast sits in shape subgraphs, which the executor folds at load time.
  OneNode n{"Cast"};
  n.input("x", Tensor::from<std::int64_t>({}, {7}), true).attr_int("to", 1);
  const Tensor y = n.run()[0];
  EXPECT_EQ(y.type(), DataType::float32);
  EXPECT_TRUE(y.shape().empty());
  EXPECT_EQ(y.data<float>()[0], 7.0f);
}

}  // namespace
}  // namespace quantlab::model
