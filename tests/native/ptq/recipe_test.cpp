// Recipes (core/docs/ptq.md, "Recipes"): to_json → from_json → replay writes
// the same bytes as the conversion that made the recipe, for several option
// sets; malformed recipes throw InvalidArgument naming the JSON path; a recipe
// for another model is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"
#include "quantlab/ptq/recipe.h"

namespace quantlab::ptq::test {
namespace {

using nlohmann::json;

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Made {
  Model float_model;
  Recipe recipe;
  std::vector<std::uint8_t> bytes;  ///< write_onnx of the conversion that made the recipe
};

Made make(const Options& options) {
  Made m;
  m.float_model = conv_pool_fc().model();
  const Prepared p = prepare(m.float_model);
  m.recipe.options = options;
  if (options.mode == Mode::static_mode)
    m.recipe.calibration = calibrate(p, options, {conv_images(7, 301), conv_images(9, 302)});
  m.recipe.model_name = m.float_model.graph.name;
  m.recipe.model_nodes = static_cast<std::int64_t>(m.float_model.graph.nodes.size());
  m.recipe.calibration_note = "two random batches, \"quoted\" note";
  m.bytes = model::write_onnx(convert(p, options, m.recipe.calibration));
  return m;
}

std::vector<std::pair<std::string, Options>> option_sets() {
  std::vector<std::pair<std::string, Options>> sets;
  sets.emplace_back("defaults", Options{});
  Options a;
  a.activations.is_signed = false;
  a.activations.observer = calib::ObserverKind::percentile;
  a.activations.percentile = 99.9;
  a.weights.granularity = quant::Granularity::tensor;
  a.weights.bits = 7;
  sets.emplace_back("uint8, percentile, 7-bit per-tensor weights", a);
  Options b;
  b.activations.scheme = quant::Scheme::symmetric;
  b.activations.observer = calib::ObserverKind::moving_average;
  b.activations.momentum = 0.25f;
  b.weights.bits = 4;
  b.keep_float = {"fc"};
  sets.emplace_back("symmetric, moving average, int4 weights, fc kept float", b);
  Options c;
  c.activations.observer = calib::ObserverKind::mse;
  c.activations.bins = 512;
  c.weights.observer = calib::ObserverKind::percentile;
  c.weights.percentile = 99.5;
  sets.emplace_back("mse activations, percentile weights", c);
  Options d;
  d.mode = Mode::dynamic_mode;
  sets.emplace_back("dynamic", d);
  Options e;
  e.weights.layer_bits = {{"conv", 4}};
  sets.emplace_back("conv at 4 bits, fc at 8", e);
  return sets;
}

TEST(PtqRecipe, json_round_trip_and_replay_write_identical_bytes) {
  for (const auto& [what, options] : option_sets()) {
    SCOPED_TRACE(what);
    const Made m = make(options);
    const std::string text = recipe_to_json(m.recipe);
    const Recipe back = recipe_from_json(text);
    EXPECT_EQ(recipe_to_json(back), text) << "the JSON is stable";
    EXPECT_EQ(back.model_name, "conv_pool_fc");
    EXPECT_EQ(back.model_nodes, 5);
    EXPECT_EQ(back.calibration_note, m.recipe.calibration_note);
    EXPECT_EQ(back.calibration.samples, m.recipe.calibration.samples);
    EXPECT_EQ(back.options.keep_float, options.keep_float);
    EXPECT_EQ(back.options.weights.layer_bits, options.weights.layer_bits);
    ASSERT_EQ(back.calibration.activations.size(), m.recipe.calibration.activations.size());
    for (const auto& [name, a] : m.recipe.calibration.activations) {
      const ActivationParams& b = back.calibration.activations.at(name);
      EXPECT_TRUE(same_bits(a.scale, b.scale) && same_bits(a.clip_min, b.clip_min) && same_bits(a.clip_max, b.clip_max) &&
                  same_bits(a.seen_min, b.seen_min) && same_bits(a.seen_max, b.seen_max))
          << name << ": floats read back bit for bit";
      EXPECT_EQ(a.zero_point, b.zero_point) << name;
    }
    const std::vector<std::uint8_t> replayed = model::write_onnx(replay(m.float_model, back));
    EXPECT_EQ(replayed.size(), m.bytes.size());
    EXPECT_TRUE(replayed == m.bytes) << "replay writes the same bytes";
  }
}

TEST(PtqRecipe, the_recipe_holds_the_options_and_every_observed_activation) {
  const Made m = make(Options{});
  const json j = json::parse(recipe_to_json(m.recipe));
  EXPECT_EQ(j["format"], "quantlab-ptq-recipe");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["mode"], "static");
  EXPECT_EQ(j["model"]["graph_name"], "conv_pool_fc");
  EXPECT_EQ(j["weights"]["granularity"], "channel");
  EXPECT_EQ(j["activations"]["signed"], true);
  EXPECT_EQ(j["calibration"]["samples"], 16);
  std::vector<std::string> names;
  for (auto it = j["activation_params"].begin(); it != j["activation_params"].end(); ++it) names.push_back(it.key());
  EXPECT_EQ(names, (std::vector<std::string>{"r", "x", "y"}));
}

/// The message of recipe_from_json(mutated recipe).
std::string parse_error(const std::function<void(json&)>& mutate) {
  json j = json::parse(recipe_to_json(make(Options{}).recipe));
  mutate(j);
  return message_of<InvalidArgument>([&] { (void)recipe_from_json(j.dump()); });
}

void expect_mentions(const std::string& msg, const std::vector<std::string>& parts) {
  for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << msg << "' should mention " << p;
}

TEST(PtqRecipe, malformed_recipes_name_the_json_path) {
  expect_mentions(message_of<InvalidArgument>([] { (void)recipe_from_json("{ not json"); }), {"not valid JSON"});
  expect_mentions(message_of<InvalidArgument>([] { (void)recipe_from_json("[1, 2]"); }), {"$", "object"});
  expect_mentions(parse_error([](json& j) { j["extra"] = 1; }), {"$", "unknown key 'extra'"});
  expect_mentions(parse_error([](json& j) { j["activations"]["colour"] = "red"; }), {"$.activations", "'colour'"});
  expect_mentions(parse_error([](json& j) { j.erase("mode"); }), {"$", "missing 'mode'"});
  expect_mentions(parse_error([](json& j) { j["weights"]["bits"] = "8"; }), {"$.weights.bits", "integer"});
  expect_mentions(parse_error([](json& j) { j["weights"]["bits"] = 8.5; }), {"$.weights.bits", "integer"});
  expect_mentions(parse_error([](json& j) { j["activations"]["signed"] = 1; }), {"$.activations.signed"});
  expect_mentions(parse_error([](json& j) { j["keep_float"] = "fc"; }), {"$.keep_float", "array"});
  expect_mentions(parse_error([](json& j) { j["keep_float"] = json::array({"fc", 3}); }), {"$.keep_float[1]", "string"});
  expect_mentions(parse_error([](json& j) { j["mode"] = "sometimes"; }), {"$.mode", "sometimes"});
  expect_mentions(parse_error([](json& j) { j["weights"]["granularity"] = "group"; }), {"$", "group"});
  expect_mentions(parse_error([](json& j) { j["version"] = 2; }), {"$.version"});
  expect_mentions(parse_error([](json& j) { j["format"] = "onnx"; }), {"$.format"});
  expect_mentions(parse_error([](json& j) { j["activation_params"]["x"]["zero_point"] = 300; }),
                  {"$.activation_params[\"x\"].zero_point", "300"});
  // uint8 activations: -1 is off the grid too.
  expect_mentions(parse_error([](json& j) {
                    j["activations"]["signed"] = false;
                    j["activation_params"]["r"]["zero_point"] = -1;
                  }),
                  {"$.activation_params[\"r\"].zero_point", "-1"});
  expect_mentions(parse_error([](json& j) { j["activation_params"]["y"]["scale"] = -0.5; }),
                  {"$.activation_params[\"y\"].scale", "positive"});
  expect_mentions(parse_error([](json& j) { j["activation_params"]["y"]["scale"] = "0.1"; }),
                  {"$.activation_params[\"y\"].scale", "number"});
  expect_mentions(parse_error([](json& j) { j["activation_params"]["y"].erase("clip_max"); }),
                  {"$.activation_params[\"y\"]", "missing 'clip_max'"});
  expect_mentions(parse_error([](json& j) { j["model"]["nodes"] = "5"; }), {"$.model.nodes"});
  expect_mentions(parse_error([](json& j) { j["weights"]["layer_bits"] = json::array({"conv"}); }),
                  {"$.weights.layer_bits", "object"});
  expect_mentions(parse_error([](json& j) { j["weights"]["layer_bits"]["conv"] = "4"; }),
                  {"$.weights.layer_bits.conv", "integer"});
  expect_mentions(parse_error([](json& j) { j["weights"]["layer_bits"]["conv"] = 12; }),
                  {"$.weights.layer_bits.conv", "2..8", "12"});
  expect_mentions(parse_error([](json& j) { j["weights"]["layer_bits"]["conv"] = 1e12; }), {"$.weights.layer_bits.conv"});
  // Recipes written before per-layer bits have no layer_bits: all layers at weights.bits.
  json old = json::parse(recipe_to_json(make(Options{}).recipe));
  old["weights"].erase("layer_bits");
  EXPECT_TRUE(recipe_from_json(old.dump()).options.weights.layer_bits.empty());
}

TEST(PtqRecipe, a_recipe_for_another_model_is_refused) {
  const Made m = make(Options{});
  // Another graph name.
  Builder other = conv_pool_fc();
  other.model().graph.name = "something_else";
  std::string msg = message_of<InvalidArgument>([&] { (void)replay(other.model(), m.recipe); });
  expect_mentions(msg, {"conv_pool_fc", "something_else"});
  // The same name, another node count.
  Builder longer = conv_pool_fc();
  longer.model().graph.nodes.back().outputs[0] = "y0";
  longer.node("Relu", {"y0"}, {"y"}, "relu_out");
  msg = message_of<InvalidArgument>([&] { (void)replay(longer.model(), m.recipe); });
  expect_mentions(msg, {"5 nodes", "6"});
  // A recipe that lacks an activation the conversion needs.
  Recipe missing = m.recipe;
  missing.calibration.activations.erase("x");
  msg = message_of<InvalidArgument>([&] { (void)replay(m.float_model, missing); });
  expect_mentions(msg, {"'x'"});
  // keep_float naming a layer the model does not have.
  Recipe unknown = m.recipe;
  unknown.options.keep_float = {"conv2"};
  msg = message_of<InvalidArgument>([&] { (void)replay(m.float_model, recipe_from_json(recipe_to_json(unknown))); });
  expect_mentions(msg, {"'conv2'"});
}

}  // namespace
}  // namespace quantlab::ptq::test
