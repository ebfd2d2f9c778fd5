// The microkernels under test: every kernel of this build with its scalar twin.
// Native builds have only the scalar kernels; the wasm build adds the SIMD ones.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels::test {

template <class Fn>
struct UkernelCase {
  std::string name;
  Fn ukernel;
  Fn twin;  ///< the scalar twin (nullptr for scalar kernels)
  std::size_t mr;
  std::size_t nr;  ///< columns per call: 8, or 32 for the four-panel matrix-vector kernels
};

using F32GemmCase = UkernelCase<F32GemmUkernel>;
using Qs8GemmCase = UkernelCase<Qs8GemmUkernel>;

inline std::vector<F32GemmCase> f32_gemm_cases() {
  std::vector<F32GemmCase> cases{
      {"f32_gemm_4x8__scalar", f32_gemm_4x8__scalar, nullptr, 4, 8},
      {"f32_gemm_1x32__scalar", f32_gemm_1x32__scalar, nullptr, 1, 32},
  };
#ifdef __wasm_simd128__
  cases.push_back({"f32_gemm_4x8__wasmsimd", f32_gemm_4x8__wasmsimd, f32_gemm_4x8__scalar, 4, 8});
  cases.push_back({"f32_gemm_1x32__wasmsimd", f32_gemm_1x32__wasmsimd, f32_gemm_1x32__scalar, 1, 32});
#endif
  return cases;
}

inline std::vector<Qs8GemmCase> qs8_gemm_cases() {
  std::vector<Qs8GemmCase> cases{
      {"qs8_gemm_4x8c2__scalar", qs8_gemm_4x8c2__scalar, nullptr, 4, 8},
      {"qs8_gemm_1x32c2__scalar", qs8_gemm_1x32c2__scalar, nullptr, 1, 32},
  };
#ifdef __wasm_simd128__
  cases.push_back({"qs8_gemm_4x8c2__wasmsimd_dot16x2", qs8_gemm_4x8c2__wasmsimd_dot16x2, qs8_gemm_4x8c2__scalar, 4, 8});
  cases.push_back({"qs8_gemm_1x32c2__wasmsimd_dot16x2", qs8_gemm_1x32c2__wasmsimd_dot16x2, qs8_gemm_1x32c2__scalar, 1, 32});
#endif
  return cases;
}

/// gtest prints a case by its kernel name.
template <class Fn>
void PrintTo(const UkernelCase<Fn>& c, std::ostream* os) {
  *os << c.name;
}

template <class Case>
std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

}  // namespace quantlab::kernels::test
