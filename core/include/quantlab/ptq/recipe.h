// quantlab/ptq/recipe.h — every choice of a quantization as JSON, so that it
// can be replayed without calibration data: the options, the layers kept in
// float, and the parameters calibration chose for every activation (floats
// written with enough digits to read back bit for bit).
#pragma once

#include <cstdint>
#include <string>

#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq {

struct Recipe {
  Options options;
  Calibration calibration;       ///< static mode; empty for dynamic
  std::string model_name;        ///< graph name of the float model, checked on replay
  std::int64_t model_nodes = 0;  ///< node count of the float model, checked on replay
  std::string calibration_note;  ///< free text: data, preprocessing (not used on replay)
};

/// @brief The recipe as pretty-printed JSON (format "quantlab-ptq-recipe", version 1).
std::string recipe_to_json(const Recipe& recipe);

/// @brief Parses a recipe; unknown keys, wrong types or a missing field throw
/// InvalidArgument naming the JSON path.
Recipe recipe_from_json(const std::string& json);

/// @brief prepare(float_model) and convert() with the recipe: the same bytes
/// as the conversion that wrote it. A model that does not match the recipe
/// (graph name, node count, or an activation the recipe lacks) throws InvalidArgument.
model::Model replay(const model::Model& float_model, const Recipe& recipe);

}  // namespace quantlab::ptq
