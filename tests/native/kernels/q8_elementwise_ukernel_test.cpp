// The code-level element kernels against plain loops written out here, bit
// for bit, for every available instruction set: 2×2 stride-2 max pooling of
// rows of 1..40 outputs (int8 and uint8, extremes), and quantized addition
// (vadd: DequantizeLinear → Add → QuantizeLinear in fp32) of 1..70 codes
// (around the 16-code steps), with clamps, ties and saturation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "quantlab/kernels/config.h"

namespace quantlab::kernels::test {
namespace {

template <class T>
MaxPool2x2Ukernel<T> maxpool(const KernelConfig& cfg) {
  if constexpr (std::is_same_v<T, std::uint8_t>) return cfg.maxpool2x2_qu8;
  else return cfg.maxpool2x2_qs8;
}

template <class T>
VAddQ8Ukernel<T> vadd(const KernelConfig& cfg) {
  if constexpr (std::is_same_v<T, std::uint8_t>) return cfg.vadd_qu8;
  else return cfg.vadd_qs8;
}

template <class T>
T random_code(std::mt19937& rng, bool extremes) {
  const int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  if (extremes) return static_cast<T>(rng() % 2 ? lo : hi);
  return static_cast<T>(std::uniform_int_distribution<int>(lo, hi)(rng));
}

template <class T>
void check_maxpool(Isa isa, std::size_t n, bool extremes, std::mt19937& rng) {
  SCOPED_TRACE("n " + std::to_string(n) + (std::is_signed_v<T> ? " int8" : " uint8") + (extremes ? " extremes" : ""));
  std::vector<T> r0(2 * n), r1(2 * n);
  for (auto& v : r0) v = random_code<T>(rng, extremes);
  for (auto& v : r1) v = random_code<T>(rng, extremes);
  std::vector<T> got(n + 4, static_cast<T>(7));
  maxpool<T>(kernel_config(isa))(n, r0.data(), r1.data(), got.data());
  for (std::size_t i = 0; i < n; ++i)
    ASSERT_EQ(int{got[i]}, std::max({int{r0[2 * i]}, int{r0[2 * i + 1]}, int{r1[2 * i]}, int{r1[2 * i + 1]}})) << i;
  for (std::size_t i = n; i < n + 4; ++i) ASSERT_EQ(int{got[i]}, 7) << "written past the row at " << i;
}

template <class T>
void check_vadd(Isa isa, std::size_t n, bool extremes, std::mt19937& rng) {
  SCOPED_TRACE("n " + std::to_string(n) + (std::is_signed_v<T> ? " int8" : " uint8") + (extremes ? " extremes" : ""));
  const int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::uniform_int_distribution<int> code(lo, hi);
  Q8AddParams p{};
  p.a_scale = std::uniform_real_distribution<float>(0.005f, 0.05f)(rng);
  p.b_scale = std::uniform_real_distribution<float>(0.005f, 0.05f)(rng);
  p.y_scale = extremes ? 0.001f : std::uniform_real_distribution<float>(0.01f, 0.08f)(rng);  // extremes saturate
  p.a_zero_point = code(rng);
  p.b_zero_point = code(rng);
  p.y_zero_point = code(rng);
  const int qmin = rng() % 2 ? p.y_zero_point : lo;  // a fused Relu, or none
  p.lo = static_cast<float>(qmin - p.y_zero_point);
  p.hi = static_cast<float>(hi - p.y_zero_point);
  std::vector<T> a(n), b(n);
  for (auto& v : a) v = random_code<T>(rng, extremes);
  for (auto& v : b) v = random_code<T>(rng, extremes);
  std::vector<T> got(n + 4, static_cast<T>(9));
  vadd<T>(kernel_config(isa))(n, a.data(), b.data(), p, got.data());
  for (std::size_t i = 0; i < n; ++i) {
    // The three float nodes, written out: DequantizeLinear twice, Add, QuantizeLinear (ties to even, saturate).
    const float fa = static_cast<float>(int{a[i]} - p.a_zero_point) * p.a_scale;
    const float fb = static_cast<float>(int{b[i]} - p.b_zero_point) * p.b_scale;
    const float q = (fa + fb) / p.y_scale;
    const int want = std::clamp(static_cast<int>(std::nearbyint(q)) + p.y_zero_point, qmin, hi);
    ASSERT_EQ(int{got[i]}, want) << i;
  }
  for (std::size_t i = n; i < n + 4; ++i) ASSERT_EQ(int{got[i]}, 9) << "written past the end at " << i;
}

class Q8ElementwiseUkernelTest : public testing::TestWithParam<Isa> {};

TEST_P(Q8ElementwiseUkernelTest, MaxPoolRowsMatchTheLoop) {
  std::mt19937 rng(61);
  for (std::size_t n = 1; n <= 40; ++n)
    for (bool extremes : {false, true}) {
      check_maxpool<std::uint8_t>(GetParam(), n, extremes, rng);
      check_maxpool<std::int8_t>(GetParam(), n, extremes, rng);
    }
}

TEST_P(Q8ElementwiseUkernelTest, AdditionMatchesTheFloatNodes) {
  std::mt19937 rng(67);
  for (std::size_t n = 1; n <= 70; ++n)
    for (bool extremes : {false, true}) {
      check_vadd<std::uint8_t>(GetParam(), n, extremes, rng);
      check_vadd<std::int8_t>(GetParam(), n, extremes, rng);
    }
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }
INSTANTIATE_TEST_SUITE_P(Kernels, Q8ElementwiseUkernelTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
