// Data-movement ops, on tensors of any element type (shape subgraphs run in
// int64): Reshape (opset 5+), Flatten, Transpose, Concat, Squeeze, Unsqueeze,
// Gather, Shape, Constant, Identity, Dropout (opset 1+). Axes that moved from
// attributes to inputs in opset 13 (Squeeze, Unsqueeze) are read from where
// the node's opset puts them.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

namespace {

void check_storable(const Node& node, DataType type) {
  if (type != DataType::undefined && element_size(type) == 0)
    unsupported(node, "tensors of type " + type_name(type) + " are not supported");
}

// ============================================================================
// Reshape
// ============================================================================

// The output shape for `spec` (0 copies the input dim unless allowzero, one
// -1 is inferred). `in` may hold -1 (unknown) during inference.
std::vector<std::int64_t> reshape_shape(const Node& node, const std::vector<std::int64_t>& in,
                                        const std::vector<std::int64_t>& spec, bool allowzero) {
  std::vector<std::int64_t> out(spec.size());
  std::size_t infer_at = spec.size();
  bool has_zero = false;
  std::int64_t known = 1;  // product of the output dims other than -1; -1 when one is unknown
  for (std::size_t i = 0; i < spec.size(); ++i) {
    std::int64_t d = spec[i];
    if (d == -1) {
      if (infer_at != spec.size()) invalid(node, "shape " + shape_string(spec) + " has more than one -1");
      infer_at = i;
      continue;
    }
    if (d < -1) invalid(node, "shape has the value " + std::to_string(d));
    if (d == 0 && !allowzero) {
      if (i >= in.size()) invalid(node, "shape " + shape_string(spec) + " copies dim " + std::to_string(i) + " of a rank-" + std::to_string(in.size()) + " input");
      d = in[i];
    } else if (d == 0) {
      has_zero = true;
    }
    out[i] = d;
    if (d < 0 || known < 0) known = -1;
    else known *= d;
  }
  if (has_zero && infer_at != spec.size()) invalid(node, "shape has both 0 and -1 with allowzero = 1");
  bool in_known = true;
  std::int64_t total = 1;
  for (std::int64_t d : in) {
    if (d < 0) in_known = false;
    else total *= d;
  }
  if (infer_at != spec.size()) {
    if (!in_known || known < 0) {
      out[infer_at] = -1;
    } else if (known == 0) {
      if (total != 0) invalid(node, "cannot reshape " + shape_string(in) + " to " + shape_string(spec));
      out[infer_at] = 0;
    } else {
      if (total % known != 0) invalid(node, "cannot reshape " + shape_string(in) + " to " + shape_string(spec));
      out[infer_at] = total / known;
    }
  } else if (in_known && known >= 0 && known != total) {
    invalid(node, "cannot reshape " + shape_string(in) + " (" + std::to_string(total) + " elements) to " + shape_string(out));
  }
  return out;
}

bool allowzero(const Node& node, std::int64_t opset) { return opset >= 14 && node.get_int("allowzero", 0) != 0; }

void infer_reshape(InferContext& ctx) {
  const TypeShape& data = ctx.input(0);
  const TypeShape& shape = ctx.input(1);
  check_storable(ctx.node, data.type);
  TypeShape& out = infer_output(ctx, 0);
  if (shape.value != nullptr) {
    const std::vector<std::int64_t> spec = int_values(ctx.node, *shape.value, "shape");
    const std::vector<std::int64_t> in = data.rank_known ? data.shape : std::vector<std::int64_t>{-1};
    // With an unknown input rank only dims that do not copy the input are known.
    std::vector<std::int64_t> dims;
    if (data.rank_known) {
      dims = reshape_shape(ctx.node, in, spec, allowzero(ctx.node, ctx.opset));
    } else {
      dims = spec;
      for (std::int64_t& d : dims)
        if (d == -1 || (d == 0 && !allowzero(ctx.node, ctx.opset))) d = -1;
    }
    out = TypeShape::make(data.type, std::move(dims));
  } else if (shape.rank_known && shape.shape.size() == 1 && shape.shape[0] >= 0) {
    out = TypeShape::make(data.type, std::vector<std::int64_t>(to_size(shape.shape[0]), -1));
  } else {
    out = unknown_rank(data.type);
  }
}

std::unique_ptr<Kernel> build_reshape(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  const bool zero = allowzero(ctx.node, ctx.opset);
  return function_kernel([zero](RunContext& ctx) {
    const Tensor& data = ctx.input(0);
    const std::vector<std::int64_t> spec = int_values(ctx.node, ctx.input(1), "shape");
    set_output(ctx, 0, with_shape(data, reshape_shape(ctx.node, data.shape(), spec, zero)));
  });
}

// ============================================================================
// Flatten
// ============================================================================

std::vector<std::int64_t> flatten_shape(const Node& node, const std::vector<std::int64_t>& in) {
  const auto rank = static_cast<std::int64_t>(in.size());
  std::int64_t axis = node.get_int("axis", 1);
  if (axis < -rank || axis > rank) invalid(node, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  std::int64_t outer = 1, inner = 1;
  for (std::int64_t i = 0; i < rank; ++i) {
    std::int64_t& p = i < axis ? outer : inner;
    const std::int64_t d = in[to_size(i)];
    p = (p < 0 || d < 0) ? -1 : p * d;
  }
  return {outer, inner};
}

void infer_flatten(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  check_storable(ctx.node, x.type);
  infer_output(ctx, 0) = x.rank_known ? TypeShape::make(x.type, flatten_shape(ctx.node, x.shape))
                                      : TypeShape::make(x.type, {-1, -1});
}

std::unique_ptr<Kernel> build_flatten(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  return function_kernel([](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    set_output(ctx, 0, with_shape(x, flatten_shape(ctx.node, x.shape())));
  });
}

// ============================================================================
// Transpose
// ============================================================================

std::vector<std::int64_t> transpose_perm(const Node& node, std::size_t rank) {
  std::vector<std::int64_t> perm = node.get_ints("perm");
  if (perm.empty()) {
    perm.resize(rank);
    for (std::size_t i = 0; i < rank; ++i) perm[i] = static_cast<std::int64_t>(rank - 1 - i);  // reverse
    return perm;
  }
  if (perm.size() != rank) invalid(node, "attribute 'perm' has " + std::to_string(perm.size()) + " values for rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (std::int64_t& p : perm) {
    p = normalize_axis(node, p, static_cast<std::int64_t>(rank));
    if (seen[to_size(p)]) invalid(node, "attribute 'perm' is not a permutation");
    seen[to_size(p)] = true;
  }
  return perm;
}

template <class E>  // an unsigned type of the element's size
void transpose_elements(const E* x, E* y, const std::vector<std::int64_t>& in_shape, const std::vector<std::int64_t>& perm,
                        const std::vector<std::int64_t>& out_shape) {
  const std::size_t rank = perm.size();
  std::vector<std::size_t> in_stride(rank, 1);
  for (std::size_t i = rank; i-- > 1;) in_stride[i - 1] = in_stride[i] * to_size(in_shape[i]);
  std::vector<std::size_t> step(rank);  // input stride of each output dim
  for (std::size_t i = 0; i < rank; ++i) step[i] = in_stride[to_size(perm[i])];
  const std::size_t inner = to_size(out_shape[rank - 1]);
  const std::size_t inner_step = step[rank - 1];
  const std::size_t total = to_size(element_count(out_shape));
  std::vector<std::size_t> index(rank, 0);
  std::size_t offset = 0;
  for (std::size_t o = 0; o < total; o += inner) {
    for (std::size_t i = 0; i < inner; ++i) y[o + i] = x[offset + i * inner_step];
    for (std::size_t d = rank - 1; d-- > 0;) {  // odometer over the outer output dims
      if (++index[d] < to_size(out_shape[d])) {
        offset += step[d];
        break;
      }
      offset -= step[d] * (index[d] - 1);
      index[d] = 0;
    }
  }
}

void infer_transpose(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  check_storable(ctx.node, x.type);
  TypeShape& out = infer_output(ctx, 0);
  if (!x.rank_known) {
    out = unknown_rank(x.type);
    return;
  }
  const std::vector<std::int64_t> perm = transpose_perm(ctx.node, x.shape.size());
  std::vector<std::int64_t> shape(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) shape[i] = x.shape[to_size(perm[i])];
  out = TypeShape::make(x.type, std::move(shape));
}

std::unique_ptr<Kernel> build_transpose(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  return function_kernel([](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const std::vector<std::int64_t> perm = transpose_perm(ctx.node, x.rank());
    std::vector<std::int64_t> shape(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) shape[i] = x.dim(to_size(perm[i]));
    Tensor y(x.type(), shape);
    if (y.size() > 0 && x.rank() > 0) {
      switch (element_size(x.type())) {
        case 1: transpose_elements(x.bytes(), y.bytes(), x.shape(), perm, shape); break;
        case 2: transpose_elements(reinterpret_cast<const std::uint16_t*>(x.bytes()), reinterpret_cast<std::uint16_t*>(y.bytes()), x.shape(), perm, shape); break;
        case 4: transpose_elements(reinterpret_cast<const std::uint32_t*>(x.bytes()), reinterpret_cast<std::uint32_t*>(y.bytes()), x.shape(), perm, shape); break;
        default: transpose_elements(reinterpret_cast<const std::uint64_t*>(x.bytes()), reinterpret_cast<std::uint64_t*>(y.bytes()), x.shape(), perm, shape); break;
      }
    } else if (y.size() > 0) {
      y = x;  // a scalar
    }
    set_output(ctx, 0, std::move(y));
  });
}

// ============================================================================
// Concat
// ============================================================================

std::int64_t concat_axis(const Node& node, std::int64_t opset, std::size_t rank) {
  const Attribute* a = node.find("axis");
  if (a == nullptr && opset >= 4) invalid(node, "attribute 'axis' is required");
  const std::int64_t axis = a != nullptr ? node.get_int("axis", 1) : 1;  // Concat-1 defaults to 1
  return normalize_axis(node, axis, static_cast<std::int64_t>(rank));
}

void infer_concat(InferContext& ctx) {
  const Node& node = ctx.node;
  if (ctx.inputs.empty()) invalid(node, "needs at least one input");
  const TypeShape* first = nullptr;
  for (const TypeShape* t : ctx.inputs) {
    if (t == nullptr) invalid(node, "inputs cannot be empty names");
    if (first == nullptr) first = t;
    if (t->type != DataType::undefined && first->type != DataType::undefined && t->type != first->type)
      invalid(node, "inputs have different types (" + type_name(first->type) + " and " + type_name(t->type) + ")");
  }
  check_storable(node, first->type);
  TypeShape& out = infer_output(ctx, 0);
  const TypeShape* ranked = nullptr;
  for (const TypeShape* t : ctx.inputs)
    if (t->rank_known) ranked = t;
  if (ranked == nullptr) {
    out = unknown_rank(first->type);
    return;
  }
  const std::size_t rank = ranked->shape.size();
  const auto axis = to_size(concat_axis(node, ctx.opset, rank));
  std::vector<std::int64_t> shape(rank, -1);
  std::int64_t sum = 0;
  for (const TypeShape* t : ctx.inputs) {
    if (!t->rank_known) {
      sum = -1;
      continue;
    }
    if (t->shape.size() != rank) invalid(node, "inputs have different ranks");
    for (std::size_t d = 0; d < rank; ++d) {
      if (d == axis) continue;
      if (shape[d] < 0) shape[d] = t->shape[d];
      else if (t->shape[d] >= 0 && t->shape[d] != shape[d])
        invalid(node, "input shapes " + shape_string(t->shape) + " and " + shape_string(ranked->shape) + " differ outside axis " + std::to_string(axis));
    }
    sum = (sum < 0 || t->shape[axis] < 0) ? -1 : sum + t->shape[axis];
  }
  shape[axis] = sum;
  out = TypeShape::make(first->type, std::move(shape));
}

std::unique_ptr<Kernel> build_concat(const BuildContext& ctx) {
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Node& node = ctx.node;
    if (ctx.inputs.empty()) invalid(node, "needs at least one input");
    const Tensor& first = ctx.input(0);
    const std::size_t rank = first.rank();
    const auto axis = to_size(concat_axis(node, opset, rank));
    std::vector<std::int64_t> shape = first.shape();
    shape[axis] = 0;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.type() != first.type()) invalid(node, "inputs have different types (" + type_name(first.type()) + " and " + type_name(t.type()) + ")");
      if (t.rank() != rank) invalid(node, "inputs have different ranks");
      for (std::size_t d = 0; d < rank; ++d)
        if (d != axis && t.dim(d) != first.dim(d))
          invalid(node, "input shapes " + shape_string(first.shape()) + " and " + shape_string(t.shape()) + " differ outside axis " + std::to_string(axis));
      shape[axis] += t.dim(axis);
    }
    Tensor y = new_tensor(node, first.type(), shape);
    // Each input contributes one block of dims[axis:] per index of dims[:axis].
    const std::size_t esize = element_size(first.type());
    const std::size_t outer = to_size(product(shape, 0, axis));
    const std::size_t out_block = to_size(product(shape, axis, rank)) * esize;
    std::size_t at = 0;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor& t = ctx.input(i);
      const std::size_t block = to_size(product(t.shape(), axis, rank)) * esize;
      if (block != 0)
        for (std::size_t o = 0; o < outer; ++o) std::memcpy(y.bytes() + o * out_block + at, t.bytes() + o * block, block);
      at += block;
    }
    set_output(ctx, 0, std::move(y));
  });
}

// ============================================================================
// Squeeze, Unsqueeze
// ============================================================================

// The axes of Squeeze/Unsqueeze: the attribute before opset 13, input 1 from
// 13 (`value` when constant). Returns false when they are not known yet.
bool read_axes(const Node& node, std::int64_t opset, const Tensor* input, std::vector<std::int64_t>& axes) {
  if (opset < 13) {
    axes = node.get_ints("axes");
    return true;
  }
  if (input == nullptr) return false;
  axes = int_values(node, *input, "axes");
  return true;
}

std::vector<std::int64_t> squeeze_shape(const Node& node, const std::vector<std::int64_t>& in, std::vector<std::int64_t> axes) {
  const auto rank = static_cast<std::int64_t>(in.size());
  std::vector<bool> drop(in.size(), false);
  if (axes.empty()) {
    for (std::size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;  // every dim of size 1
  } else {
    for (std::int64_t a : axes) {
      const auto i = to_size(normalize_axis(node, a, rank));
      if (in[i] >= 0 && in[i] != 1) invalid(node, "cannot squeeze dim " + std::to_string(i) + " of size " + std::to_string(in[i]));
      drop[i] = true;
    }
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return out;
}

std::vector<std::int64_t> unsqueeze_shape(const Node& node, const std::vector<std::int64_t>& in, const std::vector<std::int64_t>& axes) {
  const auto rank = static_cast<std::int64_t>(in.size() + axes.size());
  std::vector<bool> inserted(to_size(rank), false);
  for (std::int64_t a : axes) {
    const auto i = to_size(normalize_axis(node, a, rank));
    if (inserted[i]) invalid(node, "axes repeat the axis " + std::to_string(i));
    inserted[i] = true;
  }
  std::vector<std::int64_t> out(to_size(rank));
  std::size_t next = 0;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = inserted[i] ? 1 : in[next++];
  return out;
}

void infer_squeeze(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  check_storable(ctx.node, x.type);
  TypeShape& out = infer_output(ctx, 0);
  std::vector<std::int64_t> axes;
  const bool known = read_axes(ctx.node, ctx.opset, ctx.has_input(1) ? ctx.input(1).value : nullptr, axes) ||
                     (ctx.opset >= 13 && !ctx.has_input(1));
  bool dims_known = x.rank_known;
  if (x.rank_known && axes.empty())
    for (std::int64_t d : x.shape) dims_known = dims_known && d >= 0;  // which dims are 1 must be known
  if (!known || !dims_known) out = unknown_rank(x.type);
  else out = TypeShape::make(x.type, squeeze_shape(ctx.node, x.shape, axes));
}

void infer_unsqueeze(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  check_storable(ctx.node, x.type);
  TypeShape& out = infer_output(ctx, 0);
  std::vector<std::int64_t> axes;
  if (ctx.opset >= 13 && !ctx.has_input(1)) invalid(ctx.node, "input 'axes' is required");
  const bool known = read_axes(ctx.node, ctx.opset, ctx.has_input(1) ? ctx.input(1).value : nullptr, axes);
  if (!x.rank_known) {
    out = unknown_rank(x.type);
  } else if (known) {
    out = TypeShape::make(x.type, unsqueeze_shape(ctx.node, x.shape, axes));
  } else if (ctx.input(1).rank_known && ctx.input(1).shape.size() == 1 && ctx.input(1).shape[0] >= 0) {
    out = TypeShape::make(x.type, std::vector<std::int64_t>(x.shape.size() + to_size(ctx.input(1).shape[0]), -1));
  } else {
    out = unknown_rank(x.type);
  }
}

template <bool kSqueeze>
std::unique_ptr<Kernel> build_squeeze(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  if (!kSqueeze && ctx.opset < 13 && ctx.node.find("axes") == nullptr) invalid(ctx.node, "attribute 'axes' is required");
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<std::int64_t> axes;
    if (!read_axes(ctx.node, opset, ctx.has_input(1) ? ctx.inputs[1] : nullptr, axes) && !kSqueeze)
      invalid(ctx.node, "input 'axes' is required");
    set_output(ctx, 0, with_shape(x, kSqueeze ? squeeze_shape(ctx.node, x.shape(), axes) : unsqueeze_shape(ctx.node, x.shape(), axes)));
  });
}

// ============================================================================
// Gather
// ============================================================================

void infer_gather(InferContext& ctx) {
  const TypeShape& data = ctx.input(0);
  const TypeShape& indices = ctx.input(1);
  check_storable(ctx.node, data.type);
  if (indices.type != DataType::undefined && indices.type != DataType::int64 && indices.type != DataType::int32)
    invalid(ctx.node, "indices must be int64 or int32, not " + type_name(indices.type));
  TypeShape& out = infer_output(ctx, 0);
  if (!data.rank_known || !indices.rank_known) {
    out = unknown_rank(data.type);
    return;
  }
  const auto axis = to_size(normalize_axis(ctx.node, ctx.node.get_int("axis", 0), static_cast<std::int64_t>(data.shape.size())));
  std::vector<std::int64_t> shape(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.shape.end());
  out = TypeShape::make(data.type, std::move(shape));
}

std::unique_ptr<Kernel> build_gather(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  return function_kernel([](RunContext& ctx) {
    const Node& node = ctx.node;
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (data.rank() == 0) invalid(node, "data must have at least one dim");
    const auto axis = to_size(normalize_axis(node, node.get_int("axis", 0), static_cast<std::int64_t>(data.rank())));
    const std::vector<std::int64_t> idx = int_values(node, indices, "indices");
    std::vector<std::int64_t> shape(data.shape().begin(), data.shape().begin() + static_cast<std::ptrdiff_t>(axis));
    shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
    shape.insert(shape.end(), data.shape().begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.shape().end());
    Tensor y = new_tensor(node, data.type(), std::move(shape));
    const std::int64_t dim = data.dim(axis);
    const std::size_t esize = element_size(data.type());
    const std::size_t outer = to_size(product(data.shape(), 0, axis));
    const std::size_t block = to_size(product(data.shape(), axis + 1, data.rank())) * esize;  // bytes per index
    for (std::size_t j = 0; j < idx.size(); ++j) {
      const std::int64_t i = idx[j] < 0 ? idx[j] + dim : idx[j];
      if (i < 0 || i >= dim) invalid(node, "index " + std::to_string(idx[j]) + " is out of range for a dim of " + std::to_string(dim));
    }
    if (block != 0) {
      for (std::size_t o = 0; o < outer; ++o) {
        for (std::size_t j = 0; j < idx.size(); ++j) {
          const std::int64_t i = idx[j] < 0 ? idx[j] + dim : idx[j];
          std::memcpy(y.bytes() + (o * idx.size() + j) * block, data.bytes() + (o * to_size(dim) + to_size(i)) * block, block);
        }
      }
    }
    set_output(ctx, 0, std::move(y));
  });
}

// ============================================================================
// Shape
// ============================================================================

// [start, end) of the dims Shape returns (start/end from opset 15, clamped to the rank).
std::pair<std::int64_t, std::int64_t> shape_range(const Node& node, std::int64_t opset, std::int64_t rank) {
  std::int64_t start = opset >= 15 ? node.get_int("start", 0) : 0;
  std::int64_t end = opset >= 15 ? node.get_int("end", rank) : rank;
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, 0, rank);
  return {start, std::max(start, end)};
}

void infer_shape(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  TypeShape& out = infer_output(ctx, 0);
  if (!x.rank_known) {
    out = TypeShape::make(DataType::int64, {-1});
    return;
  }
  const auto [start, end] = shape_range(ctx.node, ctx.opset, static_cast<std::int64_t>(x.shape.size()));
  out = TypeShape::make(DataType::int64, {end - start});
}

std::unique_ptr<Kernel> build_shape(const BuildContext& ctx) {
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const auto [start, end] = shape_range(ctx.node, opset, static_cast<std::int64_t>(x.rank()));
    const std::vector<std::int64_t> dims(x.shape().begin() + start, x.shape().begin() + end);
    set_output(ctx, 0, Tensor::from<std::int64_t>({end - start}, dims));
  });
}

// ============================================================================
// Constant
// ============================================================================

Tensor constant_value(const Node& node) {
  const char* const kinds[] = {"value", "value_float", "value_floats", "value_int", "value_ints",
                               "sparse_value", "value_string", "value_strings"};
  const Attribute* found = nullptr;
  for (const char* k : kinds) {
    if (const Attribute* a = node.find(k)) {
      if (found != nullptr) invalid(node, "has both '" + found->name + "' and '" + a->name + "'");
      found = a;
    }
  }
  if (found == nullptr) invalid(node, "has no value attribute");
  const std::string& name = found->name;
  if (name == "sparse_value" || name == "value_string" || name == "value_strings")
    unsupported(node, "attribute '" + name + "' is not supported (dense numeric values only)");
  if (name == "value") {
    if (found->kind != Attribute::Kind::tensor) invalid(node, "attribute 'value' is " + kind_name(found->kind) + ", expected tensor");
    check_storable(node, found->t.type());
    return found->t;
  }
  if (name == "value_float") return Tensor::scalar(node.get_float(name, 0.0f));
  if (name == "value_int") return Tensor::scalar(node.get_int(name, 0));
  if (name == "value_floats") {
    const std::vector<float> v = node.get_floats(name);
    return Tensor::from<float>({static_cast<std::int64_t>(v.size())}, v);
  }
  const std::vector<std::int64_t> v = node.get_ints(name);
  return Tensor::from<std::int64_t>({static_cast<std::int64_t>(v.size())}, v);
}

void infer_constant(InferContext& ctx) {
  const Tensor t = constant_value(ctx.node);
  infer_output(ctx, 0) = TypeShape::make(t.type(), t.shape());
}

std::unique_ptr<Kernel> build_constant(const BuildContext& ctx) {
  Tensor value = constant_value(ctx.node);
  return function_kernel([value = std::move(value)](RunContext& ctx) { set_output(ctx, 0, value); });
}

// ============================================================================
// Identity, Dropout (inference: the input, and an all-true mask)
// ============================================================================

void infer_identity(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  check_storable(ctx.node, x.type);
  infer_output(ctx, 0) = TypeShape{x.type, x.rank_known, x.shape, nullptr};
}

std::unique_ptr<Kernel> build_identity(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  return function_kernel([](RunContext& ctx) { set_output(ctx, 0, ctx.input(0)); });
}

// The mask is bool from opset 10, the input's type before.
DataType mask_type(std::int64_t opset, DataType x) { return opset >= 10 ? DataType::boolean : x; }

void infer_dropout(InferContext& ctx) {
  infer_identity(ctx);
  if (has_output(ctx.node, 1)) {
    const TypeShape& x = ctx.input(0);
    infer_output(ctx, 1) = TypeShape{mask_type(ctx.opset, x.type), x.rank_known, x.shape, nullptr};
  }
}

bool training_mode_true(const Tensor& t) { return t.size() > 0 && t.to_double()[0] != 0.0; }

std::unique_ptr<Kernel> build_dropout(const BuildContext& ctx) {
  check_storable(ctx.node, ctx.input(0).type);
  // training_mode (input 2, opset 12+): a constant true is refused now, a computed one when it is true at run time.
  if (ctx.opset >= 12 && ctx.has_input(2) && ctx.input(2).value != nullptr && training_mode_true(*ctx.input(2).value))
    unsupported(ctx.node, "input 'training_mode' = true is not supported (inference only)");
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    if (opset >= 12 && ctx.has_input(2) && training_mode_true(*ctx.inputs[2]))
      unsupported(ctx.node, "input 'training_mode' = true is not supported (inference only)");
    set_output(ctx, 0, x);
    if (has_output(ctx.node, 1)) {
      Tensor mask(mask_type(opset, x.type()), x.shape());
      if (mask.type() == DataType::boolean) {
        if (mask.byte_size() > 0) std::memset(mask.bytes(), 1, mask.byte_size());
      } else {
        visit_numeric(ctx.node, mask.type(), [&](auto zero) {
          using T = decltype(zero);
          std::fill(mask.data<T>(), mask.data<T>() + mask.size(), T{1});
        });
      }
      set_output(ctx, 1, std::move(mask));
    }
  });
}

}  // namespace

void add_shape_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Reshape", 5, infer_reshape, build_reshape});
  ops.push_back(OpDef{"", "Flatten", 1, infer_flatten, build_flatten});
  ops.push_back(OpDef{"", "Transpose", 1, infer_transpose, build_transpose});
  ops.push_back(OpDef{"", "Concat", 1, infer_concat, build_concat});
  ops.push_back(OpDef{"", "Squeeze", 1, infer_squeeze, build_squeeze<true>});
  ops.push_back(OpDef{"", "Unsqueeze", 1, infer_unsqueeze, build_squeeze<false>});
  ops.push_back(OpDef{"", "Gather", 1, infer_gather, build_gather});
  ops.push_back(OpDef{"", "Shape", 1, infer_shape, build_shape});
  ops.push_back(OpDef{"", "Constant", 1, infer_constant, build_constant});
  ops.push_back(OpDef{"", "Identity", 1, infer_identity, build_identity});
  ops.push_back(OpDef{"", "Dropout", 1, infer_dropout, build_dropout});
}

}  // namespace quantlab::model::ops
