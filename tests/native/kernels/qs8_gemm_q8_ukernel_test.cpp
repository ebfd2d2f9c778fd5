// The int8 GEMM tiles with fused per-row requantization (qs8_gemm_<out>_fp32_4x8c2,
// microkernels.h) against an int64 triple loop with eq. K9 written out, bit for
// bit, for every available instruction set: rows 1..4 (rows past mr alias the
// last), columns 1..8, depths 2..288 and 4096, uint8 and int8 codes, clamps,
// inits that wrap int32, the extreme values of eq. K7, and guard bytes around
// every output row.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/kernel_reference.h"
#include "quantlab/kernels/config.h"

namespace quantlab::kernels::test {
namespace {

template <class TOut>
Qs8GemmQ8Ukernel<TOut> fused(const KernelConfig& cfg) {
  if constexpr (std::is_same_v<TOut, std::uint8_t>) return cfg.qs8_gemm_qu8;
  else return cfg.qs8_gemm_qs8;
}

struct Case {
  std::size_t mr, nc, kc;
  bool extremes = false;
  bool wrap = false;  ///< inits near INT32_MAX: the sum wraps modulo 2^32
};

template <class TOut>
void check(Isa isa, const Case& c, std::mt19937& rng) {
  SCOPED_TRACE("mr " + std::to_string(c.mr) + " nc " + std::to_string(c.nc) + " kc " + std::to_string(c.kc) +
               (c.extremes ? " extremes" : "") + (c.wrap ? " wrap" : "") +
               (std::is_signed_v<TOut> ? " int8 out" : " uint8 out"));
  std::uniform_int_distribution<int> a_d(-255, 255), w_d(-128, 127), coin(0, 1);
  const std::size_t a_stride = c.kc + 6;
  std::vector<std::int16_t> a(4 * a_stride);
  for (auto& v : a) v = static_cast<std::int16_t>(c.extremes ? (coin(rng) ? 255 : -255) : a_d(rng));
  std::vector<Qs8PanelRow> panel(c.kc / kQs8KR);
  for (auto& row : panel)
    for (auto& col : row.w)
      for (auto& v : col) v = static_cast<std::int8_t>(c.extremes ? (coin(rng) ? 127 : -128) : w_d(rng));
  std::vector<std::int32_t> init(c.mr);
  std::vector<float> scale(c.mr);
  for (std::size_t i = 0; i < c.mr; ++i) {
    init[i] = c.wrap ? INT32_MAX - static_cast<std::int32_t>(i) : std::uniform_int_distribution<std::int32_t>(-50000, 50000)(rng);
    scale[i] = c.extremes ? 1.0f / 65536.0f : std::uniform_real_distribution<float>(1e-5f, 2e-3f)(rng);
  }
  const std::int32_t lo = std::is_signed_v<TOut> ? -128 : 0, hi = std::is_signed_v<TOut> ? 127 : 255;
  const std::int32_t zp = std::uniform_int_distribution<std::int32_t>(lo, hi)(rng);
  const Q8OutputParams p{zp, coin(rng) ? zp : lo, hi - (coin(rng) ? 5 : 0)};

  const std::size_t out_stride = 13;  // 8 columns + 5 guard bytes per row
  std::vector<TOut> out(4 * out_stride, static_cast<TOut>(77));
  fused<TOut>(kernel_config(isa))(c.mr, c.nc, c.kc, a.data(), a_stride, reinterpret_cast<const std::int8_t*>(panel.data()),
                                  init.data(), scale.data(), p, out.data(), out_stride);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < out_stride; ++j) {
      if (i >= c.mr || j >= c.nc) {
        ASSERT_EQ(int{out[i * out_stride + j]}, 77) << "written outside the tile at " << i << "," << j;
        continue;
      }
      std::int64_t acc = 0;
      for (std::size_t k = 0; k < c.kc; ++k) acc += std::int64_t{a[i * a_stride + k]} * panel[k / 2].w[j][k % 2];
      const auto wrapped = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(init[i]));
      ASSERT_EQ(int{out[i * out_stride + j]}, reference_requantize(wrapped, scale[i], p.zero_point, p.min, p.max))
          << "at " << i << "," << j;
    }
}

class Qs8GemmQ8UkernelTest : public testing::TestWithParam<Isa> {};

TEST_P(Qs8GemmQ8UkernelTest, TilesMatchTheReference) {
  std::mt19937 rng(4099);
  for (std::size_t mr = 1; mr <= 4; ++mr)
    for (std::size_t nc = 1; nc <= kQs8NR; ++nc)
      for (std::size_t kc : {2, 4, 18, 144, 288}) {
        check<std::uint8_t>(GetParam(), {mr, nc, kc}, rng);
        check<std::int8_t>(GetParam(), {mr, nc, kc}, rng);
      }
}

TEST_P(Qs8GemmQ8UkernelTest, ExtremesAndWrappingInits) {
  std::mt19937 rng(4111);
  for (std::size_t mr : {1, 4})
    for (std::size_t nc : {3, 8}) {
      check<std::int8_t>(GetParam(), {mr, nc, 4096, true, false}, rng);
      check<std::uint8_t>(GetParam(), {mr, nc, 130, true, true}, rng);
      check<std::int8_t>(GetParam(), {mr, nc, 64, false, true}, rng);
    }
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }
INSTANTIATE_TEST_SUITE_P(Kernels, Qs8GemmQ8UkernelTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
