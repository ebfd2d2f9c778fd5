// The executor: op checks before running, topological order, shape inference,
// constant folding of PyTorch's shape chains, input validation, observers.
#include <gtest/gtest.h>

#include <algorithm>

#include "quantlab/error.h"
#include "quantlab/model/session.h"

namespace quantlab::model {
namespace {

Node node(std::string op, std::vector<std::string> in, std::vector<std::string> out, std::string name = "") {
  Node n;
  n.op_type = std::move(op);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.name = std::move(name);
  return n;
}

ValueInfo value(std::string name, DataType type, std::vector<Dim> dims) {
  ValueInfo v;
  v.name = std::move(name);
  v.type = type;
  v.has_shape = true;
  v.dims = std::move(dims);
  return v;
}

Attribute int_attr(std::string name, std::int64_t v) {
  Attribute a;
  a.name = std::move(name);
  a.kind = Attribute::Kind::int_;
  a.i = v;
  return a;
}

Model base(int opset = 13) {
  Model m;
  m.opsets = {{"", opset}};
  return m;
}

// y = relu(x + b), x: batch×3
Model add_relu() {
  Model m = base();
  m.graph.inputs = {value("x", DataType::float32, {{-1, "batch"}, {3, ""}})};
  m.graph.outputs = {value("y", DataType::float32, {{-1, "batch"}, {3, ""}})};
  m.graph.initializers["b"] = Tensor::from<float>({3}, {1, -2, 3});
  m.graph.nodes = {node("Add", {"x", "b"}, {"s"}, "add"), node("Relu", {"s"}, {"y"}, "relu")};
  return m;
}

TEST(ModelSession, RunsAndReportsNodes) {
  const Session s(add_relu());
  ASSERT_EQ(s.inputs().size(), 1u);
  EXPECT_EQ(s.parameter_count(), 3);
  ASSERT_EQ(s.nodes().size(), 2u);
  EXPECT_EQ(s.nodes()[0].op_type, "Add");
  EXPECT_EQ(s.nodes()[0].parameters, 3);
  EXPECT_EQ(s.nodes()[0].output_shapes[0], (std::vector<std::int64_t>{1, 3}));  // batch 1 for display
  const auto out = s.run({{"x", Tensor::from<float>({2, 3}, {0, 0, 0, 1, 1, -5})}});
  const Tensor& y = out.at("y");
  EXPECT_EQ(y.shape(), (std::vector<std::int64_t>{2, 3}));
  const float* p = y.data<float>();
  const float want[] = {1, 0, 3, 2, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(p[i], want[i]) << i;
}

TEST(ModelSession, ObserverSeesEveryNodeInOrder) {
  const Session s(add_relu());
  std::vector<std::string> seen;
  s.run({{"x", Tensor::from<float>({1, 3}, {1, 2, 3})}},
        [&](const NodeInfo& n, const std::vector<const Tensor*>& outs) {
          seen.push_back(n.op_type);
          EXPECT_EQ(outs.size(), 1u);
        });
  EXPECT_EQ(seen, (std::vector<std::string>{"Add", "Relu"}));
}

TEST(ModelSession, UnsortedNodesRunInDependencyOrder) {
  Model m = add_relu();
  std::swap(m.graph.nodes[0], m.graph.nodes[1]);
  const Session s(std::move(m));
  const auto out = s.run({{"x", Tensor::from<float>({1, 3}, {0, 0, 0})}});
  EXPECT_EQ(out.at("y").data<float>()[0], 1.0f);
}

TEST(ModelSession, ListsEveryUnsupportedOpBeforeRunning) {
  Model m = add_relu();
  m.graph.nodes.push_back(node("LSTM", {"y"}, {"z"}, "lstm1"));
  m.graph.nodes.push_back(node("LSTM", {"z"}, {"w"}, "lstm2"));
  m.graph.nodes.push_back(node("NonMaxSuppression", {"w"}, {"v"}));
  try {
    Session s(std::move(m));
    FAIL() << "expected Unsupported";
  } catch (const Unsupported& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("LSTM (nodes 'lstm1', 'lstm2')"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NonMaxSuppression (node #4)"), std::string::npos) << msg;
  }
}

TEST(ModelSession, RefusesMalformedGraphs) {
  {
    Model m = add_relu();
    m.graph.nodes[1].inputs = {"nowhere"};
    EXPECT_THROW(Session(std::move(m)), InvalidArgument);
  }
  {
    Model m = add_relu();
    m.graph.nodes[0].inputs = {"y", "b"};  // add needs relu's output: a cycle
    EXPECT_THROW(Session(std::move(m)), InvalidArgument);
  }
  {
    Model m = add_relu();
    m.graph.nodes.push_back(node("Relu", {"x"}, {"s"}));  // 's' produced twice
    EXPECT_THROW(Session(std::move(m)), InvalidArgument);
  }
  {
    Model m = add_relu();
    m.opsets.clear();
    EXPECT_THROW(Session(std::move(m)), InvalidArgument);
  }
  {
    Model m = add_relu();
    m.graph.outputs[0].name = "missing";
    EXPECT_THROW(Session(std::move(m)), InvalidArgument);
  }
}

TEST(ModelSession, ChecksInputsByName) {
  const Session s(add_relu());
  auto message = [&](std::map<std::string, Tensor> feeds) {
    try {
      s.run(feeds);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({}), "input 'x' is missing");
  EXPECT_EQ(message({{"x", Tensor::from<float>({3}, {1, 2, 3})}}), "input 'x' must have shape batch\u00d73, got 3");
  EXPECT_EQ(message({{"x", Tensor::from<float>({1, 4}, {1, 2, 3, 4})}}), "input 'x' must have shape batch\u00d73, got 1\u00d74");
  EXPECT_EQ(message({{"x", Tensor::from<std::int64_t>({1, 3}, {1, 2, 3})}}), "input 'x' must be float, got int64");
  EXPECT_EQ(message({{"x", Tensor::from<float>({1, 3}, {1, 2, 3})}, {"extra", Tensor::scalar<float>(1)}}),
            "the model has no input 'extra'");
  // Still usable after errors.
  EXPECT_NO_THROW(s.run({{"x", Tensor::from<float>({4, 3}, std::vector<float>(12, 1.0f))}}));
}

TEST(ModelSession, SymbolicDimsMustAgreeAcrossInputs) {
  Model m = base();
  m.graph.inputs = {value("a", DataType::float32, {{-1, "n"}}), value("b", DataType::float32, {{-1, "n"}})};
  m.graph.outputs = {value("c", DataType::float32, {{-1, "n"}})};
  m.graph.nodes = {node("Add", {"a", "b"}, {"c"})};
  const Session s(std::move(m));
  EXPECT_THROW(s.run({{"a", Tensor::from<float>({2}, {1, 2})}, {"b", Tensor::from<float>({1}, {1})}}), InvalidArgument);
  EXPECT_NO_THROW(s.run({{"a", Tensor::from<float>({2}, {1, 2})}, {"b", Tensor::from<float>({2}, {1, 1})}}));
}

// PyTorch's x.view(x.size(0), -1): Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape.
Model pytorch_flatten() {
  Model m = base();
  m.graph.inputs = {value("x", DataType::float32, {{-1, "batch"}, {2, ""}, {3, ""}})};
  m.graph.outputs = {value("y", DataType::float32, {})};
  m.graph.outputs[0].has_shape = false;
  m.graph.initializers["zero"] = Tensor::scalar<std::int64_t>(0);
  m.graph.initializers["minus_one"] = Tensor::from<std::int64_t>({1}, {-1});
  Node gather = node("Gather", {"shape", "zero"}, {"n"});
  gather.attributes.push_back(int_attr("axis", 0));
  Node unsq = node("Unsqueeze", {"n", "axes"}, {"n1"});
  m.graph.initializers["axes"] = Tensor::from<std::int64_t>({1}, {0});
  Node concat = node("Concat", {"n1", "minus_one"}, {"target"});
  concat.attributes.push_back(int_attr("axis", 0));
  m.graph.nodes = {node("Shape", {"x"}, {"shape"}), gather, unsq, concat, node("Reshape", {"x", "target"}, {"y"})};
  return m;
}

TEST(ModelSession, FoldsShapeChainsWhenShapesAreKnown) {
  const Session s(pytorch_flatten());
  // With a symbolic batch the chain must run; for display (batch 1) it is folded.
  EXPECT_FALSE(s.nodes()[0].folded);
  EXPECT_EQ(s.nodes()[4].output_shapes[0], (std::vector<std::int64_t>{1, 6}));
  const auto out = s.run({{"x", Tensor::from<float>({2, 2, 3}, std::vector<float>(12, 1.0f))}});
  EXPECT_EQ(out.at("y").shape(), (std::vector<std::int64_t>{2, 6}));
  const ShapeReport r = s.infer_shapes({{"x", {5, 2, 3}}});
  EXPECT_EQ(r.shapes.at("y"), (std::vector<std::int64_t>{5, 6}));
  EXPECT_THROW(s.infer_shapes({{"nope", {1}}}), InvalidArgument);
}

TEST(ModelSession, FoldsFullyConstantSubgraphsAtLoad) {
  Model m = pytorch_flatten();
  m.graph.inputs[0].dims[0] = {4, ""};
  const Session s(std::move(m));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(s.nodes()[i].folded) << i;
  EXPECT_FALSE(s.nodes()[4].folded);
  EXPECT_EQ(s.nodes()[4].output_shapes[0], (std::vector<std::int64_t>{4, 6}));
}

TEST(ModelSession, InitializerListedAsInputIsNotAnInput) {
  Model m = add_relu();
  m.ir_version = 3;
  m.graph.inputs.push_back(value("b", DataType::float32, {{3, ""}}));
  const Session s(std::move(m));
  EXPECT_EQ(s.inputs().size(), 1u);
}

TEST(ModelSession, SupportedOpsListIsSorted) {
  const auto ops = supported_ops();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_NE(std::find(ops.begin(), ops.end(), "Conv"), ops.end());
  EXPECT_NE(std::find(ops.begin(), ops.end(), "QLinearConv"), ops.end());
}

}  // namespace
}  // namespace quantlab::model
