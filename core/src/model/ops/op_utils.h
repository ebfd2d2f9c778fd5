// op_utils.h (internal) — helpers shared by the fp32 op files: output slots,
// element-type dispatch, reading constant integer inputs, and the tables of
// each op family that registry_fp32.cpp collects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/ops/op.h"

namespace quantlab::model::ops {

// ---- the fp32 op families (one file each) -----------------------------------
void add_conv_ops(std::vector<OpDef>& ops);           // conv.cpp
void add_conv_transpose_ops(std::vector<OpDef>& ops); // conv_transpose.cpp
void add_gemm_matmul_ops(std::vector<OpDef>& ops);    // gemm_matmul.cpp
void add_elementwise_ops(std::vector<OpDef>& ops);    // elementwise.cpp
void add_activation_ops(std::vector<OpDef>& ops);     // activation.cpp
void add_pool_ops(std::vector<OpDef>& ops);           // pool.cpp
void add_normalization_ops(std::vector<OpDef>& ops);  // normalization.cpp
void add_shape_ops(std::vector<OpDef>& ops);          // shape_ops.cpp
void add_softmax_ops(std::vector<OpDef>& ops);        // softmax.cpp

// ---- slots ---------------------------------------------------------------------
/// Output i of an inference (grows `outputs` to the node's output count first).
TypeShape& infer_output(InferContext& ctx, std::size_t i);
/// Stores output i of a run (grows `outputs` to the node's output count first).
void set_output(RunContext& ctx, std::size_t i, Tensor t);
/// True when the node names output i (optional outputs may be absent or "").
inline bool has_output(const Node& node, std::size_t i) { return i < node.outputs.size() && !node.outputs[i].empty(); }
/// An inferred type with unknown rank.
inline TypeShape unknown_rank(DataType type) { return TypeShape{type, false, {}, nullptr}; }

// ---- checks --------------------------------------------------------------------
/// The float data of input `t`; Unsupported naming the node when it is another type.
const float* float_data(const Node& node, const Tensor& t, const char* what);
/// Unsupported unless `type` is float32 (or undefined, i.e. not known yet).
void require_float(const Node& node, DataType type, const char* what);
/// Integer values of a constant input (axes, shape, indices): int64 or int32 only.
std::vector<std::int64_t> int_values(const Node& node, const Tensor& t, const char* what);
/// Product of shape[from, to) (every dim must be known).
std::int64_t product(const std::vector<std::int64_t>& shape, std::size_t from, std::size_t to);
/// A shape of non-negative dims as size_t values (for loops).
inline std::size_t to_size(std::int64_t v) { return static_cast<std::size_t>(v); }

// ---- element-type dispatch ---------------------------------------------------------
/// Calls f(T{}) with T the C++ type of `type` for the numeric types the
/// elementwise ops support (float, double, int64, int32, int8, uint8);
/// Unsupported otherwise.
template <class F>
decltype(auto) visit_numeric(const Node& node, DataType type, F&& f) {
  switch (type) {
    case DataType::float32: return f(float{});
    case DataType::float64: return f(double{});
    case DataType::int64: return f(std::int64_t{});
    case DataType::int32: return f(std::int32_t{});
    case DataType::int8: return f(std::int8_t{});
    case DataType::uint8: return f(std::uint8_t{});
    default: unsupported(node, "element type " + type_name(type) + " is not supported");
  }
}

/// A zero-filled output whose shape comes from attributes, indices or
/// broadcasting rather than from one input: InvalidArgument naming the node
/// when its bytes would not fit this build's address space (size_t is 32 bits
/// in WebAssembly, where a product of int64 dims could otherwise wrap).
Tensor new_tensor(const Node& node, DataType type, std::vector<std::int64_t> shape);
/// The same check for a scratch buffer of `dims` elements of `element_bytes` each.
void check_buffer(const Node& node, const std::vector<std::int64_t>& dims, std::size_t element_bytes, const char* what);

/// Copies a tensor's bytes into a new tensor of another shape (Reshape,
/// Flatten, Squeeze, Unsqueeze, Identity: the data is unchanged).
Tensor with_shape(const Tensor& t, std::vector<std::int64_t> shape);

}  // namespace quantlab::model::ops
