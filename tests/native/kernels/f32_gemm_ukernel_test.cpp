// fp32 GEMM microkernels (eq. K2): every kernel against the double reference
// within the named error bound, SIMD against its scalar twin bit for bit,
// across the edges of the 4x8 / 1x32 tiles.
#include <gtest/gtest.h>

#include "kernels/gemm_tester.h"
#include "kernels/kernel_cases.h"

namespace quantlab::kernels::test {
namespace {

class F32GemmUkernelTest : public testing::TestWithParam<F32GemmCase> {
 protected:
  GemmTester tester() const { return GemmTester().mr(GetParam().mr).m(GetParam().mr).nr(GetParam().nr).n(GetParam().nr); }
  void run(const GemmTester& t) const { t.test_f32_ukernel(GetParam().ukernel, GetParam().twin); }
};

TEST_P(F32GemmUkernelTest, k_eq_1) { run(tester().k(1)); }
TEST_P(F32GemmUkernelTest, k_eq_2) { run(tester().k(2)); }
TEST_P(F32GemmUkernelTest, k_odd_and_even_1_to_67) {
  for (std::size_t k = 1; k <= 67; ++k) run(tester().k(k).seed(static_cast<std::uint32_t>(k)));
}
TEST_P(F32GemmUkernelTest, k_around_128) {
  for (std::size_t k = 119; k <= 131; ++k) run(tester().k(k).bias(true));
}
TEST_P(F32GemmUkernelTest, k_eq_4096) { run(tester().k(4096).bias(true)); }
TEST_P(F32GemmUkernelTest, n_lt_nr_partial_tile) {
  for (std::size_t n = 1; n < GetParam().nr; ++n) {
    for (std::size_t k : {1, 2, 3, 17}) run(tester().n(n).k(k).bias(true));
  }
}
TEST_P(F32GemmUkernelTest, m_lt_mr_subtile) {
  for (std::size_t m = 1; m <= GetParam().mr; ++m) {
    for (std::size_t n = 1; n <= GetParam().nr; ++n) run(tester().m(m).n(n).k(5).bias(true));
  }
}
TEST_P(F32GemmUkernelTest, strided_a) { run(tester().k(19).a_padding(7)); }
TEST_P(F32GemmUkernelTest, strided_c) {
  for (std::size_t n = 1; n <= GetParam().nr; ++n) run(tester().n(n).k(11).c_padding(5));
}
TEST_P(F32GemmUkernelTest, qmin) { run(tester().k(33).bias(true).fmin(-0.5f)); }
TEST_P(F32GemmUkernelTest, qmax) { run(tester().k(33).bias(true).fmax(0.25f)); }
TEST_P(F32GemmUkernelTest, relu) { run(tester().k(33).bias(true).fmin(0.0f)); }

INSTANTIATE_TEST_SUITE_P(Kernels, F32GemmUkernelTest, testing::ValuesIn(f32_gemm_cases()), case_name<F32GemmCase>);

}  // namespace
}  // namespace quantlab::kernels::test
