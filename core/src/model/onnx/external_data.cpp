// read_onnx_file: the model file, and external tensor data from files beside
// it. A location written in the model is trusted only to name a file inside
// the model's folder: absolute paths, ".." that climbs out, and symbolic links
// that lead out are refused before anything is opened.
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

#include "model/onnx/decode.h"
#include "quantlab/error.h"

namespace quantlab::model {
namespace {

namespace fs = std::filesystem;

// True when `path` is `folder` or lies below it (both already normalized).
bool is_inside(const fs::path& folder, const fs::path& path) {
  auto f = folder.begin();
  auto p = path.begin();
  for (; f != folder.end(); ++f, ++p) {
    if (f->empty()) continue;  // a trailing separator yields an empty last element
    if (p == path.end() || *f != *p) return false;
  }
  return true;
}

// The file `location` names inside `folder`, or InvalidArgument saying why not.
fs::path resolve_location(const fs::path& folder, const std::string& location) {
  const std::string shown = "external data '" + location + "'";
  if (location.empty()) throw InvalidArgument("external data with an empty location");
  if (location.find('\0') != std::string::npos) throw InvalidArgument(shown + " has a NUL byte in its location");
  const fs::path relative(location);
  if (relative.is_absolute() || relative.has_root_directory() || relative.has_root_name())
    throw InvalidArgument(shown + " is an absolute path; it must be relative to the model's folder");
  const fs::path normal = relative.lexically_normal();
  if (normal.empty() || *normal.begin() == ".." || normal == ".")
    throw InvalidArgument(shown + " leaves the model's folder");
  const fs::path target = folder / normal;
  // Symbolic links: compare where both really are.
  std::error_code ec1, ec2;
  const fs::path real_folder = fs::weakly_canonical(folder, ec1);
  const fs::path real_target = fs::weakly_canonical(target, ec2);
  if (ec1 || ec2) throw InvalidArgument(shown + ": cannot resolve the path " + target.string());
  if (!is_inside(real_folder, real_target) || real_target == real_folder)
    throw InvalidArgument(shown + " leaves the model's folder (through a symbolic link)");
  return target;
}

std::vector<std::uint8_t> read_range(const fs::path& file, const std::string& location, std::uint64_t offset,
                                     std::int64_t length) {
  const std::string shown = "external data '" + location + "'";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw InvalidArgument(shown + ": no such file in the model's folder (" + file.string() + ")");
  const std::uint64_t size = fs::file_size(file, ec);
  if (ec) throw InvalidArgument(shown + ": cannot read " + file.string());
  if (offset > size)
    throw InvalidArgument(shown + ": offset " + std::to_string(offset) + " is past the end of the file (" +
                          std::to_string(size) + " bytes)");
  const std::uint64_t count = length < 0 ? size - offset : static_cast<std::uint64_t>(length);
  if (count > size - offset)
    throw InvalidArgument(shown + ": offset " + std::to_string(offset) + " + length " + std::to_string(count) +
                          " is past the end of the file (" + std::to_string(size) + " bytes)");
  if (count > std::numeric_limits<std::size_t>::max() / 2)
    throw InvalidArgument(shown + ": " + std::to_string(count) + " bytes do not fit in memory here");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InvalidArgument(shown + ": cannot open " + file.string());
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  in.seekg(static_cast<std::streamoff>(offset));
  if (count && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count)))
    throw InvalidArgument(shown + ": cannot read " + std::to_string(count) + " bytes from " + file.string());
  return bytes;
}

std::vector<std::uint8_t> read_whole_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InvalidArgument(path + ": no such file");
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) throw InvalidArgument(path + ": cannot read the file");
  if (size > std::numeric_limits<std::size_t>::max() / 2) throw InvalidArgument(path + ": the file is too large");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(path + ": cannot open the file");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (size && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw InvalidArgument(path + ": cannot read the file");
  return bytes;
}

}  // namespace

Model read_onnx_file(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path);
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  const ExternalDataResolver resolver = [&folder](const std::string& location, std::uint64_t offset, std::int64_t length) {
    return read_range(resolve_location(folder, location), location, offset, length);
  };
  try {
    return read_onnx(bytes.data(), bytes.size(), resolver);
  } catch (const Error&) {
    onnx::rethrow_with_prefix(path);
  }
}

}  // namespace quantlab::model
