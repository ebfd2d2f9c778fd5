// gemm_q8_driver.h (internal) — the loops shared by the int8 GEMM and convolution.
//
// A block of A is widened to int16 (pack_a_*_c2, or im2col for convolution)
// together with its row sums; then every weight panel meets every row tile,
// the microkernel fills an int32 tile, and an epilogue turns each tile row
// into outputs (eq. K6-K10).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::kernels::detail {

/// Tallest tile any int8 kernel computes.
inline constexpr std::size_t kMaxQs8MR = 4;

/// col_offset[n] = bias[n] - za * colsum[n] + K * za * zb[n] (eq. K6), modulo
/// 2^32 like the kernels' int32 arithmetic, one value per packed column.
inline std::vector<std::int32_t> column_offsets(const PackedWeightsQs8& w, std::int32_t a_zero_point) {
  std::vector<std::int32_t> out(w.bias.size());
  const auto za = static_cast<std::uint32_t>(a_zero_point);
  const auto k = static_cast<std::uint32_t>(w.k);
  for (std::size_t j = 0; j < out.size(); ++j) {
    const std::uint32_t v = static_cast<std::uint32_t>(w.bias[j]) - za * static_cast<std::uint32_t>(w.column_sums[j]) +
                            k * za * static_cast<std::uint32_t>(w.zero_point[j]);
    out[j] = static_cast<std::int32_t>(v);
  }
  return out;
}

/// Columns per block: 8 panels. A block of B (K × 64 bytes) stays in L2 while
/// each row tile of A (in L1) meets its 8 panels, and the epilogue then
/// handles 64 values per row in one call instead of 8.
inline constexpr std::size_t kQ8ColumnBlock = 8 * kQs8NR;

/// Runs `rows` packed rows (row stride w.k_padded) against every panel; calls
/// epilogue(row, n0, nc, acc, correction) once per row of each tile block,
/// where acc holds nc <= kQ8ColumnBlock int32 sums of columns n0..n0+nc.
template <class Epilogue>
void run_q8_block(std::size_t rows, const std::int16_t* a_packed, const std::int32_t* row_sums,
                  const PackedWeightsQs8& w, const std::int32_t* col_offset, const KernelConfig& cfg,
                  Epilogue&& epilogue) {
  const std::size_t mr = cfg.qs8_mr;
  const std::size_t kp = w.k_padded;
  std::int32_t tile[kMaxQs8MR * kQ8ColumnBlock];
  for (std::size_t n0 = 0; n0 < w.n; n0 += kQ8ColumnBlock) {
    const std::size_t nb = std::min(kQ8ColumnBlock, w.n - n0);
    for (std::size_t i = 0; i < rows; i += mr) {
      const std::size_t r = std::min(mr, rows - i);
      // A single row (batch 1, or the last row of a block) takes the
      // matrix-vector kernel, four panels per call; taller tiles the MR×8 one.
      const Qs8GemmUkernel ukernel = r == 1 ? cfg.qs8_gemv : cfg.qs8_gemm;
      const std::size_t step = r == 1 ? kGemvNR : kQs8NR;
      for (std::size_t j = 0; j < nb; j += step) {
        ukernel(r, std::min(step, nb - j), kp, a_packed + i * kp, kp, w.panel((n0 + j) / kQs8NR), tile + j,
                kQ8ColumnBlock);
      }
      for (std::size_t t = 0; t < r; ++t) {
        const Q8RowCorrection correction{col_offset + n0, w.zero_point.data() + n0, row_sums[i + t]};
        epilogue(i + t, n0, nb, tile + t * kQ8ColumnBlock, correction);
      }
    }
  }
}

/// Checks a Q8Input for a GEMM of depth k.
inline void check_q8_input(const Q8Input& a, std::size_t k, std::size_t m) {
  if ((a.u8 == nullptr) == (a.s8 == nullptr)) throw InvalidArgument("quantized input: set exactly one of u8 and s8");
  if (a.u8 != nullptr && (a.zero_point < 0 || a.zero_point > 255)) {
    throw InvalidArgument("uint8 input zero point " + std::to_string(a.zero_point) + " is outside 0..255");
  }
  if (a.s8 != nullptr && (a.zero_point < -128 || a.zero_point > 127)) {
    throw InvalidArgument("int8 input zero point " + std::to_string(a.zero_point) + " is outside -128..127");
  }
  if (m > 0 && a.stride < k) {
    throw InvalidArgument("input stride " + std::to_string(a.stride) + " < K = " + std::to_string(k));
  }
  check_elements(checked_mul(m, a.stride, "input"), "input");
}

/// Expands 1 or n scales to one per packed column; checks they are finite and > 0.
inline std::vector<float> expand_scales(const std::vector<float>& scale, std::size_t n, std::size_t columns) {
  if (scale.size() != 1 && scale.size() != n) {
    throw InvalidArgument("output scale needs 1 (per tensor) or N = " + std::to_string(n) + " (per channel) values, got " +
                          std::to_string(scale.size()));
  }
  std::vector<float> out(columns, 1.0f);
  for (std::size_t j = 0; j < n; ++j) {
    const float s = scale.size() == 1 ? scale[0] : scale[j];
    if (!(s > 0.0f) || !(s < 3.4e38f)) throw InvalidArgument("output scale must be finite and > 0, got " + std::to_string(s));
    out[j] = s;
  }
  return out;
}

/// Checks a Q8Output's type, zero point and clamp.
inline void check_q8_output(const Q8Output& out) {
  if ((out.u8 == nullptr) == (out.s8 == nullptr)) throw InvalidArgument("quantized output: set exactly one of u8 and s8");
  const std::int32_t lo = out.u8 != nullptr ? 0 : -128;
  const std::int32_t hi = out.u8 != nullptr ? 255 : 127;
  const char* type = out.u8 != nullptr ? "uint8" : "int8";
  if (out.zero_point < lo || out.zero_point > hi) {
    throw InvalidArgument(std::string(type) + " output zero point " + std::to_string(out.zero_point) + " is out of range");
  }
  if (out.min < lo || out.max > hi || out.min > out.max) {
    throw InvalidArgument(std::string(type) + " output clamp [" + std::to_string(out.min) + ", " + std::to_string(out.max) +
                          "] is not an ordered range of the type");
  }
}

}  // namespace quantlab::kernels::detail
