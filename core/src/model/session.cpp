// The executor: validation, shape inference, constant folding, kernel
// building and the run loop. Ops only see their own node (model/ops/op.h).
#include "quantlab/model/session.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "model/ops/op.h"
#include "model/qdq_fusion.h"
#include "quantlab/error.h"

namespace quantlab::model {

namespace {

std::string value_label(const std::string& name) { return "'" + name + "'"; }

std::string node_label(const Node& node, std::size_t index) {
  return node.name.empty() ? node.op_type + " #" + std::to_string(index) : node.label();
}

TypeShape declared_type(const ValueInfo& info, const std::vector<std::int64_t>* concrete) {
  TypeShape ts;
  ts.type = info.type;
  if (concrete) {
    ts.rank_known = true;
    ts.shape = *concrete;
    return ts;
  }
  ts.rank_known = info.has_shape;
  for (const Dim& d : info.dims) ts.shape.push_back(d.value >= 0 ? d.value : -1);
  return ts;
}

/// Order in which nodes can run (ONNX files are usually sorted, but not always).
std::vector<std::size_t> topological_order(const std::vector<Node>& nodes, const std::set<std::string>& available_at_start) {
  std::map<std::string, std::size_t> producer;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& out : nodes[i].outputs) {
      if (out.empty()) continue;
      if (available_at_start.count(out))
        throw InvalidArgument(node_label(nodes[i], i) + ": output " + value_label(out) +
                              " has the name of a graph input or initializer");
      if (!producer.emplace(out, i).second)
        throw InvalidArgument("value " + value_label(out) + " is produced by two nodes (" +
                              node_label(nodes[producer[out]], producer[out]) + " and " +
                              node_label(nodes[i], i) + ")");
    }
  std::vector<std::size_t> pending(nodes.size(), 0);
  std::vector<std::vector<std::size_t>> consumers(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::set<std::size_t> deps;
    for (const std::string& in : nodes[i].inputs) {
      if (in.empty() || available_at_start.count(in)) continue;
      auto p = producer.find(in);
      if (p == producer.end())
        throw InvalidArgument(node_label(nodes[i], i) + ": input " + value_label(in) +
                              " is not a graph input, an initializer or the output of any node");
      deps.insert(p->second);
    }
    pending[i] = deps.size();
    for (std::size_t d : deps) consumers[d].push_back(i);
  }
  // Kahn's algorithm, always taking the lowest ready index so sorted files keep their order.
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (std::size_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes.size()) throw InvalidArgument("the graph has a cycle");
  return order;
}

std::int64_t known_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= std::max<std::int64_t>(d, 1);
  return n;
}

/// Operations for one run of the node at the inferred shapes (2 per multiply-add).
std::int64_t estimate_flops(const Node& node, const std::vector<const TypeShape*>& in, const std::vector<TypeShape>& out) {
  if (out.empty() || !out[0].rank_known) return 0;
  const std::int64_t out_elems = known_count(out[0].shape);
  const std::string& op = node.op_type;
  auto shape_of = [&](std::size_t i) -> const std::vector<std::int64_t>* {
    return i < in.size() && in[i] && in[i]->rank_known ? &in[i]->shape : nullptr;
  };
  if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv" || op == "QLinearConvAct") {
    const auto* w = shape_of(op == "QLinearConv" || op == "QLinearConvAct" ? 3 : 1);
    if (!w || w->size() < 2) return out_elems;
    std::int64_t per_output = 1;
    for (std::size_t i = 1; i < w->size(); ++i) per_output *= std::max<std::int64_t>((*w)[i], 1);
    return 2 * out_elems * per_output;
  }
  if (op == "Gemm" || op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul" || op == "QLinearGemmAct") {
    const auto* a = shape_of(0);
    if (!a || a->empty()) return out_elems;
    std::int64_t k = a->back();
    if (op == "Gemm" && node.get_int("transA", 0) && a->size() == 2) k = (*a)[0];
    return 2 * out_elems * std::max<std::int64_t>(k, 1);
  }
  return out_elems;
}

}  // namespace

// ---------------------------------------------------------------------------

struct Session::Impl {
  struct Step {
    std::size_t node = 0;                  // index into nodes()
    std::unique_ptr<Kernel> kernel;
    std::vector<int> in_slots;             // -1 for an absent optional input
    std::vector<int> out_slots;            // -1 for an unused optional output
    std::vector<int> release;              // slots whose last reader is this step
  };

  struct Inferred {
    std::map<std::string, TypeShape> values;
    std::map<std::string, Tensor> folded;  // constant values computed at load time
    std::vector<bool> node_folded;
    std::vector<std::vector<TypeShape>> node_outputs;
    std::vector<std::vector<const TypeShape*>> node_inputs;
  };

  Model model;
  SessionOptions options;
  QdqFusion fusion;    // the executed node list when `fused`
  bool fused = false;
  std::vector<ValueInfo> inputs;
  std::vector<std::size_t> order;
  std::vector<NodeInfo> infos;
  std::int64_t parameters = 0;
  Inferred inferred;  // with the declared input shapes; owns the folded constants
  std::vector<std::string> slot_names;
  std::vector<const Tensor*> slot_constant;  // initializers and folded values
  std::vector<int> input_slots;
  std::vector<int> output_slots;
  std::vector<Step> steps;

  /// The nodes to execute: the model's, or the QDQ rewrite's.
  const std::vector<Node>& nodes() const { return fused ? fusion.nodes : model.graph.nodes; }
  /// An initializer of the model or one the rewrite added; null when `name` is neither.
  const Tensor* initializer(const std::string& name) const {
    if (auto c = model.graph.initializers.find(name); c != model.graph.initializers.end()) return &c->second;
    if (auto c = fusion.initializers.find(name); c != fusion.initializers.end()) return &c->second;
    return nullptr;
  }
  /// The opset of `domain`; the private fused ops are version 1.
  std::int64_t opset(const std::string& domain) const { return domain == kPrivateDomain ? 1 : model.opset(domain); }

  void check_ops() const;
  void infer(Inferred& r, const std::map<std::string, TypeShape>& input_types, bool keep_node_types) const;
  std::map<std::string, TypeShape> input_types(const std::map<std::string, std::vector<std::int64_t>>* concrete) const;
  void build_steps();
  void describe_nodes();
};

void Session::Impl::check_ops() const {
  // Every missing op at once, each with the nodes that use it.
  std::map<std::string, std::vector<std::string>> missing;
  std::vector<std::string> too_old;
  for (std::size_t i = 0; i < model.graph.nodes.size(); ++i) {
    const Node& n = model.graph.nodes[i];
    // The private fused ops are made by the QDQ rewrite only, never read from files.
    const OpDef* op = n.domain == kPrivateDomain ? nullptr : find_op(n.domain, n.op_type);
    const std::string qualified = n.domain.empty() || n.domain == "ai.onnx" ? n.op_type : n.domain + "." + n.op_type;
    if (!op) {
      missing[qualified].push_back(n.name.empty() ? "#" + std::to_string(i) : "'" + n.name + "'");
      continue;
    }
    const std::int64_t opset = model.opset(n.domain);
    if (opset <= 0)
      throw InvalidArgument("node " + node_label(n, i) + " uses domain '" + n.domain +
                            "' but the model imports no opset for it");
    if (opset < op->min_opset)
      too_old.push_back(qualified + " of opset " + std::to_string(opset) + " (node " + node_label(n, i) +
                        "; quantlab implements it from opset " + std::to_string(op->min_opset) + ")");
  }
  if (missing.empty() && too_old.empty()) return;
  std::ostringstream msg;
  if (!missing.empty()) {
    msg << "unsupported operator" << (missing.size() > 1 ? "s" : "") << ": ";
    bool first = true;
    for (const auto& [op, nodes] : missing) {
      msg << (first ? "" : "; ") << op << " (node" << (nodes.size() > 1 ? "s " : " ");
      for (std::size_t k = 0; k < nodes.size() && k < 5; ++k) msg << (k ? ", " : "") << nodes[k];
      if (nodes.size() > 5) msg << " and " << nodes.size() - 5 << " more";
      msg << ")";
      first = false;
    }
  }
  for (std::size_t k = 0; k < too_old.size(); ++k)
    msg << (missing.empty() && k == 0 ? "" : "; ") << "unsupported opset: " << too_old[k];
  throw Unsupported(msg.str());
}

std::map<std::string, TypeShape> Session::Impl::input_types(
    const std::map<std::string, std::vector<std::int64_t>>* concrete) const {
  std::map<std::string, TypeShape> types;
  for (const ValueInfo& in : inputs) {
    std::vector<std::int64_t> shape;
    const std::vector<std::int64_t>* given = nullptr;
    if (concrete) {
      auto it = concrete->find(in.name);
      if (it != concrete->end()) {
        given = &it->second;
      } else if (in.has_shape) {
        for (const Dim& d : in.dims) shape.push_back(d.value >= 0 ? d.value : 1);
        given = &shape;
      }
    }
    types[in.name] = declared_type(in, given);
  }
  return types;
}

void Session::Impl::infer(Inferred& r, const std::map<std::string, TypeShape>& in_types, bool keep) const {
  const Graph& g = model.graph;
  const std::vector<Node>& all = nodes();
  for (const auto& [name, t] : g.initializers) r.values[name] = TypeShape::of(t);
  for (const auto& [name, t] : fusion.initializers) r.values[name] = TypeShape::of(t);
  for (const auto& [name, t] : in_types) r.values[name] = t;
  r.node_folded.assign(all.size(), false);
  if (keep) {
    r.node_outputs.assign(all.size(), {});
    r.node_inputs.assign(all.size(), {});
  }
  for (std::size_t idx : order) {
    const Node& node = all[idx];
    const OpDef* op = find_op(node.domain, node.op_type);
    InferContext ctx{node, opset(node.domain), {}, {}};
    bool all_constant = true;
    for (const std::string& name : node.inputs) {
      if (name.empty()) {
        ctx.inputs.push_back(nullptr);
        continue;
      }
      const TypeShape& ts = r.values.at(name);
      ctx.inputs.push_back(&ts);
      all_constant = all_constant && ts.value != nullptr;
    }
    ctx.outputs.resize(node.outputs.size());
    try {
      op->infer(ctx);
    } catch (const Unsupported&) {
      throw;
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind(node.label(), 0) == 0) throw;
      throw InvalidArgument(node_label(node, idx) + ": " + what);
    }
    // Shape of an input whose shape is fully known is a constant: this folds
    // PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains.
    const bool shape_known = node.op_type == "Shape" && ctx.inputs.size() == 1 && ctx.inputs[0] &&
                             ctx.inputs[0]->fully_known() && node.domain.empty();
    if (shape_known && !all_constant) {
      const auto& s = ctx.inputs[0]->shape;
      const auto rank = static_cast<std::int64_t>(s.size());
      auto clampi = [&](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? v + rank : v, 0, rank); };
      const std::int64_t start = clampi(node.get_int("start", 0)), end = clampi(node.get_int("end", rank));
      std::vector<std::int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
      Tensor& value = r.folded[node.outputs[0]] = Tensor::from<std::int64_t>({static_cast<std::int64_t>(dims.size())}, dims);
      ctx.outputs[0] = TypeShape::of(value);
      r.node_folded[idx] = true;
    } else if (all_constant) {
      BuildContext bctx{node, ctx.opset, ctx.inputs};
      std::unique_ptr<Kernel> kernel = op->build(bctx);
      RunContext run{node, {}, {}};
      for (const TypeShape* t : ctx.inputs) run.inputs.push_back(t ? t->value : nullptr);
      run.outputs.resize(node.outputs.size());
      kernel->run(run);
      for (std::size_t o = 0; o < node.outputs.size(); ++o) {
        if (node.outputs[o].empty()) continue;
        Tensor& value = r.folded[node.outputs[o]] = std::move(run.outputs[o]);
        ctx.outputs[o] = TypeShape::of(value);
      }
      r.node_folded[idx] = true;
    }
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      if (node.outputs[o].empty()) continue;
      if (ctx.outputs[o].type == DataType::undefined)
        throw InvalidArgument(node_label(node, idx) + ": the type of output " + value_label(node.outputs[o]) +
                              " could not be inferred");
      r.values[node.outputs[o]] = ctx.outputs[o];
    }
    if (keep) {
      r.node_outputs[idx] = ctx.outputs;
      r.node_inputs[idx] = ctx.inputs;
    }
  }
  for (const ValueInfo& out : g.outputs)
    if (!r.values.count(out.name))
      throw InvalidArgument("graph output " + value_label(out.name) + " is not produced by any node");
}

void Session::Impl::build_steps() {
  const Graph& g = model.graph;
  const std::vector<Node>& all = nodes();
  std::map<std::string, int> slot;
  auto slot_of = [&](const std::string& name) {
    auto [it, added] = slot.emplace(name, static_cast<int>(slot_names.size()));
    if (added) {
      slot_names.push_back(name);
      const Tensor* constant = nullptr;
      if (auto f = inferred.folded.find(name); f != inferred.folded.end()) constant = &f->second;
      else constant = initializer(name);
      slot_constant.push_back(constant);
    }
    return it->second;
  };
  for (const ValueInfo& in : inputs) input_slots.push_back(slot_of(in.name));
  // Build every node before reporting, so one message lists every unsupported attribute.
  std::vector<std::string> refused;
  for (std::size_t idx : order) {
    if (inferred.node_folded[idx]) continue;
    const Node& node = all[idx];
    const OpDef* op = find_op(node.domain, node.op_type);
    Step step;
    step.node = idx;
    BuildContext ctx{node, opset(node.domain), {}};
    for (const std::string& name : node.inputs) {
      ctx.inputs.push_back(name.empty() ? nullptr : &inferred.values.at(name));
      step.in_slots.push_back(name.empty() ? -1 : slot_of(name));
    }
    for (const std::string& name : node.outputs) step.out_slots.push_back(name.empty() ? -1 : slot_of(name));
    try {
      step.kernel = op->build(ctx);
    } catch (const Unsupported& e) {
      refused.push_back(e.what());
      continue;
    }
    steps.push_back(std::move(step));
  }
  if (!refused.empty()) {
    std::string msg = refused[0];
    for (std::size_t i = 1; i < refused.size() && i < 8; ++i) msg += "; " + refused[i];
    if (refused.size() > 8) msg += "; and " + std::to_string(refused.size() - 8) + " more";
    throw Unsupported(msg);
  }
  for (const ValueInfo& out : g.outputs) output_slots.push_back(slot_of(out.name));
  // Release each intermediate after its last reader; graph outputs are kept.
  std::vector<int> last_use(slot_names.size(), -1);
  for (std::size_t s = 0; s < steps.size(); ++s)
    for (int in : steps[s].in_slots)
      if (in >= 0) last_use[in] = static_cast<int>(s);
  std::set<int> keep(output_slots.begin(), output_slots.end());
  for (std::size_t v = 0; v < slot_names.size(); ++v)
    if (last_use[v] >= 0 && !slot_constant[v] && !keep.count(static_cast<int>(v)))
      steps[last_use[v]].release.push_back(static_cast<int>(v));
}

void Session::Impl::describe_nodes() {
  // Shapes at batch 1 (symbolic dims become 1): concrete numbers for display and FLOPs.
  const std::map<std::string, std::vector<std::int64_t>> none;
  Inferred at_one;
  infer(at_one, input_types(&none), true);
  const std::vector<Node>& all = nodes();
  infos.resize(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Node& n = all[i];
    NodeInfo& info = infos[i];
    info.index = i;
    info.name = n.name;
    info.op_type = n.op_type;
    info.domain = n.domain;
    if (fused) info.fused_from = fusion.fused_from[i];
    info.inputs = n.inputs;
    info.outputs = n.outputs;
    info.folded = inferred.node_folded[i];
    for (const TypeShape& t : at_one.node_outputs[i]) {
      info.output_types.push_back(t.type);
      info.output_shapes.push_back(t.shape);
      info.output_rank_known = info.output_rank_known && t.rank_known;
    }
    for (const std::string& in : n.inputs)
      if (const Tensor* c = in.empty() ? nullptr : initializer(in)) info.parameters += c->size();
    info.flops = info.folded ? 0 : estimate_flops(n, at_one.node_inputs[i], at_one.node_outputs[i]);
  }
}

// ---------------------------------------------------------------------------

Session::Session(Model model) : Session(std::move(model), SessionOptions{}) {}

Session::Session(Model model, SessionOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.model = std::move(model);
  m.options = options;
  const Graph& g = m.model.graph;
  if (g.outputs.empty()) throw InvalidArgument("the graph has no outputs");
  std::set<std::string> available;
  for (const auto& [name, t] : g.initializers) {
    available.insert(name);
    m.parameters += t.size();
  }
  std::set<std::string> seen_inputs;
  for (const ValueInfo& in : g.inputs) {
    if (g.initializers.count(in.name)) continue;  // IR < 4 lists initializers as inputs
    if (!seen_inputs.insert(in.name).second) throw InvalidArgument("graph input " + value_label(in.name) + " is listed twice");
    if (in.type == DataType::undefined || element_size(in.type) == 0)
      throw Unsupported("graph input " + value_label(in.name) + " has type " + type_name(in.type) +
                        "; quantlab runs numeric tensors only");
    m.inputs.push_back(in);
    available.insert(in.name);
  }
  m.check_ops();
  m.order = topological_order(g.nodes, available);  // the model's graph is well formed
  if (options.fuse_qdq) {
    m.fusion = fuse_qdq(g, m.model.opset(""));
    m.fused = m.fusion.changes > 0;
    if (m.fused) {
      for (const auto& [name, t] : m.fusion.initializers) available.insert(name);
      m.order = topological_order(m.fusion.nodes, available);
    } else {
      m.fusion = QdqFusion{};
    }
  }
  m.infer(m.inferred, m.input_types(nullptr), false);
  m.build_steps();
  m.describe_nodes();
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const Model& Session::model() const { return impl_->model; }
const std::vector<ValueInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<ValueInfo>& Session::outputs() const { return impl_->model.graph.outputs; }
const std::vector<NodeInfo>& Session::nodes() const { return impl_->infos; }
std::int64_t Session::parameter_count() const { return impl_->parameters; }

ShapeReport Session::infer_shapes(const std::map<std::string, std::vector<std::int64_t>>& input_shapes) const {
  for (const auto& [name, shape] : input_shapes) {
    bool known = false;
    for (const ValueInfo& in : impl_->inputs) known = known || in.name == name;
    if (!known) throw InvalidArgument("the model has no input " + value_label(name));
    element_count(shape);
  }
  Impl::Inferred r;
  impl_->infer(r, impl_->input_types(&input_shapes), false);
  ShapeReport report;
  for (const auto& [name, t] : r.values) {
    report.types[name] = t.type;
    if (t.rank_known) report.shapes[name] = t.shape;
  }
  return report;
}

std::map<std::string, Tensor> Session::run(const std::map<std::string, Tensor>& feeds, const NodeObserver& observe) const {
  const Impl& m = *impl_;
  const Graph& g = m.model.graph;
  for (const auto& [name, t] : feeds) {
    (void)t;
    bool known = false;
    for (const ValueInfo& in : m.inputs) known = known || in.name == name;
    if (!known) throw InvalidArgument("the model has no input " + value_label(name));
  }
  // Check every feed against its declaration; a symbolic dim takes one size across inputs.
  std::map<std::string, std::int64_t> symbols;
  for (const ValueInfo& in : m.inputs) {
    auto it = feeds.find(in.name);
    if (it == feeds.end()) throw InvalidArgument("input " + value_label(in.name) + " is missing");
    const Tensor& t = it->second;
    if (t.type() != in.type)
      throw InvalidArgument("input " + value_label(in.name) + " must be " + type_name(in.type) + ", got " +
                            type_name(t.type()));
    if (!in.has_shape) continue;
    bool ok = t.rank() == in.dims.size();
    for (std::size_t i = 0; ok && i < in.dims.size(); ++i) {
      const Dim& d = in.dims[i];
      if (d.value >= 0) ok = d.value == t.dim(i);
      else if (!d.param.empty()) ok = symbols.emplace(d.param, t.dim(i)).first->second == t.dim(i);
    }
    if (!ok) {
      std::string want;
      for (std::size_t i = 0; i < in.dims.size(); ++i)
        want += (i ? "\u00d7" : "") + (in.dims[i].value >= 0 ? std::to_string(in.dims[i].value)
                                                             : in.dims[i].param.empty() ? "?" : in.dims[i].param);
      if (in.dims.empty()) want = "scalar";
      throw InvalidArgument("input " + value_label(in.name) + " must have shape " + want + ", got " +
                            shape_string(t.shape()));
    }
  }

  std::vector<Tensor> owned(m.slot_names.size());
  std::vector<const Tensor*> value(m.slot_names.size(), nullptr);
  for (std::size_t v = 0; v < value.size(); ++v) value[v] = m.slot_constant[v];
  for (std::size_t i = 0; i < m.inputs.size(); ++i) value[m.input_slots[i]] = &feeds.at(m.inputs[i].name);

  const std::vector<Node>& all = m.nodes();
  // One pair of input/output lists for all steps: moved into each step's
  // context and back, so a run allocates them once rather than per node.
  std::vector<const Tensor*> inputs_list;
  std::vector<Tensor> outputs_list;
  for (const Impl::Step& step : m.steps) {
    const Node& node = all[step.node];
    inputs_list.resize(step.in_slots.size());
    for (std::size_t i = 0; i < step.in_slots.size(); ++i) {
      const int s = step.in_slots[i];
      inputs_list[i] = s < 0 ? nullptr : value[s];
    }
    outputs_list.clear();
    outputs_list.resize(node.outputs.size());
    RunContext ctx{node, std::move(inputs_list), std::move(outputs_list)};
    try {
      step.kernel->run(ctx);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind(node.label(), 0) == 0) throw;
      throw InvalidArgument(node_label(node, step.node) + ": " + what);
    }
    std::vector<const Tensor*> produced;  // for the observer only
    for (std::size_t o = 0; o < step.out_slots.size(); ++o) {
      const int s = step.out_slots[o];
      if (s < 0) continue;
      if (ctx.outputs[o].empty())
        throw InvalidArgument(node_label(node, step.node) + " produced no value for output " +
                              value_label(node.outputs[o]));
      owned[s] = std::move(ctx.outputs[o]);
      value[s] = &owned[s];
      if (observe) produced.push_back(value[s]);
    }
    if (observe) observe(m.infos[step.node], produced);
    inputs_list = std::move(ctx.inputs);
    outputs_list = std::move(ctx.outputs);
    for (int s : step.release) {
      owned[s] = Tensor();
      value[s] = nullptr;
    }
  }
  std::map<std::string, Tensor> result;
  for (std::size_t i = 0; i < g.outputs.size(); ++i) {
    const int s = m.output_slots[i];
    if (!owned[s].empty()) result[g.outputs[i].name] = std::move(owned[s]);
    else result[g.outputs[i].name] = *value[s];  // a constant or an input passed through
  }
  return result;
}

std::vector<std::string> supported_ops() {
  std::vector<std::string> names;
  for (const OpDef& op : all_ops())
    if (op.domain != kPrivateDomain)  // the fused QDQ ops are internal: no file can use them
      names.push_back(op.domain.empty() ? op.op_type : op.domain + "." + op.op_type);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace quantlab::model
