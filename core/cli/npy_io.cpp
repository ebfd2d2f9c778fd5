// xnpy.hpp comes first, with GCC's -Wmaybe-uninitialized silenced for the
// headers it pulls in: with -fsanitize, GCC 12 reports false positives inside
// libstdc++'s <regex> (used by xtensor's dtype check), whose line state is
// fixed where the header is first included.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xtensor/xnpy.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cctype>
#include <cstddef>
#include <exception>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "npy_io.h"
#include "quantlab/error.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::cli {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) { throw InvalidArgument(path + ": " + why); }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the file");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) fail(path, "cannot read the file");
  return out.str();
}

// The parts of the header dictionary we need, e.g.
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  quant::Shape shape;
};

// A strict little scanner for that one-line Python literal. xtensor parses the
// header again when it loads the data; this pass exists so that a malformed or
// lying header is rejected before xtensor allocates or reads anything.
class HeaderScanner {
 public:
  HeaderScanner(const std::string& path, const std::string& text) : path_(path), text_(text) {}

  NpyHeader parse() {
    NpyHeader h;
    h.descr = quoted(after_key("descr"));
    const std::size_t f = skip_spaces(after_key("fortran_order"));
    if (text_.compare(f, 4, "True") == 0) {
      h.fortran_order = true;
    } else if (text_.compare(f, 5, "False") != 0) {
      fail(path_, "malformed header: fortran_order is neither True nor False");
    }
    std::size_t i = skip_spaces(after_key("shape"));
    if (i >= text_.size() || text_[i] != '(') fail(path_, "malformed header: the shape is not a tuple");
    ++i;
    for (;;) {
      i = skip_spaces(i);
      if (i < text_.size() && text_[i] == ')') break;
      if (i >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[i]))) {
        fail(path_, "malformed header: bad dimension in the shape");
      }
      std::size_t d = 0;
      while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) {
        const std::size_t digit = static_cast<std::size_t>(text_[i] - '0');
        if (d > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail(path_, "a dimension is too large");
        d = d * 10 + digit;
        ++i;
      }
      h.shape.push_back(d);
      i = skip_spaces(i);
      if (i < text_.size() && text_[i] == ',') ++i;
    }
    return h;
  }

 private:
  std::size_t skip_spaces(std::size_t i) const {
    while (i < text_.size() && text_[i] == ' ') ++i;
    return i;
  }

  // The position just after "'key':".
  std::size_t after_key(const std::string& key) const {
    const std::string quoted_key = "'" + key + "'";
    std::size_t i = text_.find(quoted_key);
    if (i == std::string::npos) fail(path_, "malformed header: no '" + key + "'");
    i = skip_spaces(i + quoted_key.size());
    if (i >= text_.size() || text_[i] != ':') fail(path_, "malformed header after '" + key + "'");
    return i + 1;
  }

  std::string quoted(std::size_t i) const {
    i = skip_spaces(i);
    if (i >= text_.size() || text_[i] != '\'') fail(path_, "malformed header: the dtype is not a string");
    const std::size_t end = text_.find('\'', i + 1);
    if (end == std::string::npos) fail(path_, "malformed header: unterminated dtype");
    return text_.substr(i + 1, end - i - 1);
  }

  const std::string& path_;
  const std::string& text_;
};

std::uint32_t little_endian(const std::string& bytes, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(k)]);
  return v;
}

// Bytes per element of the dtypes quantlab reads (0: not supported).
std::size_t npy_item_size(const std::string& descr) {
  static const std::pair<const char*, std::size_t> kTypes[] = {
      {"<f4", 4}, {"<f8", 8}, {"<f2", 2}, {"|u1", 1}, {"|i1", 1}, {"<u2", 2}, {"<i2", 2},
      {"<i4", 4}, {"<u4", 4}, {"<i8", 8}, {"<u8", 8}, {"|b1", 1}};
  for (const auto& [name, size] : kTypes)
    if (descr == name) return size;
  return 0;
}

// Checks magic, version, header and data size; returns the parsed header and
// where the data starts. `floats_only`: the dtype must be float32 or float64.
NpyHeader check_npy(const std::string& path, const std::string& bytes, bool floats_only = true,
                    std::size_t* data_offset = nullptr) {
  static const std::string kMagic = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    fail(path, "not a NumPy .npy file");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (!((major == 1 || major == 2) && minor == 0)) {
    fail(path, ".npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " is not supported (1.0 and 2.0 are)");
  }
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_bytes) fail(path, "truncated header");
  const std::size_t header_len = little_endian(bytes, 8, static_cast<int>(len_bytes));
  const std::size_t data_at = 8 + len_bytes + header_len;
  if (data_at > bytes.size()) fail(path, "truncated header");
  const std::string header = bytes.substr(8 + len_bytes, header_len);
  NpyHeader h = HeaderScanner(path, header).parse();
  const std::size_t item = npy_item_size(h.descr);
  if (floats_only && h.descr != "<f4" && h.descr != "<f8") {
    fail(path, "dtype '" + h.descr + "' is not supported; expected float32 ('<f4') or float64 ('<f8')");
  }
  if (item == 0) {
    fail(path, "dtype '" + h.descr + "' is not supported; expected a little-endian number type (float32/64/16, "
                   "int8/16/32/64, uint8/16/32/64, bool)");
  }
  if (data_offset) *data_offset = data_at;
  std::size_t count = 1;
  for (const std::size_t d : h.shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d) fail(path, "the shape is too large");
    count *= d;
  }
  if (count > (bytes.size() - data_at) / item || count * item != bytes.size() - data_at) {
    fail(path, "shape " + quant::shape_to_string(h.shape) + " needs " + std::to_string(count) + " values (" +
                   std::to_string(count) + " × " + std::to_string(item) + " bytes) but the file has " +
                   std::to_string(bytes.size() - data_at) + " bytes of data");
  }
  return h;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "cannot open the file for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path, "cannot write the file");
}

template <typename T>
std::string npy_bytes(const xt::xarray<std::int32_t>& q) {
  return xt::dump_npy(xt::xarray<T>(xt::cast<T>(q)));
}

}  // namespace

model::Tensor read_npy_tensor(const std::string& path) {
  const std::string bytes = read_bytes(path);
  std::size_t data_at = 0;
  const NpyHeader h = check_npy(path, bytes, false, &data_at);
  if (h.fortran_order && h.shape.size() > 1) fail(path, "Fortran-order arrays are not supported; save with C order");
  static const std::pair<const char*, model::DataType> kTypes[] = {
      {"<f4", model::DataType::float32}, {"<f8", model::DataType::float64}, {"<f2", model::DataType::float16},
      {"|u1", model::DataType::uint8},   {"|i1", model::DataType::int8},    {"<u2", model::DataType::uint16},
      {"<i2", model::DataType::int16},   {"<i4", model::DataType::int32},   {"<u4", model::DataType::uint32},
      {"<i8", model::DataType::int64},   {"<u8", model::DataType::uint64},  {"|b1", model::DataType::boolean}};
  model::DataType type = model::DataType::undefined;
  for (const auto& [name, t] : kTypes)
    if (h.descr == name) type = t;
  std::vector<std::int64_t> shape(h.shape.begin(), h.shape.end());
  model::Tensor t(type, shape);
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(data_at), bytes.end(), t.bytes());
  return t;
}

void write_npy_tensor(const std::string& path, const model::Tensor& t) {
  const char* descr = nullptr;
  switch (t.type()) {
    case model::DataType::float32: descr = "<f4"; break;
    case model::DataType::float64: descr = "<f8"; break;
    case model::DataType::float16: descr = "<f2"; break;
    case model::DataType::uint8: descr = "|u1"; break;
    case model::DataType::int8: descr = "|i1"; break;
    case model::DataType::uint16: descr = "<u2"; break;
    case model::DataType::int16: descr = "<i2"; break;
    case model::DataType::int32: descr = "<i4"; break;
    case model::DataType::uint32: descr = "<u4"; break;
    case model::DataType::int64: descr = "<i8"; break;
    case model::DataType::uint64: descr = "<u8"; break;
    case model::DataType::boolean: descr = "|b1"; break;
    default: fail(path, "a " + model::type_name(t.type()) + " tensor cannot be written as .npy");
  }
  std::string shape = "(";
  for (std::size_t i = 0; i < t.rank(); ++i) shape += std::to_string(t.dim(i)) + (t.rank() == 1 || i + 1 < t.rank() ? ", " : "");
  if (t.rank() == 1) shape.erase(shape.size() - 1);  // "(5,)"
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts at a multiple of 64 bytes, ending the header with a newline.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(t.bytes()), t.byte_size());
  write_bytes(path, bytes);
}

xt::xarray<float> read_npy_float(const std::string& path) {
  const std::string bytes = read_bytes(path);
  const NpyHeader h = check_npy(path, bytes);
  try {
    std::istringstream in(bytes);
    if (h.descr == "<f4") return xt::xarray<float>(xt::load_npy<float>(in));
    return xt::xarray<float>(xt::cast<float>(xt::load_npy<double>(in)));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(path, e.what());
  }
}

void write_npy_float(const std::string& path, const xt::xarray<float>& x) { write_bytes(path, xt::dump_npy(x)); }

std::string write_npy_codes(const std::string& path, const xt::xarray<std::int32_t>& q, int qmin, int qmax) {
  if (qmin >= 0 && qmax <= 255) {
    write_bytes(path, npy_bytes<std::uint8_t>(q));
    return "uint8";
  }
  if (qmin >= -128 && qmax <= 127) {
    write_bytes(path, npy_bytes<std::int8_t>(q));
    return "int8";
  }
  if (qmin >= 0 && qmax <= 65535) {
    write_bytes(path, npy_bytes<std::uint16_t>(q));
    return "uint16";
  }
  if (qmin >= -32768 && qmax <= 32767) {
    write_bytes(path, npy_bytes<std::int16_t>(q));
    return "int16";
  }
  write_bytes(path, npy_bytes<std::int32_t>(q));
  return "int32";
}

}  // namespace quantlab::cli
