// A Model as JSON, field by field, in the shape scripts/fixtures/make_onnx_fixtures.py
// writes to tests/fixtures/onnx/expected.json: comparing two descriptions
// compares every field of two models, and a JSON patch shows where they differ.
// Floats are compared as bit patterns and tensors as their bytes, so NaNs and
// signed zeros must match exactly.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "quantlab/model/graph.h"

namespace quantlab::model::test {

using nlohmann::json;

inline std::string hex(const std::uint8_t* p, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  return out;
}

inline std::uint32_t float_bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

inline json describe(const Tensor& t) {
  return {{"type", static_cast<int>(t.type())}, {"dims", t.shape()}, {"hex", hex(t.bytes(), t.byte_size())}};
}

inline json describe(const ValueInfo& v) {
  json dims = json::array();
  for (const Dim& d : v.dims) dims.push_back(!d.param.empty() ? json(d.param) : d.value >= 0 ? json(d.value) : json());
  return {{"name", v.name}, {"type", static_cast<int>(v.type)}, {"has_shape", v.has_shape}, {"dims", dims}, {"doc", v.doc}};
}

inline json describe(const Attribute& a) {
  using Kind = Attribute::Kind;
  json out = {{"name", a.name}, {"kind", static_cast<int>(a.kind)}};
  switch (a.kind) {
    case Kind::float_: out["f_bits"] = float_bits(a.f); break;
    case Kind::int_: out["i"] = a.i; break;
    case Kind::string: out["s"] = a.s; break;
    case Kind::tensor: out["t"] = describe(a.t); break;
    case Kind::floats: {
      json bits = json::array();
      for (const float f : a.floats) bits.push_back(float_bits(f));
      out["floats_bits"] = bits;
      break;
    }
    case Kind::ints: out["ints"] = a.ints; break;
    case Kind::strings: out["strings"] = a.strings; break;
    default: break;  // graph, graphs, tensors: only the kind is kept
  }
  return out;
}

inline json describe(const Model& m) {
  json nodes = json::array();
  for (const Node& n : m.graph.nodes) {
    json attributes = json::array();
    for (const Attribute& a : n.attributes) attributes.push_back(describe(a));
    nodes.push_back({{"name", n.name}, {"op_type", n.op_type}, {"domain", n.domain}, {"inputs", n.inputs},
                     {"outputs", n.outputs}, {"attributes", attributes}});
  }
  json initializers = json::object();
  for (const auto& [name, t] : m.graph.initializers) initializers[name] = describe(t);
  auto infos = [](const std::vector<ValueInfo>& vs) {
    json out = json::array();
    for (const ValueInfo& v : vs) out.push_back(describe(v));
    return out;
  };
  json opsets = json::array();
  for (const OpsetImport& o : m.opsets) opsets.push_back(json::array({o.domain, o.version}));
  json metadata = json::array();
  for (const auto& [k, v] : m.metadata) metadata.push_back(json::array({k, v}));
  return {
      {"ir_version", m.ir_version},
      {"producer_name", m.producer_name},
      {"producer_version", m.producer_version},
      {"domain", m.domain},
      {"model_version", m.model_version},
      {"doc", m.doc},
      {"opsets", opsets},
      {"metadata", metadata},
      {"graph",
       {{"name", m.graph.name},
        {"doc", m.graph.doc},
        {"nodes", nodes},
        {"initializers", initializers},
        {"inputs", infos(m.graph.inputs)},
        {"outputs", infos(m.graph.outputs)},
        {"value_info", infos(m.graph.value_info)}}},
  };
}

/// The first few differences between two descriptions, as a JSON patch (for failure messages).
inline std::string differences(const json& actual, const json& expected) {
  const json patch = json::diff(actual, expected);
  std::string out;
  for (std::size_t i = 0; i < patch.size() && i < 5; ++i) {
    std::string op = patch[i].dump();
    if (op.size() > 300) op = op.substr(0, 300) + "...";
    out += "\n  " + op;
  }
  return out;
}

}  // namespace quantlab::model::test
