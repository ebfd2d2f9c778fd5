// plan_broadcast — collapses two broadcast shapes into the fewest loops.
#include "model/ops/broadcast.h"

#include <algorithm>

#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

BroadcastPlan plan_broadcast(const Node& node, const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  BroadcastPlan plan;
  plan.out_shape = broadcast_shapes(node, a, b);
  check_buffer(node, plan.out_shape, sizeof(std::int64_t), "the broadcast output");
  plan.out_size = static_cast<std::size_t>(element_count(plan.out_shape));
  const std::size_t rank = plan.out_shape.size();
  // Per output dim: its size and whether a / b hold it (false: broadcast).
  struct Dim {
    std::size_t size;
    bool in_a, in_b;
  };
  std::vector<Dim> dims;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    const std::size_t size = static_cast<std::size_t>(plan.out_shape[i]);
    if (size == 1) continue;  // nothing to loop over
    const Dim d{size, da != 1, db != 1};
    if (!dims.empty() && dims.back().in_a == d.in_a && dims.back().in_b == d.in_b) {
      dims.back().size *= d.size;  // same pattern as the outer neighbour: one loop
    } else {
      dims.push_back(d);
    }
  }
  if (dims.empty()) dims.push_back(Dim{1, true, true});
  const std::size_t n = dims.size();
  plan.dims.resize(n);
  plan.stride_a.resize(n);
  plan.stride_b.resize(n);
  std::size_t run_a = 1, run_b = 1;
  for (std::size_t i = n; i-- > 0;) {
    plan.dims[i] = dims[i].size;
    plan.stride_a[i] = dims[i].in_a ? run_a : 0;
    plan.stride_b[i] = dims[i].in_b ? run_b : 0;
    if (dims[i].in_a) run_a *= dims[i].size;
    if (dims[i].in_b) run_b *= dims[i].size;
  }
  return plan;
}

}  // namespace quantlab::model::ops
