// libFuzzer target for the ONNX reader (build: cmake -DCMAKE_CXX_COMPILER=clang++
// -DQUANTLAB_FUZZ=ON; run: scripts/lib/fuzz.mjs). Every input is read as a
// ModelProto and as a TensorProto. A quantlab::Error is the expected answer to
// bad bytes; a crash, a sanitizer report, a leak, another exception type or an
// allocation above libFuzzer's -malloc_limit_mb is a bug. Models that read are
// written and read again: the second write must give the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/model/onnx.h"

namespace {

using quantlab::model::Model;

// External data without a file system: zero bytes of the declared length,
// refusing (as the file resolver would for a small file) anything above 1 MiB.
std::vector<std::uint8_t> fake_external(const std::string&, std::uint64_t, std::int64_t length) {
  const std::int64_t n = length < 0 ? 64 : length;
  if (n > (1 << 20)) throw quantlab::InvalidArgument("external data past the end of the file");
  return std::vector<std::uint8_t>(static_cast<std::size_t>(n));
}

void round_trip(const Model& m) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = quantlab::model::write_onnx(m);
  } catch (const quantlab::Unsupported&) {
    return;  // sub-graph attributes: the reader keeps only their kind
  }
  // What the writer wrote, the reader must read, and write back identically.
  const Model again = quantlab::model::read_onnx(bytes.data(), bytes.size());
  if (quantlab::model::write_onnx(again) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const Model m = quantlab::model::read_onnx(data, size, fake_external);
    round_trip(m);
  } catch (const quantlab::Error&) {
  }
  try {
    std::string name;
    const quantlab::model::Tensor t = quantlab::model::read_tensor_proto(data, size, &name);
    const std::vector<std::uint8_t> bytes = quantlab::model::write_tensor_proto(t, name);
    quantlab::model::read_tensor_proto(bytes.data(), bytes.size());
  } catch (const quantlab::Error&) {
  }
  return 0;
}
