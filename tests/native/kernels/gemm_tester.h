// GemmTester — a builder for the GEMM microkernel and operator tests, after
// XNNPACK's GemmMicrokernelTester: set the shape and the quantization
// parameters, then call one test_* method. Every test
//   - fills outputs with a sentinel and keeps guard elements after the end,
//     and checks that nothing outside the M×N output changed;
//   - compares integers exactly with kernel_reference.h, floats within the
//     named bound f32_gemm_error_bound;
//   - compares a SIMD kernel with its scalar twin bit for bit;
//   - names M×N×K (and the parameters) in every failure.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/kernel_reference.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels::test {

}  // namespace quantlab::kernels::test

namespace quantlab::kernels {
/// gtest prints an instruction set by name.
inline void PrintTo(Isa isa, std::ostream* os) { *os << to_string(isa); }
}  // namespace quantlab::kernels

namespace quantlab::kernels::test {

/// Elements past the last output element that must stay untouched.
inline constexpr std::size_t kGuardElements = 19;

template <class T>
T sentinel();
template <>
inline float sentinel<float>() { return -7.25e30f; }
template <>
inline std::int32_t sentinel<std::int32_t>() { return 0x7EADBEEF; }
template <>
inline std::uint8_t sentinel<std::uint8_t>() { return 0xA5; }
template <>
inline std::int8_t sentinel<std::int8_t>() { return -91; }

/// An output buffer for `rows` rows of `cols` values, `stride` apart, plus guards.
template <class T>
std::vector<T> sentinel_buffer(std::size_t rows, std::size_t cols, std::size_t stride) {
  return std::vector<T>((rows - 1) * stride + cols + kGuardElements, sentinel<T>());
}

/// Expects every element outside the rows × cols output to hold the sentinel
/// (compared bytewise, so a NaN written by mistake is caught too).
template <class T>
void expect_untouched_outside(const std::vector<T>& buf, std::size_t rows, std::size_t cols, std::size_t stride) {
  const T s = sentinel<T>();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < buf.size(); ++i) {
    const bool inside = i / stride < rows && i % stride < cols;
    if (!inside && std::memcmp(&buf[i], &s, sizeof(T)) != 0) {
      if (bad++ < 5) ADD_FAILURE() << "write out of bounds at element " << i << " (row " << i / stride << ", column " << i % stride << ")";
    }
  }
  EXPECT_EQ(bad, 0u) << "elements written outside the output";
}

/// How the integer operands are drawn.
enum class Fill {
  random,    ///< uniform over the type's range
  extremes,  ///< each value the type's minimum or maximum (-128/127, 0/255)
  max_product,  ///< activations at their maximum, weights at -128 (largest |sum|)
};

class GemmTester {
 public:
  GemmTester& m(std::size_t v) { m_ = v; return *this; }
  GemmTester& n(std::size_t v) { n_ = v; return *this; }
  GemmTester& k(std::size_t v) { k_ = v; return *this; }
  GemmTester& mr(std::size_t v) { mr_ = v; return *this; }
  /// Columns the microkernel under test computes per call (8, or 32 for matrix-vector).
  GemmTester& nr(std::size_t v) { nr_ = v; return *this; }
  /// Extra elements between rows of A / of C (0: dense).
  GemmTester& a_padding(std::size_t v) { a_padding_ = v; return *this; }
  GemmTester& c_padding(std::size_t v) { c_padding_ = v; return *this; }
  GemmTester& a_zero_point(std::int32_t v) { a_zero_point_ = v; return *this; }
  GemmTester& b_zero_point(std::int32_t v) { b_zero_point_ = v; return *this; }
  /// Per-output-channel weight zero points and scales.
  GemmTester& per_channel(bool v) { per_channel_ = v; return *this; }
  GemmTester& bias(bool v) { bias_ = v; return *this; }
  GemmTester& signed_input(bool v) { signed_input_ = v; return *this; }
  GemmTester& signed_output(bool v) { signed_output_ = v; return *this; }
  GemmTester& output_zero_point(std::int32_t v) { output_zero_point_ = v; return *this; }
  GemmTester& qmin(std::int32_t v) { qmin_ = v; return *this; }
  GemmTester& qmax(std::int32_t v) { qmax_ = v; return *this; }
  GemmTester& fmin(float v) { fmin_ = v; return *this; }
  GemmTester& fmax(float v) { fmax_ = v; return *this; }
  GemmTester& fill(Fill v) { fill_ = v; return *this; }
  GemmTester& weights_n_by_k(bool v) { n_by_k_ = v; return *this; }
  GemmTester& seed(std::uint32_t v) { seed_ = v; return *this; }

  /// A one-line description for failure messages.
  std::string describe() const {
    std::ostringstream s;
    s << "M×N×K = " << m_ << "×" << n_ << "×" << k_ << " (a_stride +" << a_padding_ << ", c_stride +" << c_padding_
      << ", za " << a_zero_point_ << ", zb " << b_zero_point_ << (per_channel_ ? " per channel" : "") << ", "
      << (signed_input_ ? "int8" : "uint8") << " input, seed " << seed_ << ")";
    return s.str();
  }

  // --- microkernels -------------------------------------------------------
  void test_f32_ukernel(F32GemmUkernel ukernel, F32GemmUkernel twin) const;
  void test_qs8_ukernel(Qs8GemmUkernel ukernel, Qs8GemmUkernel twin) const;

  // --- operators (gemm.h) --------------------------------------------------
  void test_gemm_f32(Isa isa) const;
  /// Output: "u8"/"s8" (requantized), "f32" (dequantized) or "s32" (exact sums).
  void test_gemm_q8(Isa isa, const std::string& output) const;

 private:
  std::size_t a_stride() const { return k_ + a_padding_; }
  std::size_t c_stride() const { return n_ + c_padding_; }
  std::int32_t input_min() const { return signed_input_ ? -128 : 0; }
  std::int32_t input_max() const { return signed_input_ ? 127 : 255; }
  std::vector<std::int32_t> weight_zero_points() const;
  std::vector<float> output_scales(double unit) const;
  std::vector<std::int32_t> random_inputs(std::mt19937& rng, std::size_t count) const;
  std::vector<std::int8_t> random_weights(std::mt19937& rng, std::size_t count) const;
  std::vector<std::int8_t> caller_weights(const std::vector<std::int8_t>& b_kn) const;

  std::size_t m_ = 1, n_ = 1, k_ = 1, mr_ = 1, nr_ = 8;
  std::size_t a_padding_ = 0, c_padding_ = 0;
  std::int32_t a_zero_point_ = 0, b_zero_point_ = 0;
  bool per_channel_ = false, bias_ = false, signed_input_ = false, signed_output_ = false, n_by_k_ = false;
  std::int32_t output_zero_point_ = 128, qmin_ = 0, qmax_ = 255;
  float fmin_ = -INFINITY, fmax_ = INFINITY;
  Fill fill_ = Fill::random;
  std::uint32_t seed_ = 20240611;
};

// ============================================================================
// Implementation
// ============================================================================

inline std::vector<std::int32_t> GemmTester::weight_zero_points() const {
  if (!per_channel_) return {b_zero_point_};
  std::vector<std::int32_t> z(n_);
  for (std::size_t j = 0; j < n_; ++j) {
    const std::int32_t v = b_zero_point_ + static_cast<std::int32_t>(j % 7) * 9 - 27;
    z[j] = v < -128 ? -128 : (v > 127 ? 127 : v);
  }
  return z;
}

inline std::vector<float> GemmTester::output_scales(double unit) const {
  if (!per_channel_) return {static_cast<float>(unit)};
  std::vector<float> s(n_);
  for (std::size_t j = 0; j < n_; ++j) s[j] = static_cast<float>(unit * (0.5 + 0.25 * static_cast<double>(j % 5)));
  return s;
}

inline std::vector<std::int32_t> GemmTester::random_inputs(std::mt19937& rng, std::size_t count) const {
  std::uniform_int_distribution<std::int32_t> any(input_min(), input_max());
  std::bernoulli_distribution coin(0.5);
  std::vector<std::int32_t> v(count);
  for (auto& x : v) {
    switch (fill_) {
      case Fill::random: x = any(rng); break;
      case Fill::extremes: x = coin(rng) ? input_min() : input_max(); break;
      case Fill::max_product: x = input_max(); break;
    }
  }
  return v;
}

inline std::vector<std::int8_t> GemmTester::random_weights(std::mt19937& rng, std::size_t count) const {
  std::uniform_int_distribution<std::int32_t> any(-128, 127);
  std::bernoulli_distribution coin(0.5);
  std::vector<std::int8_t> v(count);
  for (auto& x : v) {
    switch (fill_) {
      case Fill::random: x = static_cast<std::int8_t>(any(rng)); break;
      case Fill::extremes: x = static_cast<std::int8_t>(coin(rng) ? -128 : 127); break;
      case Fill::max_product: x = -128; break;
    }
  }
  return v;
}

inline std::vector<std::int8_t> GemmTester::caller_weights(const std::vector<std::int8_t>& b_kn) const {
  if (!n_by_k_) return b_kn;
  std::vector<std::int8_t> t(b_kn.size());
  for (std::size_t kk = 0; kk < k_; ++kk) {
    for (std::size_t j = 0; j < n_; ++j) t[j * k_ + kk] = b_kn[kk * n_ + j];
  }
  return t;
}

inline void GemmTester::test_f32_ukernel(F32GemmUkernel ukernel, F32GemmUkernel twin) const {
  SCOPED_TRACE(describe());
  ASSERT_LE(m_, mr_);
  ASSERT_LE(n_, nr_);
  std::mt19937 rng(seed_);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a((m_ - 1) * a_stride() + k_);
  std::vector<float> b(k_ * n_);
  std::vector<float> bias(n_);
  for (auto* v : {&a, &b, &bias}) {
    for (auto& x : *v) x = dist(rng);
  }
  const PackedWeightsF32 w = pack_weights_f32(k_, n_, b.data(), n_, bias_ ? bias.data() : nullptr);
  std::vector<float> c = sentinel_buffer<float>(m_, n_, c_stride());
  ukernel(m_, n_, k_, a.data(), a_stride(), w.panel(0), c.data(), c_stride(), F32MinMax{fmin_, fmax_});
  const F32Reference ref = reference_gemm_f32(m_, n_, k_, a.data(), a_stride(), b.data(), n_, bias_ ? bias.data() : nullptr);
  for (std::size_t i = 0; i < m_; ++i) {
    for (std::size_t j = 0; j < n_; ++j) {
      const double expected = std::min<double>(std::max<double>(ref.value[i * n_ + j], fmin_), fmax_);
      const double bound = f32_gemm_error_bound(k_, ref.magnitude[i * n_ + j]);
      const float got = c[i * c_stride() + j];
      if (!(std::fabs(got - expected) <= bound)) {
        ADD_FAILURE() << "C(" << i << ", " << j << ") = " << got << ", reference " << expected << " ± " << bound;
        return;
      }
    }
  }
  expect_untouched_outside(c, m_, n_, c_stride());
  if (twin != nullptr) {
    std::vector<float> c2 = sentinel_buffer<float>(m_, n_, c_stride());
    twin(m_, n_, k_, a.data(), a_stride(), w.panel(0), c2.data(), c_stride(), F32MinMax{fmin_, fmax_});
    EXPECT_EQ(0, std::memcmp(c.data(), c2.data(), c.size() * sizeof(float))) << "SIMD and scalar twin differ in some bit";
  }
}

inline void GemmTester::test_qs8_ukernel(Qs8GemmUkernel ukernel, Qs8GemmUkernel twin) const {
  SCOPED_TRACE(describe());
  ASSERT_LE(m_, mr_);
  ASSERT_LE(n_, nr_);
  std::mt19937 rng(seed_);
  const std::size_t kp = (k_ + 1) / 2 * 2;
  const std::size_t stride = kp + a_padding_;
  // Every A element, the pairing pad column included, gets a value: the pad
  // meets zero weights, so whatever it holds must not change the result.
  const std::vector<std::int32_t> values = random_inputs(rng, (m_ - 1) * stride + kp);
  const std::vector<std::int16_t> a(values.begin(), values.end());
  const std::vector<std::int8_t> b = random_weights(rng, k_ * n_);
  const PackedWeightsQs8 w = pack_weights_qs8(k_, n_, b.data(), n_, {0}, {});
  std::vector<std::int32_t> c = sentinel_buffer<std::int32_t>(m_, n_, c_stride());
  ukernel(m_, n_, kp, a.data(), stride, w.panel(0), c.data(), c_stride());
  for (std::size_t i = 0; i < m_; ++i) {
    for (std::size_t j = 0; j < n_; ++j) {
      std::int64_t expected = 0;
      for (std::size_t kk = 0; kk < k_; ++kk) expected += std::int64_t{a[i * stride + kk]} * b[kk * n_ + j];
      if (c[i * c_stride() + j] != expected) {
        ADD_FAILURE() << "C(" << i << ", " << j << ") = " << c[i * c_stride() + j] << ", reference " << expected;
        return;
      }
    }
  }
  expect_untouched_outside(c, m_, n_, c_stride());
  if (twin != nullptr) {
    std::vector<std::int32_t> c2 = sentinel_buffer<std::int32_t>(m_, n_, c_stride());
    twin(m_, n_, kp, a.data(), stride, w.panel(0), c2.data(), c_stride());
    EXPECT_EQ(c, c2) << "SIMD and scalar twin differ";
  }
}

inline void GemmTester::test_gemm_f32(Isa isa) const {
  SCOPED_TRACE(describe() + " isa " + to_string(isa));
  std::mt19937 rng(seed_);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a((m_ - 1) * a_stride() + k_);
  std::vector<float> b(k_ * n_);
  std::vector<float> bias(n_);
  for (auto* v : {&a, &b, &bias}) {
    for (auto& x : *v) x = dist(rng);
  }
  std::vector<float> given = b;
  if (n_by_k_) {
    for (std::size_t kk = 0; kk < k_; ++kk) {
      for (std::size_t j = 0; j < n_; ++j) given[j * k_ + kk] = b[kk * n_ + j];
    }
  }
  const PackedWeightsF32 w = pack_weights_f32(k_, n_, given.data(), n_by_k_ ? k_ : n_, bias_ ? bias.data() : nullptr,
                                              n_by_k_ ? WeightLayout::n_by_k : WeightLayout::k_by_n);
  std::vector<float> c = sentinel_buffer<float>(m_, n_, c_stride());
  gemm_f32(m_, a.data(), a_stride(), w, c.data(), c_stride(), F32MinMax{fmin_, fmax_}, isa);
  const F32Reference ref = reference_gemm_f32(m_, n_, k_, a.data(), a_stride(), b.data(), n_, bias_ ? bias.data() : nullptr);
  for (std::size_t i = 0; i < m_; ++i) {
    for (std::size_t j = 0; j < n_; ++j) {
      const double expected = std::min<double>(std::max<double>(ref.value[i * n_ + j], fmin_), fmax_);
      const double bound = f32_gemm_error_bound(k_, ref.magnitude[i * n_ + j]);
      const float got = c[i * c_stride() + j];
      if (!(std::fabs(got - expected) <= bound)) {
        ADD_FAILURE() << "C(" << i << ", " << j << ") = " << got << ", reference " << expected << " ± " << bound;
        return;
      }
    }
  }
  expect_untouched_outside(c, m_, n_, c_stride());
  if (isa != Isa::scalar) {
    // Same tiles, same order of additions: the scalar path gives the same bits.
    std::vector<float> c2 = sentinel_buffer<float>(m_, n_, c_stride());
    gemm_f32(m_, a.data(), a_stride(), w, c2.data(), c_stride(), F32MinMax{fmin_, fmax_}, Isa::scalar);
    EXPECT_EQ(0, std::memcmp(c.data(), c2.data(), c.size() * sizeof(float))) << "SIMD and scalar paths differ in some bit";
  }
}

inline void GemmTester::test_gemm_q8(Isa isa, const std::string& output) const {
  SCOPED_TRACE(describe() + " isa " + to_string(isa) + " output " + output);
  std::mt19937 rng(seed_);
  const std::vector<std::int32_t> values = random_inputs(rng, (m_ - 1) * a_stride() + k_);
  std::vector<std::uint8_t> a_u8(values.size());
  std::vector<std::int8_t> a_s8(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    a_u8[i] = static_cast<std::uint8_t>(values[i]);
    a_s8[i] = static_cast<std::int8_t>(values[i]);
  }
  const std::vector<std::int8_t> b = random_weights(rng, k_ * n_);
  const std::vector<std::int32_t> zb = weight_zero_points();
  std::vector<std::int32_t> bias;
  if (bias_) {
    std::uniform_int_distribution<std::int32_t> d(-(1 << 16), 1 << 16);
    for (std::size_t j = 0; j < n_; ++j) bias.push_back(d(rng));
  }
  const std::vector<std::int8_t> given = caller_weights(b);
  const PackedWeightsQs8 w = pack_weights_qs8(k_, n_, given.data(), n_by_k_ ? k_ : n_, zb, bias,
                                              n_by_k_ ? WeightLayout::n_by_k : WeightLayout::k_by_n);
  const std::vector<std::int64_t> ref =
      signed_input_ ? reference_gemm_q8(m_, n_, k_, a_s8.data(), a_stride(), a_zero_point_, b.data(), n_, zb, bias)
                    : reference_gemm_q8(m_, n_, k_, a_u8.data(), a_stride(), a_zero_point_, b.data(), n_, zb, bias);
  std::int64_t largest = 1;
  for (std::int64_t v : ref) {
    ASSERT_TRUE(v >= INT32_MIN && v <= INT32_MAX) << "test setup: a reference sum leaves int32";
    largest = std::max<std::int64_t>(largest, v < 0 ? -v : v);
  }
  Q8Input in;
  if (signed_input_) in.s8 = a_s8.data(); else in.u8 = a_u8.data();
  in.stride = a_stride();
  in.zero_point = a_zero_point_;

  if (output == "s32") {
    std::vector<std::int32_t> c = sentinel_buffer<std::int32_t>(m_, n_, c_stride());
    gemm_q8_s32(m_, in, w, c.data(), c_stride(), isa);
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < n_; ++j) {
        if (c[i * c_stride() + j] != ref[i * n_ + j]) {
          ADD_FAILURE() << "C(" << i << ", " << j << ") = " << c[i * c_stride() + j] << ", reference " << ref[i * n_ + j];
          return;
        }
      }
    }
    expect_untouched_outside(c, m_, n_, c_stride());
    return;
  }
  // Scales put the largest |sum| at about 3 × 127: most outputs inside the
  // range, the largest ones clamped.
  const std::vector<float> scale = output_scales(3.0 * 127.0 / static_cast<double>(largest));
  auto scale_at = [&](std::size_t j) { return scale.size() == 1 ? scale[0] : scale[j]; };
  if (output == "f32") {
    std::vector<float> fbias(n_);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (auto& x : fbias) x = d(rng);
    F32Output out;
    std::vector<float> c = sentinel_buffer<float>(m_, n_, c_stride());
    out.data = c.data();
    out.stride = c_stride();
    out.scale = scale;
    out.bias = fbias;
    out.clamp = F32MinMax{fmin_, fmax_};
    gemm_q8_f32(m_, in, w, out, isa);
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < n_; ++j) {
        // eq. K10 in fp32, written out here: one rounding per operation.
        float expected = static_cast<float>(static_cast<std::int32_t>(ref[i * n_ + j])) * scale_at(j);
        expected = expected + fbias[j];
        expected = expected < fmin_ ? fmin_ : (fmax_ < expected ? fmax_ : expected);
        if (std::memcmp(&c[i * c_stride() + j], &expected, sizeof(float)) != 0) {
          ADD_FAILURE() << "C(" << i << ", " << j << ") = " << c[i * c_stride() + j] << ", eq. K10 gives " << expected;
          return;
        }
      }
    }
    expect_untouched_outside(c, m_, n_, c_stride());
    return;
  }
  ASSERT_TRUE(output == "u8" || output == "s8");
  Q8Output out;
  out.stride = c_stride();
  out.scale = scale;
  out.zero_point = output_zero_point_;
  out.min = qmin_;
  out.max = qmax_;
  auto check = [&](const auto& c) {
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < n_; ++j) {
        const std::int32_t expected = reference_requantize(ref[i * n_ + j], scale_at(j), output_zero_point_, qmin_, qmax_);
        const std::int32_t got = c[i * c_stride() + j];
        if (got != expected) {
          ADD_FAILURE() << "C(" << i << ", " << j << ") = " << got << ", reference " << expected << " (sum "
                        << ref[i * n_ + j] << ", scale " << scale_at(j) << ")";
          return;
        }
      }
    }
    expect_untouched_outside(c, m_, n_, c_stride());
  };
  if (output == "u8") {
    std::vector<std::uint8_t> c = sentinel_buffer<std::uint8_t>(m_, n_, c_stride());
    out.u8 = c.data();
    gemm_q8(m_, in, w, out, isa);
    check(c);
  } else {
    std::vector<std::int8_t> c = sentinel_buffer<std::int8_t>(m_, n_, c_stride());
    out.s8 = c.data();
    gemm_q8(m_, in, w, out, isa);
    check(c);
  }
}

}  // namespace quantlab::kernels::test
