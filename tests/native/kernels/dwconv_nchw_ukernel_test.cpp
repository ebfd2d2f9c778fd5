// The NCHW depthwise plane microkernels (dwconv_nchw_*, microkernels.h)
// against an int64 reference with eq. K9 written out, bit for bit, for every
// available instruction set: widths 1..35 around the 8-pixel steps, 1 to 3
// rows, tap counts 2..26 (10: the 3×3 path), strides 1, 2 (SIMD) and 3 (the
// scalar fallback), int8 and uint8 outputs, clamps, and the extreme values of
// eq. K7; nothing is written past the plane.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/kernel_reference.h"
#include "quantlab/kernels/config.h"

namespace quantlab::kernels::test {
namespace {

struct RowCase {
  std::size_t height, width, taps, stride;
  bool extremes;  ///< inputs and weights at the ends of their ranges
};

template <class TOut>
DwConvNchwQ8Ukernel<TOut> row_kernel(const KernelConfig& cfg) {
  if constexpr (std::is_same_v<TOut, std::uint8_t>) return cfg.dwconv_nchw_qu8;
  else return cfg.dwconv_nchw_qs8;
}

template <class TOut>
void check_rows(Isa isa, const RowCase& c, std::mt19937& rng) {
  SCOPED_TRACE(std::to_string(c.height) + " rows, width " + std::to_string(c.width) + " taps " + std::to_string(c.taps) + " stride " +
               std::to_string(c.stride) + (c.extremes ? " extremes" : "") +
               (std::is_signed_v<TOut> ? " int8 out" : " uint8 out"));
  std::uniform_int_distribution<int> byte(-128, 127), weight(-255, 255), coin(0, 1);
  // Output rows 40 bytes apart; taps anywhere in the next 2 rows and a bit.
  const std::size_t row_bytes = 40, rows = c.height + 3;
  std::vector<std::int8_t> plane(rows * row_bytes + 64);
  for (auto& v : plane) v = static_cast<std::int8_t>(c.extremes ? (coin(rng) ? 127 : -128) : byte(rng));
  std::vector<std::size_t> offset(c.taps);
  std::vector<std::int16_t> w(c.taps);
  std::uniform_int_distribution<std::size_t> place(0, 2 * row_bytes + 3);
  for (std::size_t t = 0; t < c.taps; ++t) {
    offset[t] = place(rng);
    w[t] = static_cast<std::int16_t>(c.extremes ? (coin(rng) ? 255 : -255) : weight(rng));
  }
  std::uniform_int_distribution<std::int32_t> init_d(-100000, 100000);
  const std::int32_t init = init_d(rng);
  const float scale = c.extremes ? 1.0f / 4096.0f : std::uniform_real_distribution<float>(1e-4f, 3e-2f)(rng);
  const std::int32_t lo = std::is_signed_v<TOut> ? -128 : 0, hi = std::is_signed_v<TOut> ? 127 : 255;
  const std::int32_t zp = std::uniform_int_distribution<std::int32_t>(lo, hi)(rng);
  const Q8OutputParams p{zp, coin(rng) ? zp : lo, hi - (coin(rng) ? 3 : 0)};

  const std::size_t n = c.height * c.width;
  std::vector<TOut> want(n);
  for (std::size_t y = 0; y < c.height; ++y)
    for (std::size_t x = 0; x < c.width; ++x) {
      std::int64_t acc = init;
      for (std::size_t t = 0; t < c.taps; ++t)
        acc += std::int64_t{plane[y * row_bytes + x * c.stride + offset[t]]} * w[t];
      want[y * c.width + x] = static_cast<TOut>(reference_requantize(acc, scale, p.zero_point, p.min, p.max));
    }
  const std::size_t guard = 9;
  std::vector<TOut> got(n + guard, static_cast<TOut>(42));
  row_kernel<TOut>(kernel_config(isa))(c.height, c.width, c.taps, plane.data(), row_bytes, c.stride, offset.data(),
                                       w.data(), init, scale, p, got.data());
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(int{got[i]}, int{want[i]}) << "output " << i;
  for (std::size_t i = n; i < n + guard; ++i) ASSERT_EQ(int{got[i]}, 42) << "written past the plane at " << i;
}

class DwConvNchwUkernelTest : public testing::TestWithParam<Isa> {};

TEST_P(DwConvNchwUkernelTest, PlanesMatchTheReference) {
  std::mt19937 rng(2027);
  for (std::size_t stride : {1, 2, 3})
    for (std::size_t taps : {2, 4, 10, 26})
      for (std::size_t width = 1; width <= 35; width += (width < 18 ? 1 : 5))
        for (std::size_t height : {1, 3})
          for (bool extremes : {false, true}) {
            check_rows<std::uint8_t>(GetParam(), {height, width, taps, stride, extremes}, rng);
            check_rows<std::int8_t>(GetParam(), {height, width, taps, stride, extremes}, rng);
          }
}

TEST_P(DwConvNchwUkernelTest, AccumulatorsWrapModulo2To32AsTheScalarTwin) {
  // An init near INT32_MAX: the sum wraps in both twins the same way.
  const Isa isa = GetParam();
  std::vector<std::int8_t> plane(64, 127);
  const std::vector<std::size_t> offset{0, 1};
  const std::vector<std::int16_t> w{255, 255};
  const Q8OutputParams p{0, -128, 127};
  std::vector<std::int8_t> simd(9), scalar(9);
  kernel_config(isa).dwconv_nchw_qs8(1, 9, 2, plane.data(), 0, 1, offset.data(), w.data(), INT32_MAX - 10, 1e-9f, p,
                                     simd.data());
  kernel_config(Isa::scalar).dwconv_nchw_qs8(1, 9, 2, plane.data(), 0, 1, offset.data(), w.data(), INT32_MAX - 10,
                                             1e-9f, p, scalar.data());
  EXPECT_EQ(simd, scalar);
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }
INSTANTIATE_TEST_SUITE_P(Kernels, DwConvNchwUkernelTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
