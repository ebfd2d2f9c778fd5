#include "images.h"

#include "npy_io.h"
#include "quantlab/error.h"
#include "quantlab/formats/decomposition.h"

namespace quantlab::cli {

double parse_real_option(const std::string& option, const std::string& text) {
  try {
    return formats::parse_number(text);
  } catch (const Error&) {
    throw InvalidArgument("--" + option + " needs a number, got '" + text + "'");
  }
}

model::Tensor read_images(const std::string& path, const std::optional<std::string>& normalize,
                          model::DataType input_type) {
  using model::DataType;
  model::Tensor images = read_npy_tensor(path);
  if (images.type() == DataType::uint8 && input_type == DataType::float32) {
    if (!normalize)
      throw InvalidArgument(path + " holds uint8 pixels but the model takes float; pass --normalize MEAN,STD "
                                   "(the bundled models: --normalize 0.2860,0.3530)");
    const auto comma = normalize->find(',');
    if (comma == std::string::npos) throw InvalidArgument("--normalize needs MEAN,STD, got '" + *normalize + "'");
    const double mean = parse_real_option("normalize", normalize->substr(0, comma));
    const double std_dev = parse_real_option("normalize", normalize->substr(comma + 1));
    if (!(std_dev > 0)) throw InvalidArgument("--normalize: STD must be > 0");
    model::Tensor f(DataType::float32, images.shape());
    const std::uint8_t* p = images.data<std::uint8_t>();
    float* q = f.data<float>();
    for (std::int64_t i = 0; i < images.size(); ++i) q[i] = static_cast<float>((p[i] / 255.0 - mean) / std_dev);
    return f;
  }
  if (normalize && images.type() == DataType::float32)
    throw InvalidArgument("--normalize applies to uint8 images; " + path + " is already float");
  return images;
}

}  // namespace quantlab::cli
