// fp16 encode against NumPy's float64/float32 → float16 casts, from the
// checked-in fixture fp16_numpy_cases.inc (written by gen_fp16_numpy_cases.py).
// Unlike the F16C tests this runs in every build, wasm included.
#include <gtest/gtest.h>

#include <cstdint>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

struct Fp16Case {
  std::uint64_t input_bits;  // float64 or float32 bits
  std::uint32_t fp16_bits;   // NumPy's result
};

#include "fp16_numpy_cases.inc"

TEST(Fp16Encode, matches_numpy_on_generated_double_inputs) {
  const FormatSpec s = format_spec("fp16");
  test::MismatchLog log;
  for (const Fp16Case& c : kNumpyFp16FromDouble) {
    const double x = test::bits_to_double(c.input_bits);
    for (const Overflow o : {Overflow::saturate, Overflow::to_inf_or_nan}) {  // fp16 ignores the policy
      const std::uint32_t got = encode(s, x, o);
      log.check(got == c.fp16_bits, [&] {
        return "encode(" + test::describe_double(x) + ") = " + test::hex(got, 4) + ", NumPy " + test::hex(c.fp16_bits, 4);
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(Fp16Encode, matches_numpy_on_generated_float_inputs) {
  const FormatSpec s = format_spec("fp16");
  test::MismatchLog log;
  for (const Fp16Case& c : kNumpyFp16FromFloat) {
    const auto bits = static_cast<std::uint32_t>(c.input_bits);
    const std::uint32_t got = encode_fp32_bits(s, bits);
    log.check(got == c.fp16_bits, [&] {
      return "encode_fp32_bits(" + test::describe_float(test::bits_to_float(bits)) + ") = " + test::hex(got, 4) +
             ", NumPy " + test::hex(c.fp16_bits, 4);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::formats
