// broadcast.h (internal) — numpy-style (multidirectional) broadcasting of two
// tensors for the elementwise ops.
//
// The two shapes are aligned on the right; dims where both inputs are 1 are
// dropped and neighbouring dims that broadcast the same way are merged, so
// the loop nest is as shallow as the broadcast allows: same shapes become one
// flat loop, a scalar or a per-channel operand (N×C×H×W with C×1×1) becomes an
// inner run of contiguous elements against one value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/ops/op.h"

namespace quantlab::model::ops {

/// @brief How two shapes broadcast, with the dims collapsed for the loops.
struct BroadcastPlan {
  std::vector<std::int64_t> out_shape;
  std::vector<std::size_t> dims;      ///< collapsed output dims, outermost first (at least one)
  std::vector<std::size_t> stride_a;  ///< elements to step in a per collapsed dim (0: broadcast)
  std::vector<std::size_t> stride_b;
  std::size_t out_size = 0;
};

/// The plan for a ∘ b; InvalidArgument naming the node when the shapes do not broadcast.
BroadcastPlan plan_broadcast(const Node& node, const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);

/// out[i] = f(a[ia], b[ib]) over the broadcast output (out has plan.out_size elements).
template <class TA, class TB, class TO, class F>
void broadcast_apply(const BroadcastPlan& plan, const TA* a, const TB* b, TO* out, F f) {
  if (plan.out_size == 0) return;
  const std::size_t rank = plan.dims.size();
  const std::size_t inner = plan.dims[rank - 1];
  const std::size_t sa = plan.stride_a[rank - 1];
  const std::size_t sb = plan.stride_b[rank - 1];
  // Collapsing leaves an innermost stride of 1 (contiguous) or 0 (broadcast);
  // the three loops below are what the compiler vectorizes.
  auto run_inner = [&](const TA* pa, const TB* pb, TO* po) {
    if (sa != 0 && sb != 0) {
      for (std::size_t i = 0; i < inner; ++i) po[i] = f(pa[i], pb[i]);
    } else if (sa != 0) {
      const TB vb = *pb;
      for (std::size_t i = 0; i < inner; ++i) po[i] = f(pa[i], vb);
    } else if (sb != 0) {
      const TA va = *pa;
      for (std::size_t i = 0; i < inner; ++i) po[i] = f(va, pb[i]);
    } else {
      const TO v = f(*pa, *pb);
      for (std::size_t i = 0; i < inner; ++i) po[i] = v;
    }
  };
  if (rank == 1) {
    run_inner(a, b, out);
    return;
  }
  std::vector<std::size_t> index(rank - 1, 0);
  std::size_t offset_a = 0, offset_b = 0;
  const std::size_t outer = plan.out_size / inner;
  for (std::size_t o = 0; o < outer; ++o) {
    run_inner(a + offset_a, b + offset_b, out + o * inner);
    for (std::size_t d = rank - 1; d-- > 0;) {  // odometer over the outer dims
      if (++index[d] < plan.dims[d]) {
        offset_a += plan.stride_a[d];
        offset_b += plan.stride_b[d];
        break;
      }
      index[d] = 0;
      offset_a -= plan.stride_a[d] * (plan.dims[d] - 1);
      offset_b -= plan.stride_b[d] * (plan.dims[d] - 1);
    }
  }
}

}  // namespace quantlab::model::ops
