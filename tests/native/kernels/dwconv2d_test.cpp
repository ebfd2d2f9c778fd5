// dwconv2d_q8 (the direct depthwise kernels) against a direct 6-loop int64
// reference with eq. K9 written out, against conv2d_q8 with groups ==
// channels (the im2col + GEMM path), and SIMD against its scalar twin — all
// bit for bit — over channels 1..64 around the 8- and 16-channel steps,
// kernels 1×1, 3×3, 5×5, 3×1, strides, dilation, asymmetric and oversized
// padding, batch 3, uint8/int8 in and out, per-tensor and per-channel zero
// points and scales, clamps and the extreme values of eq. K7.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/gemm_tester.h"
#include "kernels/kernel_reference.h"
#include "quantlab/error.h"
#include "quantlab/kernels/benchmark.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels::test {
namespace {

/// How the inputs and weights are drawn.
enum class DwFill {
  random,    ///< uniform over the type's range
  extremes,  ///< every value the type's minimum or maximum
  worst,     ///< inputs at the end farthest from za, weights at the end farthest from zw: |sum| largest
};

/// A builder after GemmTester: set the shape and quantization, then test(isa).
class DwConvTester {
 public:
  DwConvTester() {
    s_.in_height = 7;
    s_.in_width = 6;
    channels(8);
    kernel(3, 3);
    pad(1, 1, 1, 1);
  }
  DwConvTester& channels(std::size_t c) { s_.in_channels = s_.out_channels = s_.groups = c; return *this; }
  DwConvTester& input(std::size_t h, std::size_t w) { s_.in_height = h, s_.in_width = w; return *this; }
  DwConvTester& kernel(std::size_t kh, std::size_t kw) { s_.kernel_height = kh, s_.kernel_width = kw; return *this; }
  DwConvTester& stride(std::size_t sh, std::size_t sw) { s_.stride_height = sh, s_.stride_width = sw; return *this; }
  DwConvTester& dilation(std::size_t dh, std::size_t dw) { s_.dilation_height = dh, s_.dilation_width = dw; return *this; }
  DwConvTester& pad(std::size_t t, std::size_t l, std::size_t b, std::size_t r) {
    s_.pad_top = t, s_.pad_left = l, s_.pad_bottom = b, s_.pad_right = r;
    return *this;
  }
  DwConvTester& batch(std::size_t n) { s_.batch = n; return *this; }
  DwConvTester& input_zero_point(std::int32_t z) { za_ = z; return *this; }
  DwConvTester& weight_zero_point(std::int32_t z) { zw_ = z; return *this; }
  DwConvTester& per_channel(bool on) { per_channel_ = on; return *this; }
  DwConvTester& output_zero_point(std::int32_t z) { zy_ = z; return *this; }
  DwConvTester& clamp(std::int32_t lo, std::int32_t hi) { qmin_ = lo, qmax_ = hi, clamp_set_ = true; return *this; }
  DwConvTester& bias(bool on) { bias_ = on; return *this; }
  DwConvTester& fill(DwFill f) { fill_ = f; return *this; }
  /// Multiplies the automatic output scale (< 1 saturates less, > 1 more).
  DwConvTester& scale_factor(double f) { scale_factor_ = f; return *this; }
  DwConvTester& seed(unsigned v) { seed_ = v; return *this; }

  /// Runs every input × output type pair on `isa`.
  void test_all_types(Isa isa) const {
    test<std::uint8_t, std::uint8_t>(isa);
    test<std::uint8_t, std::int8_t>(isa);
    test<std::int8_t, std::uint8_t>(isa);
    test<std::int8_t, std::int8_t>(isa);
  }

  template <class TIn, class TOut>
  void test(Isa isa) const {
    constexpr bool kSignedIn = std::is_signed_v<TIn>;
    constexpr bool kSignedOut = std::is_signed_v<TOut>;
    // Zero points given for uint8 are moved into the int8 range by -128 (and back).
    const std::int32_t za = kSignedIn ? (za_ > 127 ? za_ - 128 : za_) : (za_ < 0 ? za_ + 128 : za_);
    const std::int32_t zy = kSignedOut ? (zy_ > 127 ? zy_ - 128 : zy_) : (zy_ < 0 ? zy_ + 128 : zy_);
    const std::int32_t type_lo = kSignedOut ? -128 : 0, type_hi = kSignedOut ? 127 : 255;
    // A clamp is given in the output type of the test that sets it.
    const std::int32_t qmin = clamp_set_ ? qmin_ : type_lo;
    const std::int32_t qmax = clamp_set_ ? qmax_ : type_hi;
    SCOPED_TRACE(describe() + " | in " + (kSignedIn ? "int8" : "uint8") + " za " + std::to_string(za) + ", out " +
                 (kSignedOut ? "int8" : "uint8") + " zy " + std::to_string(zy) + " clamp [" + std::to_string(qmin) + ", " +
                 std::to_string(qmax) + "], isa " + to_string(isa));
    const Conv2dShape& s = s_;
    const std::size_t c_count = s.in_channels;
    const std::size_t taps = s.kernel_height * s.kernel_width;
    const std::size_t oh = s.out_height(), ow = s.out_width();
    const std::size_t out_count = s.batch * oh * ow * c_count;
    std::mt19937 rng(seed_);
    const std::int32_t in_lo = kSignedIn ? -128 : 0, in_hi = kSignedIn ? 127 : 255;

    // Weight zero points: one, or one per channel spread around zw_.
    std::vector<std::int32_t> zw{zw_};
    if (per_channel_) {
      zw.clear();
      for (std::size_t c = 0; c < c_count; ++c) zw.push_back(std::max(-128, std::min(127, zw_ + static_cast<int>(c % 7) * 9 - 27)));
    }
    auto zw_of = [&](std::size_t c) { return zw.size() == 1 ? zw[0] : zw[c]; };

    std::vector<TIn> x(s.batch * s.in_height * s.in_width * c_count);
    std::vector<std::int8_t> w(c_count * taps);
    std::uniform_int_distribution<std::int32_t> din(in_lo, in_hi), dw(-128, 127), coin(0, 1);
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::int32_t v = din(rng);
      if (fill_ == DwFill::extremes) v = coin(rng) ? in_hi : in_lo;
      if (fill_ == DwFill::worst) v = za - in_lo >= in_hi - za ? in_lo : in_hi;
      x[i] = static_cast<TIn>(v);
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::int32_t v = dw(rng);
      if (fill_ == DwFill::extremes) v = coin(rng) ? 127 : -128;
      if (fill_ == DwFill::worst) v = zw_of(i / taps) >= 0 ? -128 : 127;
      w[i] = static_cast<std::int8_t>(v);
    }
    std::vector<std::int32_t> bias;
    if (bias_) {
      for (std::size_t c = 0; c < c_count; ++c) bias.push_back(std::uniform_int_distribution<std::int32_t>(-40000, 40000)(rng));
    }

    // eq. K3 directly: for every output, sum over the taps in int64.
    std::vector<std::int64_t> acc(out_count);
    for (std::size_t b = 0; b < s.batch; ++b) {
      for (std::size_t oy = 0; oy < oh; ++oy) {
        for (std::size_t ox = 0; ox < ow; ++ox) {
          for (std::size_t c = 0; c < c_count; ++c) {
            std::int64_t sum = bias.empty() ? 0 : bias[c];
            for (std::size_t ky = 0; ky < s.kernel_height; ++ky) {
              for (std::size_t kx = 0; kx < s.kernel_width; ++kx) {
                const long long iy = static_cast<long long>(oy * s.stride_height + ky * s.dilation_height) - static_cast<long long>(s.pad_top);
                const long long ix = static_cast<long long>(ox * s.stride_width + kx * s.dilation_width) - static_cast<long long>(s.pad_left);
                if (iy < 0 || ix < 0 || iy >= static_cast<long long>(s.in_height) || ix >= static_cast<long long>(s.in_width)) continue;
                const std::size_t at = ((b * s.in_height + static_cast<std::size_t>(iy)) * s.in_width + static_cast<std::size_t>(ix)) * c_count + c;
                sum += (static_cast<std::int64_t>(x[at]) - za) * (static_cast<std::int64_t>(w[c * taps + ky * s.kernel_width + kx]) - zw_of(c));
              }
            }
            acc[((b * oh + oy) * ow + ox) * c_count + c] = sum;
          }
        }
      }
    }
    std::int64_t largest = 1;
    for (std::int64_t v : acc) largest = std::max<std::int64_t>(largest, v < 0 ? -v : v);
    std::vector<float> scale;
    for (std::size_t c = 0; c < (per_channel_ ? c_count : 1); ++c) {
      scale.push_back(static_cast<float>(scale_factor_ * 2.0 * 127.0 / static_cast<double>(largest) * (1.0 + 0.1 * static_cast<double>(c % 3))));
    }

    Q8Input in;
    if constexpr (kSignedIn) in.s8 = x.data(); else in.u8 = x.data();
    in.zero_point = za;
    auto run = [&](auto&& conv) {
      std::vector<TOut> y(out_count + kGuardElements, sentinel<TOut>());
      Q8Output out;
      if constexpr (kSignedOut) out.s8 = y.data(); else out.u8 = y.data();
      out.scale = scale;
      out.zero_point = zy;
      out.min = qmin;
      out.max = qmax;
      conv(out);
      return y;
    };
    const PackedDwConvQs8 packed = pack_dwconv2d_qs8(s, w.data(), zw, bias);
    const std::vector<TOut> y = run([&](const Q8Output& out) { dwconv2d_q8(packed, in, out, isa); });
    for (std::size_t i = 0; i < out_count; ++i) {
      const std::size_t c = i % c_count;
      const float sc = scale.size() == 1 ? scale[0] : scale[c];
      const std::int32_t expected = reference_requantize(acc[i], sc, zy, qmin, qmax);
      ASSERT_EQ(static_cast<std::int32_t>(y[i]), expected) << "output " << i << " (pixel " << i / c_count << ", channel " << c
                                                           << ", sum " << acc[i] << ")";
    }
    for (std::size_t i = out_count; i < y.size(); ++i) ASSERT_EQ(y[i], sentinel<TOut>()) << "guard " << i << " overwritten";

    // conv2d_q8 with groups == channels: the same bytes.
    const PackedConvQs8 grouped = pack_conv2d_qs8(s, w.data(), zw, bias);
    const std::vector<TOut> y_gemm = run([&](const Q8Output& out) { conv2d_q8(grouped, in, out, isa); });
    EXPECT_EQ(0, std::memcmp(y.data(), y_gemm.data(), y.size() * sizeof(TOut))) << "dwconv2d_q8 and conv2d_q8 differ";
    if (isa != Isa::scalar) {
      const std::vector<TOut> y_scalar = run([&](const Q8Output& out) { dwconv2d_q8(packed, in, out, Isa::scalar); });
      EXPECT_EQ(0, std::memcmp(y.data(), y_scalar.data(), y.size() * sizeof(TOut))) << "SIMD and scalar differ";
    }
  }

  std::string describe() const {
    std::ostringstream o;
    o << "N" << s_.batch << " " << s_.in_height << "x" << s_.in_width << "x" << s_.in_channels << ", kernel " << s_.kernel_height
      << "x" << s_.kernel_width << ", stride " << s_.stride_height << "," << s_.stride_width << ", dilation " << s_.dilation_height
      << "," << s_.dilation_width << ", pads " << s_.pad_top << "," << s_.pad_left << "," << s_.pad_bottom << "," << s_.pad_right
      << ", zw " << zw_ << (per_channel_ ? " per channel" : "") << (bias_ ? ", bias" : "");
    return o.str();
  }

 private:
  Conv2dShape s_;
  std::int32_t za_ = 128, zw_ = 0, zy_ = 128;
  std::int32_t qmin_ = 0, qmax_ = 255;
  bool clamp_set_ = false;
  bool per_channel_ = false;
  bool bias_ = true;
  DwFill fill_ = DwFill::random;
  double scale_factor_ = 1.0;
  unsigned seed_ = 29;
};

constexpr std::size_t kChannels[] = {1, 3, 7, 8, 15, 16, 17, 33, 64};

class DwConv2dTest : public testing::TestWithParam<Isa> {};

TEST_P(DwConv2dTest, channels_around_the_8_and_16_channel_steps) {
  for (std::size_t c : kChannels) {
    DwConvTester().channels(c).test<std::uint8_t, std::uint8_t>(GetParam());
  }
}

TEST_P(DwConv2dTest, every_input_and_output_type) {
  for (std::size_t c : {7, 16, 33}) DwConvTester().channels(c).input_zero_point(75).output_zero_point(157).test_all_types(GetParam());
}

TEST_P(DwConv2dTest, kernels_1x1_3x3_5x5_3x1_strides_1_and_2) {
  const std::size_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {3, 1}, {1, 3}};
  for (const auto& k : kernels) {
    for (std::size_t stride : {1, 2}) {
      for (std::size_t c : {3, 16, 17}) {
        DwConvTester()
            .input(9, 11)
            .channels(c)
            .kernel(k[0], k[1])
            .pad(k[0] / 2, k[1] / 2, k[0] / 2, k[1] / 2)
            .stride(stride, stride)
            .test<std::uint8_t, std::uint8_t>(GetParam());
      }
    }
  }
}

TEST_P(DwConv2dTest, dilation_2_and_mixed_strides) {
  for (std::size_t c : {1, 8, 15, 33}) {
    DwConvTester().input(10, 9).channels(c).dilation(2, 2).pad(2, 2, 2, 2).test<std::uint8_t, std::uint8_t>(GetParam());
    DwConvTester().input(11, 12).channels(c).kernel(3, 2).dilation(2, 3).stride(2, 3).pad(0, 1, 2, 1).test<std::int8_t, std::int8_t>(GetParam());
  }
}

TEST_P(DwConv2dTest, asymmetric_padding) {
  const std::size_t pads[][4] = {{0, 0, 0, 0}, {1, 0, 0, 1}, {0, 2, 1, 0}, {2, 1, 0, 3}};
  for (const auto& p : pads) {
    for (std::size_t c : {7, 16, 64}) {
      DwConvTester().input(8, 7).channels(c).pad(p[0], p[1], p[2], p[3]).test<std::uint8_t, std::int8_t>(GetParam());
      DwConvTester().input(8, 7).channels(c).pad(p[0], p[1], p[2], p[3]).stride(2, 2).test<std::int8_t, std::uint8_t>(GetParam());
    }
  }
}

TEST_P(DwConv2dTest, padding_wider_than_the_kernel_reach) {
  // Output pixels whose every tap is padding (only the bias), rows and
  // columns with no interior, and a kernel as wide as the padded input.
  for (std::size_t c : {3, 16, 17}) {
    DwConvTester().input(4, 5).channels(c).pad(3, 4, 2, 5).test<std::uint8_t, std::uint8_t>(GetParam());
    DwConvTester().input(1, 1).channels(c).kernel(3, 3).pad(1, 1, 1, 1).test<std::uint8_t, std::uint8_t>(GetParam());
    DwConvTester().input(2, 3).channels(c).kernel(5, 5).pad(2, 1, 1, 1).stride(2, 1).test<std::int8_t, std::int8_t>(GetParam());
  }
}

TEST_P(DwConv2dTest, batch_3) {
  for (std::size_t c : {1, 17, 64}) {
    DwConvTester().batch(3).input(6, 5).channels(c).test_all_types(GetParam());
    DwConvTester().batch(3).input(7, 8).channels(c).stride(2, 2).test<std::uint8_t, std::uint8_t>(GetParam());
  }
}

TEST_P(DwConv2dTest, input_zero_points) {
  for (std::int32_t za : {0, 18, 75, 128, 157, 231, 255}) {
    for (std::size_t c : {7, 16}) {
      DwConvTester().channels(c).input_zero_point(za).test<std::uint8_t, std::uint8_t>(GetParam());
      DwConvTester().channels(c).input_zero_point(za).test<std::int8_t, std::int8_t>(GetParam());  // za - 128
    }
  }
}

TEST_P(DwConv2dTest, per_channel_weight_zero_points_and_scales) {
  for (std::int32_t zw : {-128, -5, 0, 18, 127}) {
    for (std::size_t c : kChannels) {
      DwConvTester().channels(c).weight_zero_point(zw).per_channel(true).test<std::uint8_t, std::uint8_t>(GetParam());
    }
    DwConvTester().channels(33).weight_zero_point(zw).per_channel(true).test_all_types(GetParam());
    DwConvTester().channels(17).weight_zero_point(zw).test<std::int8_t, std::uint8_t>(GetParam());  // per tensor
  }
}

TEST_P(DwConv2dTest, relu_clamp_min_is_the_output_zero_point) {
  for (std::size_t c : {8, 17, 64}) {
    DwConvTester().channels(c).output_zero_point(100).clamp(100, 255).test<std::uint8_t, std::uint8_t>(GetParam());
    DwConvTester().channels(c).output_zero_point(-20).clamp(-20, 127).test<std::int8_t, std::int8_t>(GetParam());
    DwConvTester().channels(c).output_zero_point(10).clamp(10, 60).test<std::uint8_t, std::uint8_t>(GetParam());  // ReLU6-like
    DwConvTester().channels(c).output_zero_point(0).clamp(-100, 100).test<std::int8_t, std::int8_t>(GetParam());
  }
}

TEST_P(DwConv2dTest, no_bias_and_small_scales) {
  for (std::size_t c : {3, 16, 33}) {
    DwConvTester().channels(c).bias(false).test<std::uint8_t, std::uint8_t>(GetParam());
    DwConvTester().channels(c).scale_factor(0.01).test<std::uint8_t, std::uint8_t>(GetParam());  // most outputs near zy: ties
  }
}

TEST_P(DwConv2dTest, extremes_minus_128_and_127) {
  for (std::size_t c : {1, 8, 15, 16, 17, 64}) {
    for (std::int32_t zw : {-128, 0, 127}) {
      DwConvTester().channels(c).kernel(5, 5).pad(2, 2, 2, 2).input_zero_point(0).weight_zero_point(zw).fill(DwFill::extremes).test_all_types(GetParam());
      DwConvTester().channels(c).input_zero_point(255).weight_zero_point(zw).fill(DwFill::worst).test_all_types(GetParam());
    }
  }
}

TEST_P(DwConv2dTest, taps_at_kMaxQ8K_worst_case_sums_are_exact) {
  // 128 × 256 = 32768 taps, every product (255) × (255): |sum| = 2 130 739 200 < 2^31 (eq. K7).
  DwConvTester()
      .input(128, 256)
      .channels(3)
      .kernel(128, 256)
      .pad(0, 0, 0, 0)
      .input_zero_point(0)
      .weight_zero_point(127)
      .bias(false)
      .fill(DwFill::worst)
      .test<std::uint8_t, std::uint8_t>(GetParam());
}

TEST_P(DwConv2dTest, rejects_bad_arguments) {
  const Isa isa = GetParam();
  Conv2dShape s;
  s.in_height = s.in_width = 5;
  s.in_channels = s.out_channels = s.groups = 4;
  s.kernel_height = s.kernel_width = 3;
  const std::vector<std::int8_t> w(1000);
  EXPECT_NO_THROW(pack_dwconv2d_qs8(s, w.data(), {0}, {}));
  Conv2dShape bad = s;
  bad.groups = 1;  // an ordinary convolution
  EXPECT_THROW(pack_dwconv2d_qs8(bad, w.data(), {0}, {}), InvalidArgument);
  bad = s;
  bad.out_channels = 8;  // channel multiplier 2
  EXPECT_THROW(pack_dwconv2d_qs8(bad, w.data(), {0}, {}), InvalidArgument);
  bad = s;
  bad.groups = 2;  // grouped, 2 channels per group
  EXPECT_THROW(pack_dwconv2d_qs8(bad, w.data(), {0}, {}), InvalidArgument);
  EXPECT_THROW(pack_dwconv2d_qs8(s, nullptr, {0}, {}), InvalidArgument);
  EXPECT_THROW(pack_dwconv2d_qs8(s, w.data(), {0, 0}, {}), InvalidArgument);    // 2 zero points for 4 channels
  EXPECT_THROW(pack_dwconv2d_qs8(s, w.data(), {200}, {}), InvalidArgument);     // zero point outside int8
  EXPECT_THROW(pack_dwconv2d_qs8(s, w.data(), {0}, {1, 2, 3}), InvalidArgument);  // 3 biases for 4 channels
  bad = s;
  bad.kernel_height = 129, bad.kernel_width = 256, bad.in_height = 129, bad.in_width = 256;  // 33024 taps > kMaxQ8K
  EXPECT_THROW(pack_dwconv2d_qs8(bad, w.data(), {0}, {}), InvalidArgument);

  const PackedDwConvQs8 packed = pack_dwconv2d_qs8(s, w.data(), {0}, {});
  std::vector<std::uint8_t> x(100), y(100);
  std::vector<std::int8_t> xs(100);
  Q8Input in;
  in.u8 = x.data();
  Q8Output out;
  out.u8 = y.data();
  out.scale = {0.5f};
  EXPECT_NO_THROW(dwconv2d_q8(packed, in, out, isa));
  Q8Input both = in;
  both.s8 = xs.data();
  EXPECT_THROW(dwconv2d_q8(packed, both, out, isa), InvalidArgument);  // u8 and s8 both set
  Q8Input far = in;
  far.zero_point = 256;
  EXPECT_THROW(dwconv2d_q8(packed, far, out, isa), InvalidArgument);
  Q8Output scales = out;
  scales.scale = {0.5f, 0.5f};  // 2 scales for 4 channels
  EXPECT_THROW(dwconv2d_q8(packed, in, scales, isa), InvalidArgument);
  scales.scale = {0.0f};
  EXPECT_THROW(dwconv2d_q8(packed, in, scales, isa), InvalidArgument);
  Q8Output clamp = out;
  clamp.min = 10, clamp.max = 5;
  EXPECT_THROW(dwconv2d_q8(packed, in, clamp, isa), InvalidArgument);
  PackedDwConvQs8 mismatched = packed;
  mismatched.shape.in_channels = mismatched.shape.out_channels = mismatched.shape.groups = 5;  // weights packed for 4
  EXPECT_THROW(dwconv2d_q8(mismatched, in, out, isa), InvalidArgument);
  mismatched = packed;
  mismatched.weights.pop_back();
  EXPECT_THROW(dwconv2d_q8(mismatched, in, out, isa), InvalidArgument);
}

TEST(DwConv2dShapeTest, is_depthwise_means_multiplier_1) {
  Conv2dShape s;
  s.in_channels = s.out_channels = s.groups = 16;
  EXPECT_TRUE(is_depthwise(s));
  s.out_channels = 32;
  EXPECT_FALSE(is_depthwise(s));
  s.out_channels = 16;
  s.groups = 1;
  EXPECT_FALSE(is_depthwise(s));
}

// The benchmark cases of `quantlab bench` / `npm run bench`: shapes and shape
// strings (not a timed test).
TEST(DwConv2dBenchmarkTest, depthwise_cases_time_the_direct_kernel_and_the_gemm_path) {
  const std::vector<BenchmarkSpec> cases = depthwise_benchmarks("scalar", 1);
  ASSERT_EQ(cases.size(), 12u);
  EXPECT_EQ(cases[3].kernel, "conv");
  EXPECT_EQ(cases[3].stride, 2u);
  EXPECT_EQ(cases[3].groups, 48u);
  EXPECT_EQ(cases[5].kernel, "dwconv");
  BenchmarkSpec s = cases[5];
  s.height = s.width = 6;
  s.in_channels = s.out_channels = s.groups = 5;
  s.samples = 1;
  const BenchmarkResult direct = run_benchmark(s);
  EXPECT_EQ(direct.shape, "6x6x5x5k3s2g5");
  EXPECT_GT(direct.gops, 0.0);
  s.kernel = "conv";
  EXPECT_EQ(run_benchmark(s).shape, "6x6x5x5k3s2g5");
  s.kernel = "dwconv";
  s.dtype = "fp32";
  EXPECT_THROW(run_benchmark(s), InvalidArgument);  // no fp32 direct kernel at the kernel layer
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Kernels, DwConv2dTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
