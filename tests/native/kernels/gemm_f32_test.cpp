// gemm_f32 (eq. K2) over packed weights: shapes swept around the 4x8 tiles and
// the matrix-vector path, strided A and C, both weight layouts, clamps; the
// SIMD path equal to the scalar path bit for bit.
#include <gtest/gtest.h>

#include "kernels/gemm_tester.h"
#include "quantlab/error.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::kernels::test {
namespace {

class GemmF32Test : public testing::TestWithParam<Isa> {
 protected:
  void run(const GemmTester& t) const { t.test_gemm_f32(GetParam()); }
};

TEST_P(GemmF32Test, each_dimension_1_to_67) {
  for (std::size_t v = 1; v <= 67; ++v) {
    run(GemmTester().m(v).n(9).k(13).bias(true));
    run(GemmTester().m(5).n(v).k(7));
    run(GemmTester().m(3).n(11).k(v).bias(true));
  }
}

TEST_P(GemmF32Test, powers_of_two_plus_minus_one) {
  for (std::size_t m : {15, 16, 17, 31, 33}) {
    for (std::size_t n : {15, 16, 17, 63, 65}) {
      for (std::size_t k : {15, 16, 17, 127, 129}) run(GemmTester().m(m).n(n).k(k).bias(true));
    }
  }
}

TEST_P(GemmF32Test, k_around_128) {
  for (std::size_t k = 118; k <= 131; ++k) run(GemmTester().m(7).n(19).k(k));
}

TEST_P(GemmF32Test, matrix_vector_k_4096) { run(GemmTester().m(1).n(67).k(4096).bias(true)); }
TEST_P(GemmF32Test, odd_shape_19x3x11) { run(GemmTester().m(19).n(3).k(11)); }
TEST_P(GemmF32Test, deep_1x1x32767) { run(GemmTester().m(1).n(1).k(32767)); }
TEST_P(GemmF32Test, strided_a_and_c) { run(GemmTester().m(13).n(21).k(37).a_padding(5).c_padding(3)); }
TEST_P(GemmF32Test, weights_n_by_k) { run(GemmTester().m(9).n(23).k(41).weights_n_by_k(true).bias(true)); }
TEST_P(GemmF32Test, relu6_clamp) { run(GemmTester().m(9).n(17).k(40).bias(true).fmin(0.0f).fmax(0.75f)); }
TEST_P(GemmF32Test, many_row_blocks) { run(GemmTester().m(131).n(9).k(1200)); }

TEST_P(GemmF32Test, rejects_short_strides) {
  const std::vector<float> b(6, 1.0f);
  const PackedWeightsF32 w = pack_weights_f32(2, 3, b.data(), 3, nullptr);
  std::vector<float> a(4), c(6);
  EXPECT_THROW(gemm_f32(2, a.data(), 1, w, c.data(), 3, kNoClamp, GetParam()), InvalidArgument);
  EXPECT_THROW(gemm_f32(2, a.data(), 2, w, c.data(), 2, kNoClamp, GetParam()), InvalidArgument);
  EXPECT_NO_THROW(gemm_f32(0, a.data(), 2, w, c.data(), 3, kNoClamp, GetParam()));
}

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Kernels, GemmF32Test, testing::ValuesIn(available_isas()), isa_name);

}  // namespace
}  // namespace quantlab::kernels::test
