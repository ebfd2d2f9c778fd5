// int8 GEMM operators (eq. K3-K10): uint8 and int8 activations × int8 weights,
// to uint8 / int8 / fp32 / int32, equal to the int64 triple loop (then eq. K9 or
// 10) over the usual zero points, the type extremes, per-channel parameters,
// shapes swept around the tiles, K around 128 and up to 4096, and the
// matrix-vector path.
#include <gtest/gtest.h>

#include "kernels/gemm_tester.h"
#include "quantlab/error.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::kernels::test {
namespace {

constexpr std::int32_t kUint8ZeroPoints[] = {0, 18, 75, 128, 157, 231, 255};

class GemmQ8Test : public testing::TestWithParam<Isa> {
 protected:
  Isa isa() const { return GetParam(); }
};

TEST_P(GemmQ8Test, each_dimension_1_to_67) {
  for (std::size_t v = 1; v <= 67; ++v) {
    GemmTester().m(v).n(9).k(13).a_zero_point(131).bias(true).test_gemm_q8(isa(), "u8");
    GemmTester().m(5).n(v).k(7).a_zero_point(7).test_gemm_q8(isa(), "s32");
    GemmTester().m(3).n(11).k(v).a_zero_point(200).b_zero_point(3).test_gemm_q8(isa(), "u8");
  }
}

TEST_P(GemmQ8Test, powers_of_two_plus_minus_one) {
  for (std::size_t m : {15, 17, 31, 33}) {
    for (std::size_t n : {15, 16, 17, 63, 65}) {
      for (std::size_t k : {15, 16, 17, 127, 129}) {
        GemmTester().m(m).n(n).k(k).a_zero_point(128).bias(true).test_gemm_q8(isa(), "u8");
      }
    }
  }
}

TEST_P(GemmQ8Test, k_around_128_all_zero_points) {
  for (std::size_t k = 118; k <= 131; ++k) {
    for (std::int32_t za : kUint8ZeroPoints) {
      GemmTester().m(5).n(11).k(k).a_zero_point(za).b_zero_point(za - 128).seed(static_cast<std::uint32_t>(k + za))
          .test_gemm_q8(isa(), "s32");
    }
  }
}

TEST_P(GemmQ8Test, output_zero_points_uint8) {
  for (std::int32_t zy : kUint8ZeroPoints) {
    GemmTester().m(6).n(13).k(40).a_zero_point(18).output_zero_point(zy).test_gemm_q8(isa(), "u8");
  }
}

TEST_P(GemmQ8Test, int8_activations_int8_output) {
  for (std::int32_t za : {-128, -5, 0, 127}) {
    GemmTester().m(9).n(19).k(33).signed_input(true).a_zero_point(za).output_zero_point(-7).qmin(-128).qmax(127)
        .bias(true).test_gemm_q8(isa(), "s8");
  }
}

TEST_P(GemmQ8Test, extremes_uint8) {
  for (std::int32_t za : {0, 255}) {
    GemmTester().m(7).n(17).k(129).fill(Fill::extremes).a_zero_point(za).b_zero_point(za == 0 ? -128 : 127)
        .test_gemm_q8(isa(), "s32");
  }
}

TEST_P(GemmQ8Test, extremes_int8) {
  GemmTester().m(7).n(17).k(129).fill(Fill::extremes).signed_input(true).a_zero_point(-128).b_zero_point(127)
      .test_gemm_q8(isa(), "s32");
}

// The worst case of eq. K7: |a - za| = 255 and |b - zb| = 255 at every k.
TEST_P(GemmQ8Test, deep_k_32768_max_product_stays_exact) {
  GemmTester().m(1).n(3).k(32768).fill(Fill::max_product).a_zero_point(0).b_zero_point(127).test_gemm_q8(isa(), "s32");
  GemmTester().m(2).n(9).k(32767).fill(Fill::max_product).a_zero_point(0).b_zero_point(127).test_gemm_q8(isa(), "s32");
}

TEST_P(GemmQ8Test, k_4096_matrix_vector) {
  GemmTester().m(1).n(67).k(4096).a_zero_point(128).bias(true).test_gemm_q8(isa(), "u8");
  GemmTester().m(1).n(33).k(4095).a_zero_point(75).per_channel(true).test_gemm_q8(isa(), "f32");
}

TEST_P(GemmQ8Test, per_channel_zero_points_and_scales) {
  GemmTester().m(11).n(29).k(57).a_zero_point(157).b_zero_point(-20).per_channel(true).bias(true).test_gemm_q8(isa(), "u8");
  GemmTester().m(11).n(29).k(57).a_zero_point(157).b_zero_point(10).per_channel(true).test_gemm_q8(isa(), "s32");
}

TEST_P(GemmQ8Test, qmin_qmax_and_relu) {
  GemmTester().m(8).n(16).k(64).a_zero_point(128).qmin(30).qmax(220).test_gemm_q8(isa(), "u8");
  GemmTester().m(8).n(16).k(64).a_zero_point(128).output_zero_point(100).qmin(100).test_gemm_q8(isa(), "u8");
}

TEST_P(GemmQ8Test, dequantize_to_fp32) {
  GemmTester().m(13).n(21).k(37).a_zero_point(231).b_zero_point(-3).bias(true).test_gemm_q8(isa(), "f32");
  GemmTester().m(4).n(8).k(64).a_zero_point(0).fmin(0.0f).fmax(1.5f).test_gemm_q8(isa(), "f32");
}

TEST_P(GemmQ8Test, strided_a_and_c) {
  GemmTester().m(13).n(21).k(37).a_padding(5).c_padding(3).a_zero_point(18).test_gemm_q8(isa(), "u8");
  GemmTester().m(13).n(21).k(37).a_padding(6).c_padding(7).a_zero_point(18).test_gemm_q8(isa(), "s32");
}

TEST_P(GemmQ8Test, weights_n_by_k) {
  GemmTester().m(9).n(23).k(41).weights_n_by_k(true).a_zero_point(90).b_zero_point(4).test_gemm_q8(isa(), "s32");
}

TEST_P(GemmQ8Test, many_row_blocks) {
  GemmTester().m(203).n(9).k(1000).a_zero_point(128).test_gemm_q8(isa(), "u8");
}

TEST_P(GemmQ8Test, rejects_bad_parameters) {
  const std::vector<std::int8_t> b(6, 1);
  const PackedWeightsQs8 w = pack_weights_qs8(2, 3, b.data(), 3, {0}, {});
  std::vector<std::uint8_t> a(4), c(6);
  Q8Input in;
  in.u8 = a.data();
  in.stride = 2;
  in.zero_point = 256;
  Q8Output out;
  out.u8 = c.data();
  out.stride = 3;
  out.scale = {0.5f};
  EXPECT_THROW(gemm_q8(2, in, w, out, isa()), InvalidArgument);  // za outside 0..255
  in.zero_point = 0;
  out.scale = {0.0f};
  EXPECT_THROW(gemm_q8(2, in, w, out, isa()), InvalidArgument);  // scale must be > 0
  out.scale = {0.5f, 0.5f};
  EXPECT_THROW(gemm_q8(2, in, w, out, isa()), InvalidArgument);  // 1 or N scales
  out.scale = {0.5f};
  out.min = 10;
  out.max = 5;
  EXPECT_THROW(gemm_q8(2, in, w, out, isa()), InvalidArgument);  // empty clamp
  out.min = 0;
  out.max = 255;
  out.s8 = reinterpret_cast<std::int8_t*>(c.data());
  EXPECT_THROW(gemm_q8(2, in, w, out, isa()), InvalidArgument);  // two outputs
  out.s8 = nullptr;
  EXPECT_NO_THROW(gemm_q8(2, in, w, out, isa()));
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Kernels, GemmQ8Test, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
