// Requantization kernels (eq. K6, K9, K10): each instruction set's kernel equal to
// eq. K9 written out in the test (reference_requantize), over n = 1..67, the
// usual zero points, clamps, round-half-to-even ties and sums beyond 2^24.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/gemm_tester.h"
#include "kernels/kernel_reference.h"
#include "quantlab/kernels/config.h"

namespace quantlab::kernels::test {
namespace {

constexpr std::int32_t kUint8ZeroPoints[] = {0, 18, 75, 128, 157, 231, 255};
constexpr std::int32_t kInt8ZeroPoints[] = {-128, -110, -53, 0, 29, 103, 127};

// One row of accumulators with its corrections, and the exact corrected sums.
struct Row {
  std::vector<std::int32_t> acc, col_offset, b_zero_point;
  std::int32_t row_sum = 0;
  std::vector<std::int64_t> exact;  // eq. K6 in int64
  std::vector<float> scale;

  Q8RowCorrection correction() const { return {col_offset.data(), b_zero_point.data(), row_sum}; }
};

Row random_row(std::size_t n, std::uint32_t seed, std::int32_t magnitude, float scale) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> acc(-magnitude, magnitude);
  std::uniform_int_distribution<std::int32_t> off(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<std::int32_t> zb(-128, 127);
  Row r;
  r.row_sum = std::uniform_int_distribution<std::int32_t>(0, 255 * 4096)(rng);
  for (std::size_t j = 0; j < n; ++j) {
    r.acc.push_back(acc(rng));
    r.col_offset.push_back(off(rng));
    r.b_zero_point.push_back(j % 3 == 0 ? 0 : zb(rng));
    r.exact.push_back(std::int64_t{r.acc[j]} + r.col_offset[j] - std::int64_t{r.b_zero_point[j]} * r.row_sum);
    r.scale.push_back(scale * (1.0f + 0.125f * static_cast<float>(j % 5)));
  }
  return r;
}

class RequantTest : public testing::TestWithParam<Isa> {
 protected:
  const KernelConfig& config() const { return kernel_config(GetParam()); }

  void expect_qu8(const Row& r, const Q8OutputParams& p, const std::string& what) const {
    const std::size_t n = r.acc.size();
    std::vector<std::uint8_t> out = sentinel_buffer<std::uint8_t>(1, n, n);
    config().requant_qu8(n, r.acc.data(), r.correction(), r.scale.data(), p, out.data());
    for (std::size_t j = 0; j < n; ++j) {
      ASSERT_TRUE(r.exact[j] >= INT32_MIN && r.exact[j] <= INT32_MAX);
      const std::int32_t expected = reference_requantize(r.exact[j], r.scale[j], p.zero_point, p.min, p.max);
      ASSERT_EQ(out[j], expected) << what << ", n = " << n << ", j = " << j << ", sum " << r.exact[j];
    }
    expect_untouched_outside(out, 1, n, n);
  }

  void expect_qs8(const Row& r, const Q8OutputParams& p, const std::string& what) const {
    const std::size_t n = r.acc.size();
    std::vector<std::int8_t> out = sentinel_buffer<std::int8_t>(1, n, n);
    config().requant_qs8(n, r.acc.data(), r.correction(), r.scale.data(), p, out.data());
    for (std::size_t j = 0; j < n; ++j) {
      const std::int32_t expected = reference_requantize(r.exact[j], r.scale[j], p.zero_point, p.min, p.max);
      ASSERT_EQ(out[j], expected) << what << ", n = " << n << ", j = " << j << ", sum " << r.exact[j];
    }
    expect_untouched_outside(out, 1, n, n);
  }
};

TEST_P(RequantTest, uint8_n_1_to_67_all_zero_points) {
  for (std::size_t n = 1; n <= 67; ++n) {
    for (std::int32_t zp : kUint8ZeroPoints) {
      const Row r = random_row(n, static_cast<std::uint32_t>(n * 131 + zp), 1 << 22, 1.0f / 16384.0f);
      expect_qu8(r, {zp, 0, 255}, "zero point " + std::to_string(zp));
    }
  }
}

TEST_P(RequantTest, int8_n_1_to_67_all_zero_points) {
  for (std::size_t n = 1; n <= 67; ++n) {
    for (std::int32_t zp : kInt8ZeroPoints) {
      const Row r = random_row(n, static_cast<std::uint32_t>(n * 137 + zp + 128), 1 << 22, 1.0f / 16384.0f);
      expect_qs8(r, {zp, -128, 127}, "zero point " + std::to_string(zp));
    }
  }
}

TEST_P(RequantTest, qmin_qmax_clamp) {
  const Row r = random_row(37, 7, 1 << 24, 1.0f / 8192.0f);
  expect_qu8(r, {128, 40, 200}, "clamp [40, 200]");
  expect_qs8(r, {-3, -100, 90}, "clamp [-100, 90]");
}

TEST_P(RequantTest, fused_relu_is_qmin_eq_zero_point) {
  const Row r = random_row(29, 11, 1 << 22, 1.0f / 16384.0f);
  expect_qu8(r, {75, 75, 255}, "relu");
  expect_qs8(r, {-20, -20, 127}, "relu");
}

TEST_P(RequantTest, rounds_half_to_even) {
  // scale 0.5 on odd sums: every product is an exact tie x.5.
  Row r;
  for (std::int32_t v : {1, 3, 5, 7, -1, -3, -5, -7, 253, -255, 9, 11, 13, 15, 17, 19, 21}) {
    r.acc.push_back(v);
    r.col_offset.push_back(0);
    r.b_zero_point.push_back(0);
    r.exact.push_back(v);
    r.scale.push_back(0.5f);
  }
  expect_qs8(r, {0, -128, 127}, "ties");
  // Spot values: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2.
  std::vector<std::int8_t> out(r.acc.size());
  config().requant_qs8(r.acc.size(), r.acc.data(), r.correction(), r.scale.data(), {0, -128, 127}, out.data());
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 2);
  EXPECT_EQ(out[2], 2);
  EXPECT_EQ(out[4], 0);
  EXPECT_EQ(out[5], -2);
}

TEST_P(RequantTest, sums_beyond_2_pow_24_round_in_the_conversion) {
  // |acc| > 2^24 is not exact in fp32; eq. K9 rounds it first, as the kernels do.
  const Row r = random_row(41, 13, (1 << 30), 1.0f / (1 << 23));
  expect_qu8(r, {128, 0, 255}, "large sums");
}

TEST_P(RequantTest, dequantize_to_fp32) {
  for (std::size_t n = 1; n <= 67; n += 3) {
    const Row r = random_row(n, static_cast<std::uint32_t>(n), 1 << 26, 1.0f / 3000.0f);
    std::vector<float> bias(n);
    for (std::size_t j = 0; j < n; ++j) bias[j] = 0.25f * static_cast<float>(j % 9) - 1.0f;
    for (const F32MinMax clamp : {F32MinMax{-INFINITY, INFINITY}, F32MinMax{0.0f, 6.0f}}) {
      std::vector<float> out = sentinel_buffer<float>(1, n, n);
      config().dequant_f32(n, r.acc.data(), r.correction(), r.scale.data(), bias.data(), clamp, out.data());
      for (std::size_t j = 0; j < n; ++j) {
        float expected = static_cast<float>(static_cast<std::int32_t>(r.exact[j])) * r.scale[j];
        expected = expected + bias[j];
        expected = expected < clamp.min ? clamp.min : (clamp.max < expected ? clamp.max : expected);
        ASSERT_EQ(0, std::memcmp(&out[j], &expected, sizeof(float))) << "n = " << n << ", j = " << j << ": " << out[j]
                                                                        << " vs eq. K10 " << expected;
      }
      expect_untouched_outside(out, 1, n, n);
    }
  }
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Kernels, RequantTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
