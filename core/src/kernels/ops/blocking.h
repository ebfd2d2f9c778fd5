// blocking.h (internal) — how many rows of A one block holds.
#pragma once

#include <algorithm>
#include <cstddef>

namespace quantlab::kernels::detail {

/// Bytes of A (packed or not) a block may hold: about half of a 512 KiB L2,
/// so the block stays cached while every weight panel streams over it.
inline constexpr std::size_t kABlockBytes = 192 * 1024;

/// Rows per block: a multiple of mr, at least mr, at most m.
inline std::size_t block_rows(std::size_t m, std::size_t row_bytes, std::size_t mr) {
  std::size_t rows = kABlockBytes / std::max<std::size_t>(row_bytes, 1);
  rows = std::max(mr, rows / mr * mr);
  return std::min(rows, m);
}

}  // namespace quantlab::kernels::detail
