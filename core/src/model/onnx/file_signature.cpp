// Protobuf has no magic number, so "is this an ONNX file?" is answered by its
// first field: a ModelProto starts with a field ModelProto knows (ir_version,
// written first by every protobuf library). Anything else is refused up
// front, with a guess at what the file is from the signatures of formats
// people drop by mistake (images, PyTorch checkpoints, NumPy arrays, ...).
#include <cctype>
#include <cstdio>
#include <cstring>

#include "model/onnx/decode.h"
#include "quantlab/error.h"

namespace quantlab::model::onnx {
namespace {

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t n, std::size_t at = 0) {
  return size >= at + n && std::memcmp(data + at, magic, n) == 0;
}

// A guess at the format of a file that is not protobuf, or "".
std::string guess_format(const std::uint8_t* d, std::size_t n) {
  if (starts_with(d, n, "\x89PNG", 4)) return "a PNG image";
  if (starts_with(d, n, "\xff\xd8\xff", 3)) return "a JPEG image";
  if (starts_with(d, n, "GIF8", 4)) return "a GIF image";
  if (starts_with(d, n, "PK\x03\x04", 4)) return "a zip archive, such as a PyTorch .pt file";
  if (starts_with(d, n, "\x93NUMPY", 6)) return "a NumPy .npy file";
  if (starts_with(d, n, "\x1f\x8b", 2)) return "a gzip-compressed file";
  if (starts_with(d, n, "\x89HDF", 4)) return "an HDF5 file, such as a Keras .h5 model";
  if (starts_with(d, n, "TFL3", 4, 4)) return "a TensorFlow Lite model";
  if (starts_with(d, n, "GGUF", 4)) return "a GGUF model";
  if (n >= 2 && d[0] == 0x80 && d[1] >= 2 && d[1] <= 5) return "a Python pickle";
  if (n >= 1 && (d[0] == '{' || d[0] == '[')) return "JSON text";
  if (n >= 1 && d[0] == '<') return "HTML or XML text";
  bool text = n > 0;
  for (std::size_t i = 0; i < n && i < 16; ++i)
    text = text && (std::isprint(d[i]) || d[i] == '\n' || d[i] == '\r' || d[i] == '\t');
  if (text) return "a text file";
  return "";
}

}  // namespace

void check_first_field(Span input, const MessageSchema& schema, const char* what) {
  const std::uint8_t* p = input.data;
  std::uint64_t tag = 0;
  if (decode_varint(p, input.data + input.size, tag) == VarintStatus::ok) {
    const FieldInfo* info = (tag >> 3) <= 0xffffffffu ? schema.find(static_cast<std::uint32_t>(tag >> 3)) : nullptr;
    if (info && (tag & 7) <= 5 && accepts(info->kind, static_cast<WireType>(tag & 7))) return;
  }
  std::string bytes;
  for (std::size_t i = 0; i < input.size && i < 4; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%s%02x", i ? " " : "", input.data[i]);
    bytes += hex;
  }
  const std::string guess = guess_format(input.data, input.size);
  throw InvalidArgument(std::string("not ") + what + " (starts with bytes " + bytes +
                        (guess.empty() ? "" : " \u2014 " + guess + "?") + ")");
}

}  // namespace quantlab::model::onnx
