// int8 GEMM microkernels (eq. K4): every kernel equal to the int64 triple loop,
// SIMD equal to its scalar twin, across the edges of the c2 tiles and at the
// extremes of uint8 / int8 activations and int8 weights.
#include <gtest/gtest.h>

#include "kernels/gemm_tester.h"
#include "kernels/kernel_cases.h"

namespace quantlab::kernels::test {
namespace {

class Qs8GemmUkernelTest : public testing::TestWithParam<Qs8GemmCase> {
 protected:
  GemmTester tester() const { return GemmTester().mr(GetParam().mr).m(GetParam().mr).nr(GetParam().nr).n(GetParam().nr); }
  void run(const GemmTester& t) const { t.test_qs8_ukernel(GetParam().ukernel, GetParam().twin); }
};

TEST_P(Qs8GemmUkernelTest, k_eq_2_one_pair) { run(tester().k(2)); }
TEST_P(Qs8GemmUkernelTest, k_eq_1_padded_pair) { run(tester().k(1)); }
TEST_P(Qs8GemmUkernelTest, k_lt_4) {
  for (std::size_t k = 1; k < 4; ++k) run(tester().k(k));
}
TEST_P(Qs8GemmUkernelTest, k_1_to_67) {
  for (std::size_t k = 1; k <= 67; ++k) run(tester().k(k).seed(static_cast<std::uint32_t>(k)));
}
TEST_P(Qs8GemmUkernelTest, k_around_128) {
  for (std::size_t k = 119; k <= 131; ++k) run(tester().k(k).signed_input(k % 2 == 0));
}
TEST_P(Qs8GemmUkernelTest, k_eq_4096) { run(tester().k(4096)); }
TEST_P(Qs8GemmUkernelTest, n_lt_nr_partial_tile) {
  for (std::size_t n = 1; n < GetParam().nr; ++n) {
    for (std::size_t k : {1, 2, 3, 4, 18}) run(tester().n(n).k(k));
  }
}
TEST_P(Qs8GemmUkernelTest, m_lt_mr_subtile) {
  for (std::size_t m = 1; m <= GetParam().mr; ++m) {
    for (std::size_t n = 1; n <= GetParam().nr; ++n) run(tester().m(m).n(n).k(7));
  }
}
TEST_P(Qs8GemmUkernelTest, strided_a) { run(tester().k(20).a_padding(6)); }
TEST_P(Qs8GemmUkernelTest, strided_c) {
  for (std::size_t n = 1; n <= GetParam().nr; ++n) run(tester().n(n).k(9).c_padding(3));
}
TEST_P(Qs8GemmUkernelTest, extremes_uint8) { run(tester().k(131).fill(Fill::extremes)); }
TEST_P(Qs8GemmUkernelTest, extremes_int8) { run(tester().k(131).fill(Fill::extremes).signed_input(true)); }
// 255 × -128 at every k: the largest magnitude the accumulators see (eq. K7).
TEST_P(Qs8GemmUkernelTest, max_product_k_4096) { run(tester().k(4096).fill(Fill::max_product)); }

INSTANTIATE_TEST_SUITE_P(Kernels, Qs8GemmUkernelTest, testing::ValuesIn(qs8_gemm_cases()), case_name<Qs8GemmCase>);

}  // namespace
}  // namespace quantlab::kernels::test
