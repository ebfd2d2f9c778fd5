// conv2d_f32 / conv2d_q8: im2col + GEMM against a direct 7-loop convolution,
// for 1x1 (the no-im2col path), 3x3 "same", strides, dilations, asymmetric
// padding, groups and depthwise, batch > 1; int8 exactly (padding reads the
// input zero point, so padded taps add nothing), fp32 within the GEMM bound.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/gemm_tester.h"
#include "kernels/kernel_reference.h"
#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"

namespace quantlab::kernels::test {
namespace {

std::string describe(const Conv2dShape& s) {
  std::ostringstream o;
  o << "N" << s.batch << " " << s.in_height << "x" << s.in_width << "x" << s.in_channels << " -> " << s.out_channels << ", kernel "
    << s.kernel_height << "x" << s.kernel_width << ", stride " << s.stride_height << "," << s.stride_width << ", dilation "
    << s.dilation_height << "," << s.dilation_width << ", pads " << s.pad_top << "," << s.pad_left << "," << s.pad_bottom << ","
    << s.pad_right << ", groups " << s.groups;
  return o.str();
}

// Calls f(output index, o, input index or -1 for padding, weight index) for
// every tap of every output, in a direct convolution's order.
template <class F>
void for_each_tap(const Conv2dShape& s, F&& f) {
  const std::size_t oh = s.out_height(), ow = s.out_width();
  const std::size_t cg = s.in_channels_per_group(), og = s.out_channels_per_group();
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t oy = 0; oy < oh; ++oy) {
      for (std::size_t ox = 0; ox < ow; ++ox) {
        for (std::size_t o = 0; o < s.out_channels; ++o) {
          const std::size_t out_index = ((b * oh + oy) * ow + ox) * s.out_channels + o;
          const std::size_t g = o / og;
          for (std::size_t c = 0; c < cg; ++c) {
            for (std::size_t ky = 0; ky < s.kernel_height; ++ky) {
              for (std::size_t kx = 0; kx < s.kernel_width; ++kx) {
                const long long iy = static_cast<long long>(oy * s.stride_height + ky * s.dilation_height) - static_cast<long long>(s.pad_top);
                const long long ix = static_cast<long long>(ox * s.stride_width + kx * s.dilation_width) - static_cast<long long>(s.pad_left);
                const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<long long>(s.in_height) && ix < static_cast<long long>(s.in_width);
                const long long in_index =
                    inside ? static_cast<long long>(((b * s.in_height + static_cast<std::size_t>(iy)) * s.in_width + static_cast<std::size_t>(ix)) *
                                                        s.in_channels +
                                                    g * cg + c)
                           : -1;
                f(out_index, o, in_index, ((o * cg + c) * s.kernel_height + ky) * s.kernel_width + kx);
              }
            }
          }
        }
      }
    }
  }
}

std::size_t out_count(const Conv2dShape& s) { return s.batch * s.out_height() * s.out_width() * s.out_channels; }
std::size_t in_count(const Conv2dShape& s) { return s.batch * s.in_height * s.in_width * s.in_channels; }
std::size_t weight_count(const Conv2dShape& s) { return s.out_channels * s.gemm_k(); }

void test_conv_f32(const Conv2dShape& s, Isa isa) {
  SCOPED_TRACE(describe(s) + " isa " + to_string(isa));
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> x(in_count(s)), wt(weight_count(s)), bias(s.out_channels);
  for (auto* v : {&x, &wt, &bias}) {
    for (auto& e : *v) e = d(rng);
  }
  std::vector<double> ref(out_count(s)), mag(out_count(s));
  for (std::size_t i = 0; i < ref.size(); ++i) {
    ref[i] = bias[i % s.out_channels];
    mag[i] = std::fabs(ref[i]);
  }
  for_each_tap(s, [&](std::size_t out, std::size_t, long long in, std::size_t w) {
    if (in < 0) return;
    const double t = static_cast<double>(x[static_cast<std::size_t>(in)]) * wt[w];
    ref[out] += t;
    mag[out] += std::fabs(t);
  });
  const PackedConvF32 packed = pack_conv2d_f32(s, wt.data(), bias.data());
  std::vector<float> y(out_count(s) + kGuardElements, sentinel<float>());
  conv2d_f32(packed, x.data(), y.data(), kNoClamp, isa);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double bound = f32_gemm_error_bound(s.gemm_k(), mag[i]);
    ASSERT_LE(std::fabs(y[i] - ref[i]), bound) << "output " << i << ": " << y[i] << " vs " << ref[i];
  }
  for (std::size_t i = ref.size(); i < y.size(); ++i) ASSERT_EQ(y[i], sentinel<float>()) << "guard " << i << " overwritten";
  if (isa != Isa::scalar) {
    std::vector<float> y2(y.size(), sentinel<float>());
    conv2d_f32(packed, x.data(), y2.data(), kNoClamp, Isa::scalar);
    EXPECT_EQ(0, std::memcmp(y.data(), y2.data(), y.size() * sizeof(float))) << "SIMD and scalar differ";
  }
}

template <class TIn, class TOut>
void test_conv_q8(const Conv2dShape& s, Isa isa, std::int32_t za, std::int32_t zb, bool per_channel, std::int32_t zy) {
  SCOPED_TRACE(describe(s) + " isa " + to_string(isa) + " za " + std::to_string(za) + " zb " + std::to_string(zb));
  constexpr bool kSignedIn = std::is_same_v<TIn, std::int8_t>;
  constexpr bool kSignedOut = std::is_same_v<TOut, std::int8_t>;
  std::mt19937 rng(23);
  std::uniform_int_distribution<std::int32_t> din(kSignedIn ? -128 : 0, kSignedIn ? 127 : 255), dw(-128, 127);
  std::vector<TIn> x(in_count(s));
  for (auto& e : x) e = static_cast<TIn>(din(rng));
  std::vector<std::int8_t> wt(weight_count(s));
  for (auto& e : wt) e = static_cast<std::int8_t>(dw(rng));
  std::vector<std::int32_t> zero_points{zb}, bias(s.out_channels);
  if (per_channel) {
    zero_points.clear();
    for (std::size_t o = 0; o < s.out_channels; ++o) zero_points.push_back(std::max(-128, std::min(127, zb + static_cast<int>(o % 5) * 3 - 6)));
  }
  for (auto& e : bias) e = std::uniform_int_distribution<std::int32_t>(-5000, 5000)(rng);
  std::vector<std::int64_t> acc(out_count(s));
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = bias[i % s.out_channels];
  for_each_tap(s, [&](std::size_t out, std::size_t o, long long in, std::size_t w) {
    const std::int64_t zbo = zero_points.size() == 1 ? zero_points[0] : zero_points[o];
    const std::int64_t xv = in < 0 ? za : static_cast<std::int64_t>(x[static_cast<std::size_t>(in)]);
    acc[out] += (xv - za) * (wt[w] - zbo);
  });
  std::int64_t largest = 1;
  for (std::int64_t v : acc) largest = std::max<std::int64_t>(largest, v < 0 ? -v : v);
  std::vector<float> scale;
  for (std::size_t o = 0; o < (per_channel ? s.out_channels : 1); ++o) {
    scale.push_back(static_cast<float>(2.0 * 127.0 / static_cast<double>(largest) * (1.0 + 0.1 * static_cast<double>(o % 3))));
  }
  const PackedConvQs8 packed = pack_conv2d_qs8(s, wt.data(), zero_points, bias);
  std::vector<TOut> y(out_count(s) + kGuardElements, sentinel<TOut>());
  Q8Input in;
  if constexpr (kSignedIn) in.s8 = x.data(); else in.u8 = x.data();
  in.zero_point = za;
  Q8Output out;
  if constexpr (kSignedOut) out.s8 = y.data(); else out.u8 = y.data();
  out.scale = scale;
  out.zero_point = zy;
  out.min = kSignedOut ? -128 : 0;
  out.max = kSignedOut ? 127 : 255;
  conv2d_q8(packed, in, out, isa);
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const float sc = scale.size() == 1 ? scale[0] : scale[i % s.out_channels];
    const std::int32_t expected = reference_requantize(acc[i], sc, zy, out.min, out.max);
    ASSERT_EQ(static_cast<std::int32_t>(y[i]), expected) << "output " << i << " (sum " << acc[i] << ")";
  }
  for (std::size_t i = acc.size(); i < y.size(); ++i) ASSERT_EQ(y[i], sentinel<TOut>()) << "guard " << i << " overwritten";
}

Conv2dShape shape(std::size_t h, std::size_t w, std::size_t c, std::size_t o, std::size_t k) {
  Conv2dShape s;
  s.in_height = h;
  s.in_width = w;
  s.in_channels = c;
  s.out_channels = o;
  s.kernel_height = s.kernel_width = k;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = k / 2;
  return s;
}

std::vector<Conv2dShape> shapes() {
  std::vector<Conv2dShape> v;
  v.push_back(shape(9, 8, 5, 7, 3));  // 3x3 "same", odd channels
  Conv2dShape s = shape(6, 7, 12, 9, 1);  // pointwise: rows read straight from the input
  v.push_back(s);
  s.groups = 3;  // grouped pointwise: strided A
  v.push_back(s);
  s = shape(11, 10, 4, 6, 3);
  s.kernel_width = 2;
  s.stride_height = 2;
  s.stride_width = 3;
  s.dilation_height = 2;
  s.pad_top = 0, s.pad_left = 1, s.pad_bottom = 2, s.pad_right = 1;
  s.batch = 2;
  v.push_back(s);
  s = shape(7, 7, 6, 12, 3);  // depthwise with multiplier 2
  s.groups = 6;
  v.push_back(s);
  s = shape(8, 5, 8, 8, 3);  // grouped
  s.groups = 4;
  s.stride_height = s.stride_width = 2;
  v.push_back(s);
  s = shape(5, 5, 3, 17, 5);  // kernel as large as the input, padding 2
  v.push_back(s);
  return v;
}

class Conv2dTest : public testing::TestWithParam<Isa> {};

TEST_P(Conv2dTest, f32_matches_direct_convolution) {
  for (const Conv2dShape& s : shapes()) test_conv_f32(s, GetParam());
}

TEST_P(Conv2dTest, uint8_matches_direct_convolution_all_zero_points) {
  for (const Conv2dShape& s : shapes()) {
    for (std::int32_t za : {0, 18, 75, 128, 157, 231, 255}) {
      test_conv_q8<std::uint8_t, std::uint8_t>(s, GetParam(), za, 0, false, 128);
    }
  }
}

TEST_P(Conv2dTest, int8_per_channel_matches_direct_convolution) {
  for (const Conv2dShape& s : shapes()) {
    test_conv_q8<std::int8_t, std::int8_t>(s, GetParam(), -128, 5, true, -3);
    test_conv_q8<std::int8_t, std::uint8_t>(s, GetParam(), 127, -128, true, 200);
  }
}

TEST_P(Conv2dTest, rejects_bad_shapes) {
  Conv2dShape s = shape(4, 4, 6, 4, 3);
  s.groups = 4;  // 6 input channels are not divisible by 4 groups
  const std::vector<float> w(1000);
  EXPECT_THROW(pack_conv2d_f32(s, w.data(), nullptr), InvalidArgument);
  s = shape(2, 2, 1, 1, 5);
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 0;  // 5x5 kernel on a 2x2 input
  EXPECT_THROW(pack_conv2d_f32(s, w.data(), nullptr), InvalidArgument);
  s = shape(3, 3, 1, 1, 3);
  s.stride_height = 0;
  EXPECT_THROW(s.check(), InvalidArgument);
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Kernels, Conv2dTest, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
