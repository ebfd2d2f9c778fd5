// Names and availability of the kernel instruction sets.
#include "quantlab/kernels/isa.h"

#include "quantlab/error.h"

namespace quantlab::kernels {

const char* to_string(Isa isa) { return isa == Isa::wasmsimd ? "simd" : "scalar"; }

std::vector<Isa> available_isas() {
#ifdef __wasm_simd128__
  return {Isa::scalar, Isa::wasmsimd};
#else
  return {Isa::scalar};
#endif
}

Isa best_isa() { return available_isas().back(); }

Isa parse_isa(const std::string& name) {
  if (name == "scalar") return Isa::scalar;
  if (name == "simd" || name == "wasmsimd") {
#ifdef __wasm_simd128__
    return Isa::wasmsimd;
#else
    throw InvalidArgument("impl 'simd' is not available in this build (only WebAssembly builds have SIMD kernels)");
#endif
  }
  throw InvalidArgument("unknown impl '" + name + "' (expected scalar or simd)");
}

}  // namespace quantlab::kernels
