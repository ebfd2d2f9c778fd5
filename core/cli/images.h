// Image batches for models: .npy files of uint8 pixels (normalized on the way
// in) or of floats, as the eval and ptq commands read them.
#pragma once

#include <optional>
#include <string>

#include "quantlab/model/tensor.h"

namespace quantlab::cli {

/// @brief A number given to option `--option`; InvalidArgument naming it otherwise.
double parse_real_option(const std::string& option, const std::string& text);

/// @brief Reads `path` for a model input of `input_type`. uint8 pixels become
/// float as x = (pixel / 255 − mean) / std with `normalize` = "MEAN,STD"
/// (required then); float files are taken as they are (and `normalize` is an error).
model::Tensor read_images(const std::string& path, const std::optional<std::string>& normalize,
                          model::DataType input_type);

}  // namespace quantlab::cli
