// Graph IR helpers: typed attribute access with messages that name the node.
#include "quantlab/model/graph.h"

#include "quantlab/error.h"

namespace quantlab::model {

std::string kind_name(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::undefined: return "undefined";
    case Attribute::Kind::float_: return "float";
    case Attribute::Kind::int_: return "int";
    case Attribute::Kind::string: return "string";
    case Attribute::Kind::tensor: return "tensor";
    case Attribute::Kind::graph: return "graph";
    case Attribute::Kind::floats: return "floats";
    case Attribute::Kind::ints: return "ints";
    case Attribute::Kind::strings: return "strings";
    case Attribute::Kind::tensors: return "tensors";
    case Attribute::Kind::graphs: return "graphs";
  }
  return "kind " + std::to_string(static_cast<int>(kind));
}

std::string Node::label() const {
  return name.empty() ? op_type : op_type + " '" + name + "'";
}

const Attribute* Node::find(const std::string& attr) const {
  for (const Attribute& a : attributes)
    if (a.name == attr) return &a;
  return nullptr;
}

namespace {
const Attribute* typed(const Node& node, const std::string& attr, Attribute::Kind kind) {
  const Attribute* a = node.find(attr);
  if (a && a->kind != kind)
    throw InvalidArgument(node.label() + ": attribute '" + attr + "' is " + kind_name(a->kind) + ", expected " +
                          kind_name(kind));
  return a;
}
}  // namespace

std::int64_t Node::get_int(const std::string& attr, std::int64_t fallback) const {
  const Attribute* a = typed(*this, attr, Attribute::Kind::int_);
  return a ? a->i : fallback;
}

float Node::get_float(const std::string& attr, float fallback) const {
  const Attribute* a = typed(*this, attr, Attribute::Kind::float_);
  return a ? a->f : fallback;
}

std::string Node::get_string(const std::string& attr, const std::string& fallback) const {
  const Attribute* a = typed(*this, attr, Attribute::Kind::string);
  return a ? a->s : fallback;
}

std::vector<std::int64_t> Node::get_ints(const std::string& attr, const std::vector<std::int64_t>& fallback) const {
  const Attribute* a = typed(*this, attr, Attribute::Kind::ints);
  return a ? a->ints : fallback;
}

std::vector<float> Node::get_floats(const std::string& attr, const std::vector<float>& fallback) const {
  const Attribute* a = typed(*this, attr, Attribute::Kind::floats);
  return a ? a->floats : fallback;
}

std::int64_t Model::opset(const std::string& d) const {
  const std::string want = d == "ai.onnx" ? "" : d;
  for (const OpsetImport& o : opsets)
    if ((o.domain == "ai.onnx" ? "" : o.domain) == want) return o.version;
  return 0;
}

}  // namespace quantlab::model
