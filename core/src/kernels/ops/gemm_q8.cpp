// gemm_q8, gemm_q8_f32, gemm_q8_s32 — int8 GEMM and matrix-vector operators (eq. K4-K10).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "../requant/requant_math.h"
#include "blocking.h"
#include "gemm_q8_driver.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::kernels {

namespace {

// Packs blocks of A and hands every tile row to `epilogue(m, n0, nc, acc, correction)`.
template <class Epilogue>
void gemm_q8_rows(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, Isa isa, Epilogue&& epilogue) {
  w.check();
  detail::check_q8_input(a, w.k, m);
  if (m == 0) return;
  const KernelConfig& cfg = kernel_config(isa);
  const std::vector<std::int32_t> col_offset = detail::column_offsets(w, a.zero_point);
  const std::size_t kp = w.k_padded;
  const std::size_t mc = detail::block_rows(m, kp * sizeof(std::int16_t), cfg.qs8_mr);
  std::unique_ptr<std::int16_t[]> a_packed(new std::int16_t[mc * kp]);  // fully written by the packing: no zeroing
  std::vector<std::int32_t> row_sums(mc);
  for (std::size_t m0 = 0; m0 < m; m0 += mc) {
    const std::size_t mb = std::min(mc, m - m0);
    if (a.u8 != nullptr) {
      pack_a_qu8_c2(mb, w.k, a.u8 + m0 * a.stride, a.stride, kp, a_packed.get(), row_sums.data());
    } else {
      pack_a_qs8_c2(mb, w.k, a.s8 + m0 * a.stride, a.stride, kp, a_packed.get(), row_sums.data());
    }
    detail::run_q8_block(mb, a_packed.get(), row_sums.data(), w, col_offset.data(), cfg,
                         [&](std::size_t row, std::size_t n0, std::size_t nc, const std::int32_t* acc,
                             const Q8RowCorrection& correction) { epilogue(m0 + row, n0, nc, acc, correction); });
  }
}

}  // namespace

void gemm_q8(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, const Q8Output& out, Isa isa) {
  w.check();
  detail::check_q8_output(out);
  if (m > 0 && out.stride < w.n) throw InvalidArgument("output stride " + std::to_string(out.stride) + " < N = " + std::to_string(w.n));
  detail::check_elements(detail::checked_mul(m, out.stride, "output"), "output");
  const std::vector<float> scale = detail::expand_scales(out.scale, w.n, w.bias.size());
  const Q8OutputParams params{out.zero_point, out.min, out.max};
  const KernelConfig& cfg = kernel_config(isa);
  gemm_q8_rows(m, a, w, isa, [&](std::size_t row, std::size_t n0, std::size_t nc, const std::int32_t* acc,
                                 const Q8RowCorrection& correction) {
    if (out.u8 != nullptr) {
      cfg.requant_qu8(nc, acc, correction, scale.data() + n0, params, out.u8 + row * out.stride + n0);
    } else {
      cfg.requant_qs8(nc, acc, correction, scale.data() + n0, params, out.s8 + row * out.stride + n0);
    }
  });
}

void gemm_q8_f32(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, const F32Output& out, Isa isa) {
  w.check();
  if (out.data == nullptr) throw InvalidArgument("fp32 output pointer is null");
  if (m > 0 && out.stride < w.n) throw InvalidArgument("output stride " + std::to_string(out.stride) + " < N = " + std::to_string(w.n));
  detail::check_elements(detail::checked_mul(m, out.stride, "output"), "output");
  const std::vector<float> scale = detail::expand_scales(out.scale, w.n, w.bias.size());
  if (!out.bias.empty() && out.bias.size() != w.n) {
    throw InvalidArgument("fp32 bias needs N = " + std::to_string(w.n) + " values, got " + std::to_string(out.bias.size()));
  }
  std::vector<float> bias(w.bias.size(), 0.0f);
  std::copy(out.bias.begin(), out.bias.end(), bias.begin());
  const KernelConfig& cfg = kernel_config(isa);
  gemm_q8_rows(m, a, w, isa, [&](std::size_t row, std::size_t n0, std::size_t nc, const std::int32_t* acc,
                                 const Q8RowCorrection& correction) {
    cfg.dequant_f32(nc, acc, correction, scale.data() + n0, bias.data() + n0, out.clamp, out.data + row * out.stride + n0);
  });
}

void gemm_q8_s32(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, std::int32_t* c, std::size_t c_stride,
                 Isa isa) {
  w.check();
  if (c == nullptr) throw InvalidArgument("int32 output pointer is null");
  if (m > 0 && c_stride < w.n) throw InvalidArgument("output stride " + std::to_string(c_stride) + " < N = " + std::to_string(w.n));
  detail::check_elements(detail::checked_mul(m, c_stride, "output"), "output");
  gemm_q8_rows(m, a, w, isa, [&](std::size_t row, std::size_t n0, std::size_t nc, const std::int32_t* acc,
                                 const Q8RowCorrection& correction) {
    std::int32_t* dst = c + row * c_stride + n0;
    for (std::size_t j = 0; j < nc; ++j) {
      dst[j] = detail::corrected_accumulator(acc[j], correction.col_offset[j], correction.b_zero_point[j], correction.row_sum);
    }
  });
}

}  // namespace quantlab::kernels
